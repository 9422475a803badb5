import { LockMode, ref, UniqueConstraintViolationException } from '@mikro-orm/core';
import { UNIQUE_CONSTRAINTS, violatedConstraint } from '../../db/unique-violation';
import type { EntityManager } from '@mikro-orm/postgresql';
import { User } from '../accounts/user.entity';
import { Organization } from '../organizations/organization.entity';
import { Membership } from '../organizations/membership.entity';
import { Team } from '../teams/team.entity';
import { TeamMembership } from '../teams/team-membership.entity';
import { teamNameSchema } from '../teams/team.service';
import { MemberService } from '../members/member.service';
import { teamsLeftWithoutAdmin } from '../teams/team-admins';
import { Invitation, InvitationStatus } from '../invitations/invitation.entity';
import { revokePendingInvitation } from '../invitations/invitation.service';
import { assertNotLastAdmin, assertSeatAvailable, lockOrganization } from '../organizations/invariants';
import { uniqueUsername, usernameBase } from '../sso/sso-sign-in.service';
import { AuditAction, recordAudit, recordAudits, type AuditInput } from '../audit/audit.service';
import { ANONYMOUS } from '../../auth/principal';
import { Authz } from '../../authz/policy';
import { isEffectiveTeamAdmin } from '../../authz/team-admins';
import { SEAT_ROLES } from '../../authz/permissions';
import { MemberStatus, OrgRole } from '../../authz/roles';
import { PERSON_TEAM_ROLES, TEAM_ADMIN_ROLE, type TeamRole } from '../../authz/team-permissions';
import { AppError, ErrorCode } from '../../errors';
import { emailSchema, personNameSchema, usernameSchema } from '../../validation';
import { isStorableText } from '../../graphql/input-hygiene';
import { ScimToken } from './scim-token.entity';
import { ScimGroup, ScimUser } from './scim-resource.entity';
import { ScimError, invalidValue, scimNotFound, uniqueness } from './scim-errors';
import { parseFilter } from './scim-filter';
import { USER_DISPLAY_NAME_SQL, filterSql, sortColumn, type SqlFragment } from './scim-sql';
import {
  groupResource,
  project,
  userResource,
  versionOf,
  wants,
  type GroupRow,
  type Projection,
  type Resource,
  type UserRow,
} from './scim-representation';
import {
  emailFromEmails,
  orgRoleOf,
  parsePatchOp,
  namedMembers,
  patchGroup,
  patchUser,
  scimBoolean,
  teamRolesOf,
  type GroupState,
  type TeamRoleEntry,
  type UserState,
} from './scim-patch';
import {
  DEFAULT_COUNT,
  GROUP_SCHEMA,
  LIST_RESPONSE_SCHEMA,
  MAX_PATCH_MEMBERS,
  MAX_RESULTS,
  ROSTER_USER_SCHEMA,
  SCIM_ID,
  USER_SCHEMA,
  type ResourceKind,
} from './scim-schema';

/** Who is provisioning: the token (its organization), the IdP's request id, where the request came from. */
export interface ScimContext {
  em: EntityManager;
  organizationId: string;
  token: ScimToken;
  /** The base URL of this organization's SCIM service (`…/scim/v2`), for `location` and `$ref`. */
  base: string;
  /** The identity provider's request id (X-Request-Id, client-request-id), recorded in audit events. */
  idpRequestId: string | null;
  clientAddress: string | null;
}

export interface ListQuery {
  filter?: unknown;
  startIndex?: unknown;
  count?: unknown;
  sortBy?: unknown;
  sortOrder?: unknown;
}

const SCIM_STATUSES = [MemberStatus.ACTIVE, MemberStatus.DEACTIVATED];
/** statement_timeout of a list query (docs/SCIM.md "Limits"): past it PostgreSQL cancels it, answered 503. */
export const LIST_STATEMENT_TIMEOUT_MS = 10_000;

const USER_SELECT = `select u.id, u.email, u.username, ${USER_DISPLAY_NAME_SQL} as name, m.role, m.status, m.created_at,
  greatest(m.updated_at, su.updated_at) as last_modified, su.external_id, su.user_name, su.given_name, su.family_name`;
const USER_TEAMS = `(select coalesce(json_agg(json_build_object('id', ft.id, 'name', ft.name, 'role', ftm.role)
  order by ft.name, ft.id), '[]'::json) from team_memberships ftm join teams ft on ft.id = ftm.team_id
  where ftm.user_id = u.id and ft.organization_id = m.organization_id) as teams`;
const USER_FROM = `from org_memberships m join users u on u.id = m.user_id
  left join scim_users su on su.organization_id = m.organization_id and su.user_id = m.user_id
  where m.organization_id = ? and m.status in ('${MemberStatus.ACTIVE}', '${MemberStatus.DEACTIVATED}')`;
// The members' ids hashed in SQL: the group's version without reading (or sending) the member list.
const GROUP_SELECT = `select t.id, t.name, t.created_at, greatest(t.created_at, sg.updated_at) as last_modified,
  sg.external_id, (select md5(coalesce(string_agg(vtm.user_id::text, ',' order by vtm.user_id), ''))
    from team_memberships vtm join org_memberships vm on vm.user_id = vtm.user_id
      and vm.organization_id = t.organization_id
      and vm.status in ('${MemberStatus.ACTIVE}', '${MemberStatus.DEACTIVATED}')
    where vtm.team_id = t.id) as members_hash`;
const GROUP_MEMBERS = `(select coalesce(json_agg(json_build_object('id', fu.id, 'display', coalesce(fsu.user_name,
  fu.email)) order by fu.id), '[]'::json) from team_memberships ftm
  join org_memberships fm on fm.user_id = ftm.user_id and fm.organization_id = t.organization_id
    and fm.status in ('${MemberStatus.ACTIVE}', '${MemberStatus.DEACTIVATED}')
  join users fu on fu.id = ftm.user_id
  left join scim_users fsu on fsu.organization_id = t.organization_id and fsu.user_id = ftm.user_id
  where ftm.team_id = t.id) as members`;
