import { forbidden, notFound, unauthenticated } from '../errors';
import type { Principal, ServiceAccountPrincipal, UserPrincipal } from '../auth/principal';
import type { Organization } from '../modules/organizations/organization.entity';
import { InstancePermission, OrgPermission, ORG_ROLE_PERMISSIONS } from './permissions';
import {
  NON_MEMBER_TEAM_PERMISSIONS,
  ORG_VIEWER_TEAM_ROLE,
  PERSON_TEAM_ROLES,
  ROLES_GRANTABLE_BY_INVITING_MEMBERS,
  SERVICE_ACCOUNT_TEAM_ROLE,
  TEAM_ROLE_PERMISSIONS,
  TeamPermission,
  TeamRole,
} from './team-permissions';
import { MemberStatus, OrgRole } from './roles';

export interface MembershipFacts {
  role: OrgRole;
  status: MemberStatus;
}

export type MembershipLookup = (organizationId: string, userId: string) => Promise<MembershipFacts | null>;

/** One of a user's organization memberships, with its organization (for decisions about that user). */
export interface UserMembershipFacts extends MembershipFacts {
  organization: Organization;
}

export interface CustomRoleFacts {
  inheritsFrom: TeamRole;
  permissions: readonly TeamPermission[];
}

export interface TeamMembershipFacts {
  role: TeamRole;
  customRole: CustomRoleFacts | null;
}

export type TeamMembershipLookup = (teamId: string, userId: string) => Promise<TeamMembershipFacts | null>;

/** What the policy needs to know of a team. */
export interface TeamFacts {
  id: string;
  name: string;
  settings: { hidden: boolean; membersCanInvite: boolean };
}

/**
 * Which teams of an organization the caller sees (docs/AUTHZ.md, "Hidden teams"): every team (those who manage
 * every team: organization and instance admins), none (not an ACTIVE member), or the teams that are not hidden
 * plus the teams the user belongs to.
 */
export type TeamScope =
  | { kind: 'ALL' }
  | { kind: 'NONE' }
  | { kind: 'LISTED_OR_MEMBER'; userId: string }
  /** A team service account: its own team, hidden or not, and nothing else. */
  | { kind: 'ONE'; teamId: string }
  /** An organization service account: every team of its organization, hidden or not, with the SERVICE role. */
  | { kind: 'EVERY_AS_SERVICE' };

/** What the policy needs to know of a service account (docs/AUTHZ.md, "Service accounts"). */
export interface ServiceAccountFacts {
  organizationId: string;
  /** null: an organization service account. */
  teamId: string | null;
}

/**
 * What part of a team's projects or reports the caller sees: everything; everything but RESTRICTED projects (and
 * their reports), for those who read the team without being on it (org admins outside it, organization service
 * accounts); what belongs to PUBLIC projects; or nothing.
 */
export type ContentScope = 'ALL' | 'UNRESTRICTED' | 'PUBLIC' | 'NONE';

const ALL_ORG_PERMISSIONS: ReadonlySet<OrgPermission> = new Set(Object.values(OrgPermission));
const MEMBER_WHO_CREATES_TEAMS: ReadonlySet<OrgPermission> = new Set([
  ...ORG_ROLE_PERMISSIONS[OrgRole.MEMBER],
  OrgPermission.CREATE_TEAM,
]);
const ALL_TEAM_PERMISSIONS: ReadonlySet<TeamPermission> = new Set(Object.values(TeamPermission));
const NO_PERMISSIONS: ReadonlySet<never> = new Set();
const ORG_READ_ONLY: ReadonlySet<OrgPermission> = new Set([OrgPermission.READ]);

/**
 * The one authorization policy. Services ask it; nothing else compares roles.
 * Per request: it sees the request's principal and reads memberships through the request's DataLoader.
 */
export class Authz {
  constructor(
    private current: Principal,
    private readonly lookupMembership: MembershipLookup,
    private readonly lookupTeamMembership: TeamMembershipLookup,
  ) {}

  get principal(): Principal {
    return this.current;
  }

  /** After signUp or logIn the rest of the request acts as the new session's user (e.g. to show their own email). */
  assume(principal: Principal): void {
    this.current = principal;
  }