const GROUP_FROM = `from teams t left join scim_groups sg on sg.team_id = t.id where t.organization_id = ?`;

/** SCIM provisioning of one organization (docs/SCIM.md): Users are its members, Groups its teams. */
export class ScimService {
  constructor(private readonly ctx: ScimContext) {}

  private get em(): EntityManager {
    return this.ctx.em;
  }

  /** Every SCIM change is audited with the token as actor and the IdP's request id. */
  private auditInput(input: AuditInput): AuditInput {
    return {
      ...input,
      organizationId: this.ctx.organizationId,
      actor: { type: 'scim_token', id: this.ctx.token.id, label: this.ctx.token.name },
      metadata: {
        ...input.metadata,
        via: 'scim',
        ...(this.ctx.idpRequestId ? { idpRequestId: this.ctx.idpRequestId } : {}),
      },
    };
  }

  private audit(em: EntityManager, input: AuditInput): void {
    recordAudit(em, { principal: ANONYMOUS, clientAddress: this.ctx.clientAddress }, this.auditInput(input));
  }

  private auditMany(em: EntityManager, inputs: AuditInput[]): Promise<void> {
    return recordAudits(
      em,
      { principal: ANONYMOUS, clientAddress: this.ctx.clientAddress },
      inputs.map((i) => this.auditInput(i)),
    );
  }

  // ---- reading ----

  async list(kind: ResourceKind, q: ListQuery, projection: Projection): Promise<Resource> {
    const startIndex = positiveInt(q.startIndex, 'startIndex', 1);
    const count = Math.min(nonNegativeInt(q.count, 'count', DEFAULT_COUNT), MAX_RESULTS);
    let where: SqlFragment = { sql: 'true', bindings: [] };
    if (q.filter !== undefined) {
      if (typeof q.filter !== 'string') throw new ScimError(400, 'Give filter once.', 'invalidFilter');
      where = filterSql(kind, parseFilter(q.filter), this.ctx.organizationId);
    }
    // By id (m.user_id: the unique index on organization and user serves it): a total, stable order for offsets.
    let order = kind === 'User' ? 'm.user_id' : 't.id';
    if (q.sortBy !== undefined) {
      const col = typeof q.sortBy === 'string' ? sortColumn(kind, q.sortBy) : null;
      if (!col) throw invalidValue(`sortBy: "${String(q.sortBy)}" is not a single-valued attribute of ${kind}.`);
      const desc = typeof q.sortOrder === 'string' && q.sortOrder.toLowerCase() === 'descending';
      if (q.sortOrder !== undefined && !desc && String(q.sortOrder).toLowerCase() !== 'ascending')
        throw invalidValue('sortOrder must be "ascending" or "descending".');
      // RFC 7644 §3.4.2.3: missing values sort last ascending, first descending; the id keeps the order total.
      order = `${col} ${desc ? 'desc nulls first' : 'asc nulls last'}, ${order}`;
    }
    const from = kind === 'User' ? USER_FROM : GROUP_FROM;
    // A filter's SQL is bounded (scim-filter.ts), its run time too: a read that takes longer is cancelled.
    return this.em
      .transactional(async (em) => {
        await em.execute(`set local statement_timeout = ${LIST_STATEMENT_TIMEOUT_MS}`);
        return this.listIn(em, kind, { from, where, order, startIndex, count }, projection);
      })
      .catch((err: unknown) => {
        // 57014 query_canceled: the statement timeout.
        if ((err as { code?: unknown }).code === '57014')
          throw new ScimError(
            503,
            `The query took longer than ${LIST_STATEMENT_TIMEOUT_MS / 1000} s: narrow the filter.`,
          );
        throw err;
      });
  }

  private async listIn(
    em: EntityManager,
    kind: ResourceKind,
    q: { from: string; where: SqlFragment; order: string; startIndex: number; count: number },
    projection: Projection,
  ): Promise<Resource> {
    const { from, where, order, startIndex, count } = q;
    const [{ total }] = (await em.execute(`select count(*)::int as total ${from} and (${where.sql})`, [
      this.ctx.organizationId,
      ...where.bindings,
    ])) as [{ total: number }];
    let rows: Array<UserRow | GroupRow> = [];
    if (count > 0) {
      // A user's teams are part of its version, so they are always read; a group's members only when returned
      // (its version hashes the member ids in SQL).
      const select =
        kind === 'User'
          ? `${USER_SELECT}, ${USER_TEAMS}`
          : `${GROUP_SELECT}, ${wants(projection, 'members') ? GROUP_MEMBERS : 'null as members'}`;
      rows = await em.execute(`${select} ${from} and (${where.sql}) order by ${order} limit ? offset ?`, [
        this.ctx.organizationId,
        ...where.bindings,
        count,
        startIndex - 1,
      ]);
    }
    const resources = rows.map((r) =>
      project(
        kind === 'User' ? userResource(r as UserRow, this.ctx.base) : groupResource(r as GroupRow, this.ctx.base),
        projection,
      ),
    );
    return {
      schemas: [LIST_RESPONSE_SCHEMA],
      totalResults: total,
      startIndex,
      itemsPerPage: resources.length,
      Resources: resources,
    };
  }

  async getUser(id: string, em: EntityManager = this.em): Promise<Resource> {
    const row = await this.userRow(em, id);
    if (!row) throw scimNotFound(`No User with id "${id}" in this organization.`);
    return userResource(row, this.ctx.base);
  }

  async getGroup(id: string, em: EntityManager = this.em, withMembers = true): Promise<Resource> {
    const row = await this.groupRow(em, id, withMembers);
    if (!row) throw scimNotFound(`No Group with id "${id}" in this organization.`);
    return groupResource(row, this.ctx.base);
  }

  private async userRow(em: EntityManager, id: string): Promise<UserRow | null> {
    if (!SCIM_ID.test(id)) return null;
    const [row] = (await em.execute(`${USER_SELECT}, ${USER_TEAMS} ${USER_FROM} and u.id = ?`, [
      this.ctx.organizationId,
      id,
    ])) as UserRow[];
    return row ?? null;
  }