  get isAuthenticated(): boolean {
    return this.principal.kind !== 'anonymous';
  }

  get isInstanceAdmin(): boolean {
    return this.principal.kind === 'user' && this.principal.user.instanceAdmin;
  }

  /**
   * The calling person: UNAUTHENTICATED when anonymous, FORBIDDEN for a service account. Everything that is a
   * person's act (keys, sessions, invitations, managing members, roles, teams, settings, service accounts) starts
   * here, so a service account can never do any of it, whatever its team role.
   */
  requireUser(): UserPrincipal {
    if (this.principal.kind === 'service_account') {
      throw forbidden(
        `Service accounts may not do this (the key belongs to "${this.principal.serviceAccount.name}"): ` +
          'use a person’s session or personal API key.',
      );
    }
    if (this.principal.kind !== 'user') throw unauthenticated();
    return this.principal;
  }

  /** Any authenticated caller, person or service account (reads, and writing runs, reports and projects). */
  requireAuthenticated(): UserPrincipal | ServiceAccountPrincipal {
    if (this.principal.kind === 'anonymous') throw unauthenticated();
    return this.principal;
  }

  /**
   * For signUp, logIn and acceptInvitation: a person's own steps, which a service account's key must not take (it
   * would otherwise be treated as anonymous and could start a session for someone).
   */
  requireNotServiceAccount(): void {
    if (this.principal.kind === 'service_account') this.requireUser();
  }

  private static serviceAccountFacts(p: ServiceAccountPrincipal): ServiceAccountFacts {
    return { organizationId: p.serviceAccount.organization.id, teamId: p.serviceAccount.team?.id ?? null };
  }

  /**
   * A user's own email is visible to them and to instance admins; the members view has its own rule
   * (member:read_email).
   */
  canSeeEmailOf(userId: string): boolean {
    return this.isInstanceAdmin || this.isSelf(userId);
  }

  canInstance(permission: InstancePermission): boolean {
    return this.isInstanceAdmin && Object.values(InstancePermission).includes(permission);
  }

  requireInstance(permission: InstancePermission): void {
    this.requireUser();
    if (!this.canInstance(permission)) {
      throw forbidden(`Only instance admins may do this (needs ${permission}).`);
    }
  }

  /** The caller's own ACTIVE membership in the organization, if any. */
  async activeMembership(
    organizationId: string,
    lookup: MembershipLookup = this.lookupMembership,
  ): Promise<MembershipFacts | null> {
    if (this.principal.kind !== 'user') return null;
    const m = await lookup(organizationId, this.principal.user.id);
    return m && m.status === MemberStatus.ACTIVE ? m : null;
  }

  /**
   * Which organizations the caller sees (`org:read`) as a list filter: every one for instance admins, otherwise
   * those where they hold an ACTIVE membership; the same rule `orgPermissions` applies to one organization.
   */
  organizationScope():
    | { kind: 'ALL' }
    | { kind: 'ACTIVE_MEMBER'; userId: string; status: MemberStatus }
    | { kind: 'NONE' } {
    if (this.isInstanceAdmin) return { kind: 'ALL' };
    if (this.principal.kind !== 'user') return { kind: 'NONE' };
    return { kind: 'ACTIVE_MEMBER', userId: this.principal.user.id, status: MemberStatus.ACTIVE };
  }

  /**
   * An organization that sets `personalApiKeysReachOrganization: false` is out of reach of personal API keys, so
   * automation goes through service accounts: such a request holds no permission there, whoever's key it is
   * (instance admins included; their sessions still work).
   */
  private personalKeyRefusedBy(org: Organization): boolean {
    return (
      this.principal.kind === 'user' &&
      this.principal.method === 'API_KEY' &&
      !org.effectiveSettings().personalApiKeysReachOrganization
    );
  }

  /** Whether to tell the caller that `org` refuses their personal key (only members, who know it exists). */
  async refusesPersonalKeyOf(org: Organization): Promise<boolean> {
    if (!this.personalKeyRefusedBy(org)) return false;
    return this.isInstanceAdmin || (await this.activeMembership(org.id)) !== null;
  }