  private async groupRow(em: EntityManager, id: string, withMembers: boolean): Promise<GroupRow | null> {
    if (!SCIM_ID.test(id)) return null;
    const [row] = (await em.execute(
      `${GROUP_SELECT}, ${withMembers ? GROUP_MEMBERS : 'null as members'} ${GROUP_FROM} and t.id = ?`,
      [this.ctx.organizationId, id],
    )) as GroupRow[];
    return row ?? null;
  }

  // ---- Users ----

  /**
   * POST /Users (RFC 7644 §3.3): a new member. An existing account with the email is linked (the email is the
   * identity both sides agree on; a username alone could name someone else), otherwise an account is created.
   */
  async createUser(body: unknown): Promise<Resource> {
    const input = userInput(body, null);
    return this.write(async (em, org) => {
      const email = input.email;
      const byUsername = !input.userName.includes('@') ? input.userName.trim().toLowerCase() : null;
      let user = await em.findOne(User, { email });
      if (user) {
        // A row left from an earlier provisioning whose membership was removed since (by hand): start over.
        await em.nativeDelete(ScimUser, { organization: org.id, user: user.id });
        const existing = await em.findOne(Membership, { organization: org.id, user: user.id });
        if (existing && SCIM_STATUSES.includes(existing.status))
          throw uniqueness(
            `"${input.userName}" is already a member of this organization (User id ${user.id}): GET /Users?filter=` +
              `userName eq "${input.userName}" finds it.`,
          );
      }
      await assertUserNameFree(em, org.id, input.userName, user?.id ?? null);
      // A pending invitation for the address: provisioning supersedes it (its seat is given back first).
      // At most one (invitations_one_pending_per_email).
      const pending = await em.find(Invitation, { organization: org.id, email, status: InvitationStatus.PENDING });
      for (const invitation of pending) {
        await revokePendingInvitation(em, invitation);
        this.audit(em, {
          action: AuditAction.INVITATION_REVOKED,
          target: { type: 'invitation', id: invitation.id, label: invitation.email },
          metadata: { reason: 'superseded by SCIM provisioning' },
        });
      }
      if (pending.length) await em.flush();
      if (input.active && SEAT_ROLES.has(input.role)) await assertSeatAvailable(em, org);
      const createdAccount = !user;
      if (!user) {
        const base =
          byUsername && usernameSchema.safeParse(byUsername).data === byUsername
            ? byUsername
            : usernameBase({ email, username: null, name: input.name });
        user = em.create(User, {
          email,
          username: await uniqueUsername(em, base),
          name: input.name,
        });
      }
      const membership = em.create(Membership, {
        organization: ref(org),
        user: ref(user),
        role: input.role,
        status: input.active ? MemberStatus.ACTIVE : MemberStatus.DEACTIVATED,
      });
      em.create(ScimUser, {
        organization: ref(org),
        user: ref(user),
        externalId: input.externalId,
        userName: input.userName,
        displayName: input.name,
        givenName: input.givenName,
        familyName: input.familyName,
        createdAccount,
      });
      this.audit(em, {
        action: AuditAction.SCIM_USER_PROVISIONED,
        target: { type: 'user', id: user.id, label: user.username },
        metadata: {
          role: membership.role,
          status: membership.status,
          createdAccount,
          externalId: input.externalId,
        },
      });
      await flushUnique(em);
      await this.applyTeamRoles(em, org, user, membership.role, input.teamRoles);
      return this.getUser(user.id, em);
    });
  }

  /** PUT /Users/{id} (RFC 7644 §3.5.1). Omitted `active` and organization role are left as they are. */
  async replaceUser(id: string, body: unknown, ifMatch: string | undefined): Promise<Resource> {
    return this.write(async (em, org) => {
      const current = await this.lockedUser(em, id, ifMatch);
      const desired = userInput(body, current.state);
      await this.applyUser(em, org, current, desired);
      return this.getUser(id, em);
    });
  }

  /** PATCH /Users/{id} (RFC 7644 §3.5.2). */
  async patchUser(id: string, body: unknown, ifMatch: string | undefined): Promise<Resource> {
    const ops = parsePatchOp(body);
    return this.write(async (em, org) => {
      const current = await this.lockedUser(em, id, ifMatch);
      const desired = patchUser(current.state, ops);
      await this.applyUser(em, org, current, normalizeUserState(desired));
      return this.getUser(id, em);
    });
  }

  /** DELETE /Users/{id}: removes the member from the organization; the account, its runs and reports stay. */
  async deleteUser(id: string, ifMatch: string | undefined): Promise<void> {
    await this.write(async (em, org) => {
      const { membership, user } = await this.lockedUser(em, id, ifMatch);
      await assertNotLastAdmin(em, org, membership);
      // Leaving the organization leaves its teams: not when that takes a team's last effective admin (a deactivated
      // member is none, so the usual deactivate-then-delete of an identity provider goes through).
      const teams: Array<{ id: string; name: string }> = await em.execute(
        `select t.id, t.name from teams t where t.organization_id = ? and exists (select 1 from team_memberships tm
          where tm.team_id = t.id and tm.user_id = ?) order by t.id for update`,
        [org.id, user.id],
      );
      const orphaned = await teamsLeftWithoutAdmin(em, org.id, teams, user.id);
      if (orphaned.length) {
        throw new ScimError(
          409,
          `LAST_ADMIN: ${user.username} is the last admin of team ${orphaned.map((t) => `"${t.name}"`).join(', ')}; ` +
            'make someone else ADMIN there first, or deactivate the user (active: false) instead. Nothing was changed.',
          undefined,
          ErrorCode.LAST_ADMIN,
        );
      }
      await MemberService.removeMembership(em, org, membership, user, false, (e) => this.audit(em, e));
      await em.nativeDelete(ScimUser, { organization: org.id, user: user.id });
    });
  }