  /**
   * Whether the caller may create (or, by rotation, renew) a personal API key: not when an organization they are
   * an ACTIVE MEMBER or VIEWER of sets `membersCanCreateApiKeys: false` (its ADMINs still may). Returns the first
   * organization that refuses, to name it.
   */
  static organizationRefusingPersonalKeys(memberships: ReadonlyArray<UserMembershipFacts>): Organization | null {
    const refusing = memberships.find(
      (m) =>
        m.status === MemberStatus.ACTIVE &&
        m.role !== OrgRole.ADMIN &&
        !m.organization.effectiveSettings().membersCanCreateApiKeys,
    );
    return refusing?.organization ?? null;
  }

  // Shared, read-only results: a members page asks these a few hundred times per request.
  async orgPermissions(org: Organization, lookup?: MembershipLookup): Promise<ReadonlySet<OrgPermission>> {
    if (this.personalKeyRefusedBy(org)) return NO_PERMISSIONS;
    if (this.isInstanceAdmin) return ALL_ORG_PERMISSIONS;
    // A service account sees its organization (to reach its team by name), nothing of its members or settings.
    if (this.principal.kind === 'service_account')
      return Authz.serviceAccountFacts(this.principal).organizationId === org.id ? ORG_READ_ONLY : NO_PERMISSIONS;
    const membership = await this.activeMembership(org.id, lookup);
    if (!membership) return NO_PERMISSIONS;
    if (membership.role === OrgRole.MEMBER && org.effectiveSettings().membersCanCreateTeams)
      return MEMBER_WHO_CREATES_TEAMS;
    return ORG_ROLE_PERMISSIONS[membership.role];
  }

  async canOrg(org: Organization, permission: OrgPermission): Promise<boolean> {
    return (await this.orgPermissions(org)).has(permission);
  }

  /**
   * Throws NOT_FOUND when the caller may not even see the organization (so its existence is not revealed),
   * FORBIDDEN when they see it but lack the permission. Inside a transaction that locked the organization,
   * pass a `lookup` reading through that transaction: the caller's own role may have changed meanwhile.
   */
  async requireOrg(org: Organization, permission: OrgPermission, lookup?: MembershipLookup): Promise<void> {
    this.requireUser();
    const granted = await this.orgPermissions(org, lookup);
    if (!granted.has(OrgPermission.READ)) throw notFound(`No organization named "${org.name}" is visible to you.`);
    if (!granted.has(permission)) {
      throw forbidden(
        `Your role in "${org.name}" does not allow this (needs ${permission}); ask an organization admin.`,
      );
    }
  }

  // ---- visibility of nested objects (docs/AUTHZ.md, "Visibility of nested fields") ----------------------------

  /**
   * Whether the caller sees the inactive rows of the organization's members (DEACTIVATED members, PENDING invitations):
   * those who manage or invite members.
   */
  async seesInactiveMembers(org: Organization): Promise<boolean> {
    const granted = await this.orgPermissions(org);
    return granted.has(OrgPermission.MANAGE_MEMBERS) || granted.has(OrgPermission.INVITE_MEMBER);
  }

  /**
   * Who sees and manages an organization's invitations (Organization.invites, OrganizationMember.invitation, resend,
   * revoke): `member:invite`.
   */
  async seesInvitations(org: Organization): Promise<boolean> {
    return (await this.orgPermissions(org)).has(OrgPermission.INVITE_MEMBER);
  }

  /**
   * Whether the caller may see that someone holds this membership of `org` (the members-view rule): the caller
   * sees the organization's members (`member:read`), and the membership is ACTIVE unless the caller sees inactive
   * rows. A missing membership is visible to instance admins only (they see every organization whole).
   */
  async canSeeMembership(org: Organization, membership: MembershipFacts | null): Promise<boolean> {
    if (!membership) return this.isInstanceAdmin;
    const granted = await this.orgPermissions(org);
    if (!granted.has(OrgPermission.READ_MEMBERS)) return false;
    return membership.status === MemberStatus.ACTIVE || (await this.seesInactiveMembers(org));
  }

  /**
   * Whose list of organization memberships the caller may ask for: their own, and everyone's for instance admins. Each
   * row still needs `canSeeMembership`.
   */
  canListMembershipsOf(userId: string): boolean {
    return this.isInstanceAdmin || this.isSelf(userId);
  }