  private async lockedUser(
    em: EntityManager,
    id: string,
    ifMatch: string | undefined,
  ): Promise<{ membership: Membership; user: User; scim: ScimUser | null; state: UserState }> {
    const row = await this.userRow(em, id);
    if (!row) throw scimNotFound(`No User with id "${id}" in this organization.`);
    checkIfMatch(ifMatch, userResource(row, this.ctx.base));
    const membership = await em.findOneOrFail(
      Membership,
      { organization: this.ctx.organizationId, user: id },
      { refresh: true },
    );
    const user = await em.findOneOrFail(User, { id }, { refresh: true });
    const scim = await em.findOne(ScimUser, { organization: this.ctx.organizationId, user: id }, { refresh: true });
    return {
      membership,
      user,
      scim,
      state: {
        userName: row.user_name ?? row.email,
        externalId: row.external_id,
        name: row.name,
        givenName: row.given_name,
        familyName: row.family_name,
        email: row.email,
        active: row.status === MemberStatus.ACTIVE,
        role: row.role as OrgRole,
        teamRoles: null,
      },
    };
  }

  /**
   * Brings a member to the desired state, each change under the organization's rules (the last active admin, seats,
   * team admins), each audited; nothing when nothing differs (the same PUT twice is one change).
   */
  private async applyUser(
    em: EntityManager,
    org: Organization,
    current: { membership: Membership; user: User; scim: ScimUser | null; state: UserState },
    desired: UserState,
  ): Promise<void> {
    const { membership, user, state } = current;
    const target = { type: 'user', id: user.id, label: user.username };
    const changed: string[] = [];
    // Account fields only for an account SCIM created for this organization and that belongs to no other one:
    // another organization's member (or an instance admin) is not this identity provider's to rename.
    // (Asked only when the request changes one of them: most pushes change neither.)
    const owned =
      (desired.email !== state.email || desired.name !== state.name) &&
      current.scim?.createdAccount === true &&
      !user.instanceAdmin &&
      (await em.count(Membership, { user: user.id, organization: { $ne: org.id } })) === 0;
    if (owned && desired.email !== state.email) {
      // The same answer whoever holds the address: which emails have accounts is not this organization's to learn.
      if (await em.count(User, { email: desired.email, id: { $ne: user.id } }))
        throw uniqueness('This email cannot be given to this user; use another.');
      user.email = desired.email;
      changed.push('email');
    }
    if (owned && desired.name !== state.name) {
      user.name = desired.name;
      changed.push('name');
    }
    const scimChanges = (
      [
        ['userName', state.userName, desired.userName],
        ['externalId', state.externalId, desired.externalId],
        ['givenName', state.givenName, desired.givenName],
        ['familyName', state.familyName, desired.familyName],
        // An account SCIM does not own keeps its name; SCIM's is shown for it (USER_DISPLAY_NAME_SQL).
        ['displayName', state.name, current.scim?.createdAccount === true ? state.name : desired.name],
      ] as const
    ).filter(([, from, to]) => from !== to);
    if (desired.userName !== state.userName) await assertUserNameFree(em, org.id, desired.userName, user.id);
    if (changed.length || scimChanges.length) {
      // A member added in Roster gets its SCIM row with the first change SCIM makes.
      const scim =
        current.scim ??
        em.create(ScimUser, {
          organization: ref(org),
          user: ref(user),
          userName: state.userName,
          displayName: state.name,
          createdAccount: false,
        });
      for (const [field, , to] of scimChanges) {
        if (field === 'userName') scim.userName = to;
        else scim[field] = to;
        changed.push(field);
      }
      scim.updatedAt = new Date();
      this.audit(em, {
        action: AuditAction.SCIM_USER_UPDATED,
        target,
        metadata: { changed, accountFieldsKept: !owned },
      });
      await flushUnique(em);
    }
    // The members module's rules, the same as updateMemberRole, deactivateMember and reactivateMember apply.
    // Deactivating: the status first, so that a role change of the same request needs no seat; activating: the role
    // first, so that the seat is checked for the role the member ends up with.
    const audit = (e: AuditInput) => this.audit(em, e);
    const role = async () => {
      if (await MemberService.changeRole(em, org, membership, user, desired.role, audit)) await em.flush();
    };
    const status = async () => {
      const to = desired.active ? MemberStatus.ACTIVE : MemberStatus.DEACTIVATED;
      if (await MemberService.setStatus(em, org, membership, user, to, audit)) await em.flush();
    };
    if (desired.active) {
      await role();
      await status();
    } else {
      await status();
      await role();
    }
    await this.applyTeamRoles(em, org, user, membership.role, desired.teamRoles);
  }