  /** Whether the caller sees `userId`'s activity summary in `org`: their own row, or anyone's with `usage:read`. */
  async seesActivityOf(org: Organization, userId: string): Promise<boolean> {
    return this.isSelf(userId) || (await this.canOrg(org, OrgPermission.READ_USAGE));
  }

  /**
   * `seesActivityOf` as a SQL condition on a user id expression, for set-based reads (the members export): decided
   * once for the organization, then "is it the caller's own row" per row.
   */
  async activityScopeSql(
    org: Organization,
    userIdSql: string,
  ): Promise<{ sql: string; bindings: Array<boolean | string | null> }> {
    const everyone = await this.canOrg(org, OrgPermission.READ_USAGE);
    const self = this.principal.kind === 'user' ? this.principal.user.id : null;
    return { sql: `(?::boolean or ${userIdSql} = ?::uuid)`, bindings: [everyone, self] };
  }

  /** Whose personal API keys the caller may revoke: their own; instance admins any (to cut off a leaked key). */
  canManageApiKeyOf(ownerId: string): boolean {
    return this.isSelf(ownerId) || this.isInstanceAdmin;
  }

  // ---- service accounts and their keys (docs/AUTHZ.md, "Service accounts") -----------------------------------

  /**
   * Managing a team's service accounts and their keys (create, rename, disable, enable, delete; keys: create,
   * rotate, revoke, list): people holding `service_account:manage` on the team (team ADMINs, org admins, a custom
   * role with it). NOT_FOUND when the caller does not see the team, FORBIDDEN otherwise; service accounts never.
   */
  async requireServiceAccountManager(team: TeamFacts | null, org: Organization): Promise<void> {
    this.requireUser();
    // An organization service account (no team) is the organization's: service_account:manage_org (org admins).
    if (!team) await this.requireOrg(org, OrgPermission.MANAGE_ORG_SERVICE_ACCOUNTS);
    else await this.requireTeam(team, org, TeamPermission.SERVICE_ACCOUNT_MANAGE);
  }

  /** The same rule as a yes/no, for key lists and lookups by id that answer NOT_FOUND rather than FORBIDDEN. */
  async canManageServiceAccounts(team: TeamFacts | null, org: Organization): Promise<boolean> {
    if (this.principal.kind !== 'user') return false;
    if (!team) return (await this.orgPermissions(org)).has(OrgPermission.MANAGE_ORG_SERVICE_ACCOUNTS);
    return (await this.teamPermissions(team, org)).has(TeamPermission.SERVICE_ACCOUNT_MANAGE);
  }

  /**
   * Who may revoke or rotate a key: a personal key by its owner (and instance admins, to cut off a leaked key); a
   * service account's key by whoever manages the account's team's service accounts.
   */
  async canManageKey(
    owner: { kind: 'user'; userId: string } | { kind: 'service_account'; team: TeamFacts | null; org: Organization },
  ): Promise<boolean> {
    if (owner.kind === 'user') return this.canManageApiKeyOf(owner.userId);
    return this.canManageServiceAccounts(owner.team, owner.org);
  }

  /**
   * Attribution (docs/AUTHZ.md, "Attribution"): whether a service account may record `permission`'s work (a run,
   * a report, a project) as `person`'s. Only for an ACTIVE organization member who is a member of the team and
   * whose own role there grants the permission; an org admin outside the team does not qualify (holding every
   * permission is not being on the team). Pass lookups that read, and lock, through the writing transaction.
   */
  async mayAttributeTo(
    person: UserPrincipal['user'],
    team: TeamFacts,
    org: Organization,
    permission: TeamPermission,
    lookups: { org: MembershipLookup; team: TeamMembershipLookup },
  ): Promise<boolean> {
    if (this.principal.kind !== 'service_account') return false;
    const orgMembership = await lookups.org(org.id, person.id);
    if (orgMembership?.status !== MemberStatus.ACTIVE) return false;
    if (!(await lookups.team(team.id, person.id))) return false;
    const asPerson = new Authz(
      { kind: 'user', user: person, method: 'API_KEY', sessionId: null, apiKeyId: null },
      lookups.org,
      lookups.team,
    );
    return (await asPerson.teamPermissions(team, org, lookups)).has(permission);
  }