  /**
   * The extension's `teamRoles`: the role in each listed team, joining it (IdP-managed) when not in it yet. The same
   * rules as updateTeamMemberRole: person roles only, at most VIEW_ONLY for an organization VIEWER, never the team's
   * last effective admin demoted. Teams are row-locked in id order, like every multi-team change.
   */
  private async applyTeamRoles(
    em: EntityManager,
    org: Organization,
    user: User,
    orgRole: OrgRole,
    entries: TeamRoleEntry[] | null,
  ): Promise<void> {
    if (!entries || entries.length === 0) return;
    const ids = entries.filter((e) => !e.byName).map((e) => e.team);
    const bad = ids.find((id) => !SCIM_ID.test(id));
    if (bad) throw invalidValue(`teamRoles: "${bad}" is not the id of a Group of this organization.`);
    const names = entries.filter((e) => e.byName).map((e) => e.team.trim().toLowerCase());
    const teams: Array<{ id: string; name: string }> = await em.execute(
      'select id, name from teams where organization_id = ? and (id::text in (?) or name in (?)) ' +
        'order by id for update',
      [org.id, ids.length ? ids : [''], names.length ? names : ['']],
    );
    const wanted = new Map<string, { team: { id: string; name: string }; role: TeamRole }>();
    for (const e of entries) {
      const team = teams.find((t) => (e.byName ? t.name === e.team.trim().toLowerCase() : t.id === e.team));
      if (!team) throw invalidValue(`teamRoles: this organization has no Group (team) "${e.team}".`);
      const role = e.role as TeamRole;
      if (!PERSON_TEAM_ROLES.has(role))
        throw invalidValue(`teamRoles: "${e.role}" is not a team role (ADMIN, MEMBER or VIEW_ONLY).`);
      if (!Authz.teamRolesForOrgRole(orgRole).has(role))
        throw invalidValue(
          `teamRoles: an organization ${orgRole} can only be ` +
            `${[...Authz.teamRolesForOrgRole(orgRole)].join(' or ')} in a team, not ${role} in "${team.name}".`,
        );
      wanted.set(team.id, { team, role });
    }
    const current = await em.find(
      TeamMembership,
      { user: user.id, team: { $in: [...wanted.keys()] } },
      { refresh: true },
    );
    const byTeam = new Map(current.map((tm) => [tm.team.id, tm]));
    const demoted = [...wanted.values()]
      .filter((w) => byTeam.get(w.team.id)?.role === TEAM_ADMIN_ROLE && w.role !== TEAM_ADMIN_ROLE)
      .map((w) => w.team);
    const orphaned = await teamsLeftWithoutAdmin(em, org.id, demoted, user.id);
    if (orphaned.length)
      throw new ScimError(
        409,
        `LAST_ADMIN: ${user.username} is the last admin of team ${orphaned.map((t) => `"${t.name}"`).join(', ')}; ` +
          'make someone else ADMIN there first. Nothing was changed.',
        undefined,
        ErrorCode.LAST_ADMIN,
      );
    const target = { type: 'user', id: user.id, label: user.username };
    for (const { team, role } of wanted.values()) {
      const tm = byTeam.get(team.id);
      if (!tm) {
        em.create(TeamMembership, {
          team: ref(em.getReference(Team, team.id)),
          user: ref(user),
          role,
          managedByIdp: true,
          scimToken: ref(em.getReference(ScimToken, this.ctx.token.id)),
          addedById: null,
        });
        this.audit(em, {
          action: AuditAction.TEAM_MEMBER_ADDED,
          target,
          metadata: { team: team.name, role, managedByIdp: true },
        });
      } else if (tm.role !== role) {
        const from = tm.role;
        tm.role = role;
        tm.customRole = null;
        this.audit(em, {
          action: AuditAction.TEAM_MEMBER_ROLE_CHANGED,
          target,
          metadata: { team: team.name, from, to: role, customRole: null },
        });
      } else continue;
      await em.execute(
        `insert into scim_groups (team_id, organization_id, updated_at) values (?, ?, now())
         on conflict (team_id) do update set updated_at = now()`,
        [team.id, org.id],
      );
    }
    await em.flush();
  }

  // ---- Groups ----

  async createGroup(body: unknown): Promise<Resource> {
    const input = groupInput(body);
    return this.write(async (em, org) => {
      if (await em.count(Team, { organization: org.id, name: input.displayName }))
        throw uniqueness(
          `A Group (team) named "${input.displayName}" already exists: GET /Groups?filter=displayName eq ` +
            `"${input.displayName}".`,
        );
      const team = em.create(Team, { organization: ref(org), name: input.displayName, createdById: null });
      em.create(ScimGroup, { team: ref(team), organization: ref(org), externalId: input.externalId });
      this.audit(em, {
        action: AuditAction.TEAM_CREATED,
        target: { type: 'team', id: team.id, label: team.name },
        metadata: { storage: 'MANAGED', externalId: input.externalId },
      });
      await flushUnique(em);
      await this.changeMembers(em, org, team, new Set(), new Set(input.members ?? []));
      return this.getGroup(team.id, em);
    });
  }

  async replaceGroup(id: string, body: unknown, ifMatch: string | undefined): Promise<Resource> {
    const input = groupInput(body);
    return this.write(async (em, org) => {
      const current = await this.lockedGroup(em, id, ifMatch);
      await this.applyGroup(em, org, current, {
        displayName: input.displayName,
        externalId: input.externalId,
        members:
          input.members === null ? current.state.members : new Map(input.members.map((m) => [m, { display: '' }])),
      });
      return this.getGroup(id, em);
    });
  }

  async patchGroup(id: string, body: unknown, ifMatch: string | undefined, withMembers: boolean): Promise<Resource> {
    const ops = parsePatchOp(body);
    // Adding or removing named members needs only their rows: a PATCH of a large group reads no more than it changes.
    const only = ifMatch === undefined ? namedMembers(ops) : null;
    return this.write(async (em, org) => {
      const current = await this.lockedGroup(em, id, ifMatch, only);
      const desired = patchGroup(current.state, ops);
      desired.displayName = teamName(desired.displayName);
      await this.applyGroup(em, org, current, desired);
      return this.getGroup(id, em, withMembers);
    });
  }

  async deleteGroup(id: string, ifMatch: string | undefined): Promise<void> {
    await this.write(async (em) => {
      const { team } = await this.lockedGroup(em, id, ifMatch);
      // Deleting a team deletes its projects, runs and reports: an identity provider unlinking a group must not.
      const [{ n }] = (await em.execute('select count(*)::int as n from projects where team_id = ?', [team.id])) as [
        { n: number },
      ];
      if (n > 0) {
        throw new ScimError(
          409,
          `Team "${team.name}" has ${n} project(s): deleting it would delete them with their runs and reports, so ` +
            'SCIM does not. Remove its members instead, or delete the team in Roster (deleteTeam). Nothing was ' +
            'changed.',
        );
      }
      await em.nativeDelete(Team, { id: team.id });
      this.audit(em, { action: AuditAction.TEAM_DELETED, target: { type: 'team', id: team.id, label: team.name } });
    });
  }