  /**
   * Whether `userId` is the caller: the one "is this myself" rule (leaving instead of removing, own keys, own details).
   */
  isSelf(userId: string | null | undefined): boolean {
    return this.principal.kind === 'user' && this.principal.user.id === userId;
  }

  /**
   * Whether the caller may see a user's details beyond who they are (id, username, name): themselves, instance
   * admins, and whoever sees one of the user's memberships (they share an organization). `membershipsOf` is
   * only called when needed; pass the request's batched loaders.
   */
  async canSeeUserDetails(
    userId: string,
    membershipsOf: () => Promise<ReadonlyArray<UserMembershipFacts>>,
  ): Promise<boolean> {
    if (this.isInstanceAdmin || this.isSelf(userId)) return true;
    if (this.principal.kind !== 'user') return false;
    const visible = await Promise.all((await membershipsOf()).map((m) => this.canSeeMembership(m.organization, m)));
    return visible.includes(true);
  }

  /** The caller's own membership of a team, if any. */
  async teamMembership(
    teamId: string,
    lookup: TeamMembershipLookup = this.lookupTeamMembership,
  ): Promise<TeamMembershipFacts | null> {
    if (this.principal.kind !== 'user') return null;
    return lookup(teamId, this.principal.user.id);
  }

  // ---- the hidden-team rule: one definition, in two forms (a row test and a SQL condition) ---------------------

  /** Which teams of `org` the caller sees. Every team check, list and filter starts here. */
  async teamScope(org: Organization, lookup?: MembershipLookup): Promise<TeamScope> {
    if (this.personalKeyRefusedBy(org)) return { kind: 'NONE' };
    if (this.principal.kind === 'service_account') {
      const sa = Authz.serviceAccountFacts(this.principal);
      if (sa.organizationId !== org.id) return { kind: 'NONE' };
      return sa.teamId ? { kind: 'ONE', teamId: sa.teamId } : { kind: 'EVERY_AS_SERVICE' };
    }
    if ((await this.orgPermissions(org, lookup)).has(OrgPermission.MANAGE_TEAMS)) return { kind: 'ALL' };
    const membership = await this.activeMembership(org.id, lookup);
    if (!membership || this.principal.kind !== 'user') return { kind: 'NONE' };
    return { kind: 'LISTED_OR_MEMBER', userId: this.principal.user.id };
  }

  /** The rule for one team: in scope ALL every team, in LISTED_OR_MEMBER a hidden team only for its members. */
  static seesTeam(scope: TeamScope, team: { id: string; hidden: boolean; callerIsMember: boolean }): boolean {
    if (scope.kind === 'ALL') return true;
    if (scope.kind === 'NONE') return false;
    if (scope.kind === 'ONE') return team.id === scope.teamId;
    if (scope.kind === 'EVERY_AS_SERVICE') return true;
    return !team.hidden || team.callerIsMember;
  }

  /**
   * The same rule as a SQL condition on a `teams` row aliased `alias`, for lists and filters that must stay
   * set-based (one statement whatever the number of teams). Kept beside `seesTeam`; a test checks they agree.
   */
  static teamScopeSql(scope: TeamScope, alias: string): { sql: string; bindings: string[] } {
    if (scope.kind === 'ALL') return { sql: 'true', bindings: [] };
    if (scope.kind === 'NONE') return { sql: 'false', bindings: [] };
    if (scope.kind === 'ONE') return { sql: `${alias}.id = ?`, bindings: [scope.teamId] };
    if (scope.kind === 'EVERY_AS_SERVICE') return { sql: 'true', bindings: [] };
    return {
      sql:
        `(coalesce((${alias}.settings->>'hidden')::boolean, false) = false or exists (select 1 from ` +
        `team_memberships tm_scope where tm_scope.team_id = ${alias}.id and tm_scope.user_id = ?))`,
      bindings: [scope.userId],
    };
  }

  /**
   * The items whose team the caller sees (`team:view`, the same answer as `canTeam(team, org, VIEW)`): the
   * organization's scope once, then only the caller's own membership of the hidden teams. For lists that show many
   * teams at once (a members page shows about 150).
   */
  async visibleTeams<T extends { team: TeamFacts }>(org: Organization, items: readonly T[]): Promise<T[]> {
    const scope = await this.teamScope(org);
    if (scope.kind === 'ALL') return [...items];
    if (scope.kind === 'NONE') return [];
    // Only a person's hidden teams depend on their own membership.
    const memberOf = await Promise.all(
      items.map(
        async ({ team }) =>
          scope.kind === 'LISTED_OR_MEMBER' && team.settings.hidden && (await this.teamMembership(team.id)) !== null,
      ),
    );
    return items.filter(({ team }, i) =>
      Authz.seesTeam(scope, { id: team.id, hidden: team.settings.hidden, callerIsMember: memberOf[i] === true }),
    );
  }

  /**
   * Team permissions: organization admins (and instance admins) hold all of them on every team; otherwise
   * an ACTIVE organization membership is needed, then the team role decides. Non-members see a team only
   * when it is not hidden (`seesTeam`). An organization VIEWER is capped at VIEW_ONLY whatever their team role.
   */
  async teamPermissions(
    team: TeamFacts,
    org: Organization,
    lookups: { org?: MembershipLookup; team?: TeamMembershipLookup } = {},
  ): Promise<ReadonlySet<TeamPermission>> {
    const scope = await this.teamScope(org, lookups.org);
    if (scope.kind === 'ALL') return ALL_TEAM_PERMISSIONS;
    if (scope.kind === 'ONE' || scope.kind === 'EVERY_AS_SERVICE') {
      // The SERVICE role in its own team, never more (no custom role, no setting widens it).
      const own = Authz.seesTeam(scope, { id: team.id, hidden: team.settings.hidden, callerIsMember: false });
      return own ? new Set(TEAM_ROLE_PERMISSIONS[SERVICE_ACCOUNT_TEAM_ROLE]) : new Set();
    }
    const orgMembership = await this.activeMembership(org.id, lookups.org);
    if (scope.kind === 'NONE' || !orgMembership) return new Set();
    const membership = await this.teamMembership(team.id, lookups.team);
    if (!Authz.seesTeam(scope, { id: team.id, hidden: team.settings.hidden, callerIsMember: membership !== null }))
      return new Set();
    if (!membership) return new Set(NON_MEMBER_TEAM_PERMISSIONS);
    const base = membership.customRole?.inheritsFrom ?? membership.role;
    const added = membership.customRole?.permissions ?? [];
    const granted = new Set([...TEAM_ROLE_PERMISSIONS[base], ...added]);
    if (base === TeamRole.MEMBER && team.settings.membersCanInvite) granted.add(TeamPermission.INVITE_MEMBER);
    if (orgMembership.role === OrgRole.VIEWER) {
      // Read-only, except what an admin explicitly added through a VIEW_ONLY-based custom role.
      const cap = new Set([
        ...TEAM_ROLE_PERMISSIONS[ORG_VIEWER_TEAM_ROLE],
        ...(base === ORG_VIEWER_TEAM_ROLE ? added : []),
      ]);
      for (const p of granted) if (!cap.has(p)) granted.delete(p);
    }
    return granted;
  }

  async canTeam(team: TeamFacts, org: Organization, permission: TeamPermission): Promise<boolean> {
    return (await this.teamPermissions(team, org)).has(permission);
  }

  /** NOT_FOUND when the caller may not see the team, FORBIDDEN when they see it but lack the permission. */
  async requireTeam(
    team: TeamFacts,
    org: Organization,
    permission: TeamPermission,
    lookups: { org?: MembershipLookup; team?: TeamMembershipLookup } = {},
  ): Promise<ReadonlySet<TeamPermission>> {
    this.requireAuthenticated();
    const granted = await this.teamPermissions(team, org, lookups);
    if (!granted.has(TeamPermission.VIEW))
      throw notFound(`No team named "${team.name}" is visible to you in "${org.name}".`);
    if (!granted.has(permission)) {
      throw forbidden(`Your role in team "${team.name}" does not allow this (needs ${permission}); ask a team admin.`);
    }
    return granted;
  }