  /** The team row-locked (concurrent PATCHes of one group take turns, so none loses a member), and its state. */
  private async lockedGroup(
    em: EntityManager,
    id: string,
    ifMatch: string | undefined,
    /** Load only these of the members (their current membership), not the whole list. */
    only: readonly string[] | null = null,
  ): Promise<{ team: Team; scim: ScimGroup | null; state: GroupState }> {
    if (!SCIM_ID.test(id)) throw scimNotFound(`No Group with id "${id}" in this organization.`);
    const team = await em.findOne(
      Team,
      { id, organization: this.ctx.organizationId },
      { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
    );
    if (!team) throw scimNotFound(`No Group with id "${id}" in this organization.`);
    const row = (await this.groupRow(em, id, only === null))!;
    checkIfMatch(ifMatch, groupResource(row, this.ctx.base));
    const scim = await em.findOne(ScimGroup, { team: id }, { refresh: true });
    const members =
      only === null
        ? (row.members ?? [])
        : ((await em.execute(
            // One array parameter, however many ids (namedMembers: at most MAX_PATCH_MEMBERS, each a uuid).
            `select ftm.user_id as id, '' as display from team_memberships ftm where ftm.team_id = ? and ` +
              'ftm.user_id = any(?::uuid[])',
            [id, `{${only.join(',')}}`],
          )) as Array<{ id: string; display: string }>);
    return {
      team,
      scim,
      state: {
        displayName: row.name,
        externalId: row.external_id,
        members: new Map(members.map((m) => [m.id, { display: m.display }])),
      },
    };
  }

  private async applyGroup(
    em: EntityManager,
    org: Organization,
    current: { team: Team; scim: ScimGroup | null; state: GroupState },
    desired: GroupState,
  ): Promise<void> {
    const { team, state } = current;
    const name = teamName(desired.displayName);
    let touched = false;
    if (name !== team.name) {
      if (await em.count(Team, { organization: org.id, name, id: { $ne: team.id } }))
        throw uniqueness(`A Group (team) named "${name}" already exists.`);
      this.audit(em, {
        action: AuditAction.TEAM_RENAMED,
        target: { type: 'team', id: team.id, label: name },
        metadata: { from: team.name, to: name },
      });
      team.name = name;
      touched = true;
    }
    if (desired.externalId !== state.externalId) {
      const scim = current.scim ?? em.create(ScimGroup, { team: ref(team), organization: ref(org) });
      scim.externalId = desired.externalId;
      this.audit(em, {
        action: AuditAction.TEAM_UPDATED,
        target: { type: 'team', id: team.id, label: team.name },
        metadata: { externalId: { from: state.externalId, to: desired.externalId } },
      });
      touched = true;
    }
    if (touched) await flushUnique(em);
    const before = new Set(state.members.keys());
    const after = new Set(desired.members.keys());
    const membersChanged = await this.changeMembers(em, org, team, before, after);
    if (touched || membersChanged) {
      await em.execute(
        `insert into scim_groups (team_id, organization_id, updated_at) values (?, ?, now())
         on conflict (team_id) do update set updated_at = now()`,
        [team.id, org.id],
      );
    }
  }

  /**
   * Adds and removes team members (ids of the organization's SCIM users). Added memberships are IdP-managed
   * (`managedByIdp`, with this token). A removal that would leave the team without an effective admin is refused.
   */
  private async changeMembers(
    em: EntityManager,
    org: Organization,
    team: Team,
    before: ReadonlySet<string>,
    after: ReadonlySet<string>,
  ): Promise<boolean> {
    const add = [...after].filter((id) => !before.has(id));
    const remove = [...before].filter((id) => !after.has(id));
    if (add.length === 0 && remove.length === 0) return false;
    const bad = add.find((id) => !SCIM_ID.test(id));
    if (bad) throw invalidValue(`members: "${bad}" is not the id of a User of this organization.`);
    const memberships = add.length
      ? await em.find(
          Membership,
          { organization: org.id, user: { $in: add }, status: { $in: SCIM_STATUSES } },
          { populate: ['user'] },
        )
      : [];
    if (memberships.length !== add.length) {
      const found = new Set(memberships.map((m) => m.user!.id));
      throw invalidValue(
        `members: "${add.find((id) => !found.has(id))}" is not the id of a User of this organization.`,
      );
    }
    const audits: AuditInput[] = [];
    if (remove.length) {
      const admins: Array<{ user_id: string; team_role: TeamRole; org_role: OrgRole; org_status: MemberStatus }> =
        await em.execute(
          `select tm.user_id, tm.role as team_role, m.role as org_role, m.status as org_status
             from team_memberships tm join org_memberships m on m.user_id = tm.user_id and m.organization_id = ?
            where tm.team_id = ? and tm.role = 'ADMIN'`,
          [org.id, team.id],
        );
      const effective = admins.filter((a) =>
        isEffectiveTeamAdmin({ teamRole: a.team_role, orgRole: a.org_role, orgStatus: a.org_status }),
      );
      const removed = new Set(remove);
      if (effective.length > 0 && effective.every((a) => removed.has(a.user_id))) {
        throw new ScimError(
          409,
          `LAST_ADMIN: team "${team.name}" must keep an admin, and this change removes its last one. Add another ` +
            'team admin in Roster first (or keep this person in the group). Nothing was changed.',
          undefined,
          ErrorCode.LAST_ADMIN,
        );
      }
      const gone = await em.find(TeamMembership, { team: team.id, user: { $in: remove } }, { populate: ['user'] });
      for (const tm of gone) {
        const u = tm.user.getEntity();
        audits.push({
          action: AuditAction.TEAM_MEMBER_REMOVED,
          target: { type: 'user', id: u.id, label: u.username },
          metadata: { team: team.name, role: tm.role },
        });
      }
      await em.nativeDelete(TeamMembership, { team: team.id, user: { $in: remove } });
    }
    for (const m of memberships) {
      const role = Authz.defaultTeamRole(m.role);
      const u = m.user!.getEntity();
      em.create(TeamMembership, {
        team: ref(team),
        user: ref(u),
        role,
        managedByIdp: true,
        scimToken: ref(em.getReference(ScimToken, this.ctx.token.id)),
        addedById: null,
      });
      audits.push({
        action: AuditAction.TEAM_MEMBER_ADDED,
        target: { type: 'user', id: u.id, label: u.username },
        metadata: { team: team.name, role, managedByIdp: true },
      });
    }
    await em.flush();
    await this.auditMany(em, audits);
    return true;
  }

  /** One transaction with the organization locked: seat, last-admin and team rules see committed counts. */
  private async write<T>(fn: (em: EntityManager, org: Organization) => Promise<T>): Promise<T> {
    return this.em
      .transactional(async (em) => {
        const org = await lockOrganization(em, this.ctx.organizationId);
        return fn(em, org);
      })
      .catch(rethrowScim);
  }
}

/** Roster's invariant errors as SCIM errors a person reading the IdP's log understands. */
function rethrowScim(err: unknown): never {
  if (err instanceof UniqueConstraintViolationException) {
    const name = violatedConstraint(err);
    // A race on an address another organization's account holds gets the answer applyUser gives without a race:
    // which emails have accounts is not this organization's to learn.
    if (name === 'users_email_unique') throw uniqueness('This email cannot be given to this user; use another.');
    const meaning = name ? UNIQUE_CONSTRAINTS[name] : undefined;
    throw uniqueness(meaning?.message ?? 'A value is already taken; retry the request.');
  }
  if (err instanceof AppError) {
    if (err.code === ErrorCode.LAST_ADMIN || err.code === ErrorCode.SEAT_LIMIT_REACHED)
      throw new ScimError(409, `${err.code}: ${err.message} Nothing was changed.`, undefined, err.code);
    if (err.code === ErrorCode.CONFLICT) throw new ScimError(409, err.message, 'uniqueness', err.code);
    if (err.code === ErrorCode.BAD_USER_INPUT) throw new ScimError(400, err.message, 'invalidValue', err.code);
  }
  throw err;
}

/**
 * userName is unique in the organization, case-insensitively (RFC 7643 §4.1.1, uniqueness "server"): among its
 * members' userNames, a member added in Roster's being its email (as the representation shows it). Checked under the
 * organization's lock; the unique index scim_users_user_name_unique backs it. A row left by a membership removed by
 * hand is ignored everywhere and does not hold its userName: it is deleted.
 */
async function assertUserNameFree(
  em: EntityManager,
  organizationId: string,
  userName: string,
  self: string | null,
): Promise<void> {
  const other = self ?? '00000000-0000-0000-0000-000000000000';
  const statuses = `('${MemberStatus.ACTIVE}', '${MemberStatus.DEACTIVATED}')`;
  await em.execute(
    `delete from scim_users s where s.organization_id = ? and lower(s.user_name) = lower(?) and s.user_id <> ? and
      not exists (select 1 from org_memberships m where m.organization_id = s.organization_id and
        m.user_id = s.user_id and m.status in ${statuses})`,
    [organizationId, userName, other],
  );
  const taken = await em.execute(
    `select s.user_id from scim_users s join org_memberships m on m.organization_id = s.organization_id and
        m.user_id = s.user_id and m.status in ${statuses}
      where s.organization_id = ? and lower(s.user_name) = lower(?) and s.user_id <> ?
     union all
     select x.id from users x join org_memberships m on m.user_id = x.id and m.organization_id = ? and
        m.status in ${statuses}
      where x.email = lower(?) and x.id <> ? and
        not exists (select 1 from scim_users s2 where s2.organization_id = ? and s2.user_id = x.id)
     limit 1`,
    [organizationId, userName, other, organizationId, userName, other, organizationId],
  );
  if (taken.length)
    throw uniqueness(
      `userName "${userName}" is already taken in this organization (userNames compare case-insensitively): ` +
        `GET /Users?filter=userName eq "${userName}" finds its user.`,
    );
}

/** Flushes, answering a lost unique race (a concurrent request of another organization) as 409 uniqueness. */
async function flushUnique(em: EntityManager): Promise<void> {
  await em.flush().catch(rethrowScim);
}

function checkIfMatch(ifMatch: string | undefined, resource: Resource): void {
  if (ifMatch === undefined) return;
  const current = versionOf(resource);
  const tags = ifMatch.split(',').map((t) => t.trim());
  if (tags.includes('*')) return;
  const weak = (t: string) => t.replace(/^W\//, '');
  if (!tags.some((t) => weak(t) === weak(current)))
    throw new ScimError(412, `The resource changed: its version is ${current}, not ${ifMatch}. GET it again.`);
}

function positiveInt(v: unknown, what: string, dflt: number): number {
  if (v === undefined) return dflt;
  const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : Number.NaN;
  if (!Number.isSafeInteger(n)) throw invalidValue(`${what} must be an integer.`);
  // RFC 7644 §3.4.2.4: a startIndex below 1 is read as 1.
  return Math.max(1, n);
}

function nonNegativeInt(v: unknown, what: string, dflt: number): number {
  if (v === undefined) return dflt;
  const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : Number.NaN;
  if (!Number.isSafeInteger(n)) throw invalidValue(`${what} must be an integer.`);
  // RFC 7644 §3.4.2.4: a negative count is read as 0.
  return Math.max(0, n);
}

function field(o: Record<string, unknown>, name: string): unknown {
  const k = Object.keys(o).find((key) => key.toLowerCase() === name.toLowerCase());
  return k === undefined ? undefined : o[k];
}

const text = (v: unknown, what: string, max: number): string | null => {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw invalidValue(`${what} must be a string.`);
  if (!isStorableText(v)) throw invalidValue(`${what} must not contain NUL bytes or invalid Unicode.`);
  if (v.length > max) throw invalidValue(`${what} must be at most ${max} characters.`);
  return v;
};

/** The user a POST or PUT body describes; `current` fills what a PUT may omit (active, organization role). */
function userInput(body: unknown, current: UserState | null): UserState {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new ScimError(400, 'The body must be a User.', 'invalidSyntax');
  const b = body as Record<string, unknown>;
  const schemas = field(b, 'schemas');
  if (
    !Array.isArray(schemas) ||
    !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === USER_SCHEMA.toLowerCase())
  )
    throw new ScimError(400, `A User must list "${USER_SCHEMA}" in schemas.`, 'invalidSyntax');
  // RFC 7643 §3.1: id (and meta, groups) are the service provider's: what a client sends of them is ignored.
  const userName = text(field(b, 'userName'), 'userName', 254)?.trim();
  if (!userName) throw new ScimError(400, 'userName is required.', 'invalidValue');
  const nameObj = field(b, 'name');
  const n = nameObj && typeof nameObj === 'object' ? (nameObj as Record<string, unknown>) : {};
  const givenName = text(field(n, 'givenName'), 'name.givenName', 100);
  const familyName = text(field(n, 'familyName'), 'name.familyName', 100);
  const display =
    text(field(b, 'displayName'), 'displayName', 100) ??
    text(field(n, 'formatted'), 'name.formatted', 100) ??
    ([givenName, familyName].filter(Boolean).join(' ') || null);
  const emails = field(b, 'emails');
  const email = (emails !== undefined ? emailFromEmails(emails) : null) ?? (userName.includes('@') ? userName : null);
  if (!email)
    throw new ScimError(400, 'A user needs an email: give emails, or a userName that is an email.', 'invalidValue');
  const activeRaw = field(b, 'active');
  const ext = field(b, ROSTER_USER_SCHEMA);
  const roleRaw =
    ext && typeof ext === 'object' ? field(ext as Record<string, unknown>, 'organizationRole') : undefined;
  const teamRolesRaw = ext && typeof ext === 'object' ? field(ext as Record<string, unknown>, 'teamRoles') : undefined;
  const state: UserState = {
    userName,
    // PUT: an omitted externalId is kept (Okta's PUT bodies leave it out); null clears it.
    externalId:
      field(b, 'externalId') === undefined && current
        ? current.externalId
        : text(field(b, 'externalId'), 'externalId', 255),
    name: display ?? current?.name ?? userName.split('@')[0]!,
    givenName,
    familyName,
    email,
    active: activeRaw === undefined ? (current?.active ?? true) : scimBoolean(activeRaw, 'active'),
    role: roleRaw === undefined || roleRaw === null ? (current?.role ?? OrgRole.MEMBER) : orgRoleOf(roleRaw),
    teamRoles: teamRolesRaw === undefined || teamRolesRaw === null ? null : teamRolesOf(teamRolesRaw),
  };
  return normalizeUserState(state);
}

/** Validates a desired user state with Roster's own validators (email, display name). */
function normalizeUserState(s: UserState): UserState {
  for (const [what, v] of [
    ['email', s.email],
    ['displayName', s.name],
  ] as const) {
    if (!isStorableText(v)) throw invalidValue(`${what} must not contain NUL bytes or invalid Unicode.`);
  }
  const email = emailSchema.safeParse(s.email);
  if (!email.success) throw invalidValue(`"${s.email}" is not an email address such as ada@example.com.`);
  const name = personNameSchema.safeParse(s.name);
  if (!name.success) throw invalidValue('The display name (displayName, name.formatted) must be 1 to 100 characters.');
  if (!s.userName.trim() || s.userName.length > 254) throw invalidValue('userName must be 1 to 254 characters.');
  for (const [what, v] of [
    ['userName', s.userName],
    ['externalId', s.externalId],
    ['name.givenName', s.givenName],
    ['name.familyName', s.familyName],
  ] as const) {
    if (v !== null && !isStorableText(v)) throw invalidValue(`${what} must not contain NUL bytes or invalid Unicode.`);
    if (v !== null && v.length > (what === 'externalId' ? 255 : what === 'userName' ? 254 : 100))
      throw invalidValue(`${what} is too long.`);
  }
  return { ...s, email: email.data, name: name.data, userName: s.userName.trim() };
}

/** A team name from a displayName: Roster's team-name rule, refused with the rule when it does not fit. */
function teamName(displayName: string): string {
  const parsed = teamNameSchema.safeParse(displayName);
  if (!parsed.success)
    throw invalidValue(
      `displayName "${displayName}" is not a Roster team name: ${parsed.error.issues[0]?.message ?? 'invalid'} ` +
        '(e.g. "ml-research"). Map the group name to such a value in the identity provider.',
    );
  return parsed.data;
}

function groupInput(body: unknown): { displayName: string; externalId: string | null; members: string[] | null } {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new ScimError(400, 'The body must be a Group.', 'invalidSyntax');
  const b = body as Record<string, unknown>;
  const schemas = field(b, 'schemas');
  if (
    !Array.isArray(schemas) ||
    !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === GROUP_SCHEMA.toLowerCase())
  )
    throw new ScimError(400, `A Group must list "${GROUP_SCHEMA}" in schemas.`, 'invalidSyntax');
  const displayName = text(field(b, 'displayName'), 'displayName', 64);
  if (!displayName) throw invalidValue('displayName is required.');
  const rawMembers = field(b, 'members');
  let members: string[] | null = null;
  if (rawMembers !== undefined && rawMembers !== null) {
    if (!Array.isArray(rawMembers)) throw invalidValue('members must be an array.');
    // The bound of a PATCH, for a Group written whole (POST, PUT): each member is a row to check and write.
    if (rawMembers.length > MAX_PATCH_MEMBERS)
      throw invalidValue(`At most ${MAX_PATCH_MEMBERS} members per request: add the rest with PATCH.`);
    members = [
      ...new Set(
        rawMembers.map((m, i) => {
          const v = m && typeof m === 'object' ? field(m as Record<string, unknown>, 'value') : undefined;
          if (typeof v !== 'string') throw invalidValue(`members[${i}].value must be a User id.`);
          return v;
        }),
      ),
    ];
  }
  return { displayName: teamName(displayName), externalId: text(field(b, 'externalId'), 'externalId', 255), members };
}