  /**
   * `Team.usage` (member counts by role, project, run and report counts, active members): whoever may list the
   * team's members (member:read on the team). Counts include private and restricted projects: numbers, no content.
   */
  async seesTeamUsage(team: TeamFacts, org: Organization): Promise<boolean> {
    return this.canTeam(team, org, TeamPermission.READ_MEMBERS);
  }

  /** `Team.warnings`: those who can act on them, i.e. who manage the team's members (team admins, org admins). */
  async seesTeamWarnings(team: TeamFacts, org: Organization): Promise<boolean> {
    return this.canTeam(team, org, TeamPermission.MANAGE_MEMBERS);
  }

  // ---- projects and reports inside a team the caller sees (docs/AUTHZ.md, "Projects and reports") -------------

  /**
   * Which projects of a team the caller sees, given their team permissions: all with `team:read`, PUBLIC ones with
   * `team:view` alone.
   */
  static projectScope(granted: ReadonlySet<TeamPermission>, onTeam: boolean): ContentScope {
    if (granted.has(TeamPermission.READ)) return onTeam ? 'ALL' : 'UNRESTRICTED';
    return granted.has(TeamPermission.VIEW) ? 'PUBLIC' : 'NONE';
  }

  /**
   * Which reports of a team the caller sees: all with `team:read`; with `team:view` alone, reports of PUBLIC projects
   * when the team allows public reports.
   */
  static reportScope(
    granted: ReadonlySet<TeamPermission>,
    team: { settings: { publicReportsAllowed: boolean } },
    onTeam: boolean,
  ): ContentScope {
    if (granted.has(TeamPermission.READ)) return onTeam ? 'ALL' : 'UNRESTRICTED';
    return granted.has(TeamPermission.VIEW) && team.settings.publicReportsAllowed ? 'PUBLIC' : 'NONE';
  }

  /**
   * One project or report under a scope: `public` is whether its project is PUBLIC (false for a report without
   * project).
   */
  static inScope(scope: ContentScope, item: { public: boolean; restricted: boolean }): boolean {
    if (scope === 'ALL') return true;
    if (scope === 'UNRESTRICTED') return !item.restricted;
    return scope === 'PUBLIC' && item.public;
  }

  /**
   * Whether the caller is on the team itself, which RESTRICTED projects require: a team membership row (a person
   * explicitly added), or the team's own service account. Holding every permission (org and instance admins) or
   * reaching every team (organization service accounts) is not being on it.
   */
  async isOnTeam(team: { id: string }): Promise<boolean> {
    if (this.principal.kind === 'service_account') return this.principal.serviceAccount.team?.id === team.id;
    return (await this.teamMembership(team.id)) !== null;
  }

  /** Which team roles the caller may grant, given their permissions on the team. */
  static grantableTeamRoles(granted: ReadonlySet<TeamPermission>): ReadonlySet<TeamRole> {
    if (granted.has(TeamPermission.MANAGE_MEMBERS)) return PERSON_TEAM_ROLES;
    if (granted.has(TeamPermission.INVITE_MEMBER)) return ROLES_GRANTABLE_BY_INVITING_MEMBERS;
    return new Set();
  }

  /**
   * Whether the caller may grant a custom role: it carries permissions beyond its base role, so only those who manage
   * the team's members (TeamPermission.MANAGE_MEMBERS) may, even where members may invite.
   */
  static grantsCustomRoles(granted: ReadonlySet<TeamPermission>): boolean {
    return granted.has(TeamPermission.MANAGE_MEMBERS);
  }

  /** The team role someone gets when none is named: MEMBER, or VIEW_ONLY for an organization viewer. */
  static defaultTeamRole(orgRole: OrgRole): TeamRole {
    return Authz.teamRolesForOrgRole(orgRole).has(TeamRole.MEMBER) ? TeamRole.MEMBER : ORG_VIEWER_TEAM_ROLE;
  }

  /** The team roles a person with this organization role may hold. */
  static teamRolesForOrgRole(role: OrgRole): ReadonlySet<TeamRole> {
    return role === OrgRole.VIEWER ? new Set([ORG_VIEWER_TEAM_ROLE]) : PERSON_TEAM_ROLES;
  }
}
