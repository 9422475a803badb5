import { LockMode, ref, type FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { Service } from '../service';
import {
  Team,
  AlertChannel,
  StorageProvider,
  DEFAULT_TEAM_SETTINGS,
  type TeamSettings,
  type TeamStorage,
} from './team.entity';
import { TeamMembership } from './team-membership.entity';
import { findTeam, requireVisibleTeam } from './team-lookup';
import { teamsLeftWithoutAdmin } from './team-admins';
import { teamMembershipFacts, type TeamUsageFacts } from '../../graphql/loaders';
import { WarningCode } from '../../graphql/enums';
import { isEffectiveTeamAdmin } from '../../authz/team-admins';
import { CustomRole } from '../custom-roles/custom-role.entity';
import { StorageKind } from './team.types';
import { Organization } from '../organizations/organization.entity';
import { Membership } from '../organizations/membership.entity';
import { OrganizationService } from '../organizations/organization.service';
import { User } from '../accounts/user.entity';
import { byLogin } from '../accounts/login';
import { AuditAction } from '../audit/audit.service';
import { Authz } from '../../authz/policy';
import { OrgPermission } from '../../authz/permissions';
import { MemberStatus, type OrgRole } from '../../authz/roles';
import { PERSON_TEAM_ROLES, TEAM_ADMIN_ROLE, TeamPermission, TeamRole } from '../../authz/team-permissions';
import { AppError, ErrorCode, badInput, conflict, forbidden, notFound } from '../../errors';
import { orgRefSchema, parseInput, teamRefSchema, userLoginSchema } from '../../validation';
import { containsPattern } from '../../db/like';
import { type Connection } from '../../graphql/connection';
import { cursorCodec, cursorValue } from '../../graphql/cursor';
import type { InvitedTeam } from '../invitations/invitation.entity';
import { ScimToken } from '../scim/scim-token.entity';

export const teamNameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(2, 'must be at least 2 characters')
  .max(64, 'must be at most 64 characters')
  .regex(
    /^[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?$/,
    'must be lower-case letters, digits, "-" and "_", starting and ending with a letter or digit',
  );
const roleSchema = z.enum(TeamRole, { message: 'must be ADMIN, MEMBER, VIEW_ONLY or SERVICE' });

/** `Organization.teams` is ordered by team name, `Team.members` by username. */
const TEAMS_CURSOR = cursorCodec('teams', { NAME_ASC: z.tuple([cursorValue.text]) });
const TEAM_MEMBERS_CURSOR = cursorCodec('teamMembers', { USERNAME_ASC: z.tuple([cursorValue.text]) });

const S3_BUCKET = /^(?!\d+\.\d+\.\d+\.\d+$)[a-z0-9](?:[a-z0-9.-]{1,61})[a-z0-9]$/;
const AZURE_BUCKET = /^[a-z0-9]{3,24}\/[a-z0-9](?:[a-z0-9-]{1,61})[a-z0-9]$/;

const storageSchema = z
  .object({
    kind: z.enum(StorageKind),
    provider: z.enum(StorageProvider).nullish(),
    bucket: z.string().trim().nullish(),
    path: z
      .string()
      .trim()
      .max(512, 'must be at most 512 characters')
      .regex(/^[A-Za-z0-9._\-/]*$/, 'may contain letters, digits, ".", "_", "-" and "/"')
      .refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), 'must be relative and must not contain ".."')
      .nullish(),
    region: z
      .string()
      .trim()
      .regex(/^[a-z]{2,}(?:-[a-z0-9]+)+$|^[a-z]+[0-9]*$/, 'must look like us-east-1 or europe-west4')
      .max(32, 'must be at most 32 characters')
      .nullish(),
    endpoint: z
      .url({ protocol: /^https?$/, message: 'must be an http(s) URL' })
      .max(2048, 'must be at most 2048 characters')
      .nullish(),
  })
  .superRefine((s, issue) => {
    if (s.kind === StorageKind.MANAGED) {
      for (const key of ['provider', 'bucket', 'path', 'region', 'endpoint'] as const) {
        if (s[key] != null)
          issue.addIssue({ code: 'custom', path: [key], message: 'must be omitted for MANAGED storage' });
      }
      return;
    }
    if (!s.provider) issue.addIssue({ code: 'custom', path: ['provider'], message: 'is required for BUCKET storage' });
    if (!s.bucket) issue.addIssue({ code: 'custom', path: ['bucket'], message: 'is required for BUCKET storage' });
    else if (s.provider === StorageProvider.AZURE ? !AZURE_BUCKET.test(s.bucket) : !S3_BUCKET.test(s.bucket)) {
      issue.addIssue({
        code: 'custom',
        path: ['bucket'],
        message:
          s.provider === StorageProvider.AZURE
            ? 'must be "account/container" (account 3-24 lower-case letters and digits)'
            : 'must be 3-63 lower-case letters, digits, "." and "-", starting and ending with a letter or digit',
      });
    }
    if (s.provider === StorageProvider.MINIO && !s.endpoint)
      issue.addIssue({ code: 'custom', path: ['endpoint'], message: 'is required for MINIO' });
  });

const alertChannels = z
  .array(z.enum(AlertChannel))
  .max(2, 'must list each channel at most once')
  .refine((a) => new Set(a).size === a.length, 'must list each channel at most once');
const settingsSchema = z
  .object({
    membersCanInvite: z.boolean().nullish(),
    projectsPrivateByDefault: z.boolean().nullish(),
    publicReportsAllowed: z.boolean().nullish(),
    hidden: z.boolean().nullish(),
    alerts: z
      .object({
        runFinished: alertChannels.nullish(),
        runCrashed: alertChannels.nullish(),
        slackChannel: z
          .string()
          .trim()
          .regex(/^#[a-z0-9][a-z0-9._-]{0,79}$/, 'must look like #ml-alerts')
          .nullish(),
      })
      .nullish(),
  })
  .nullish();

const createSchema = z.object({
  organization: orgRefSchema,
  name: teamNameSchema,
  storage: storageSchema.nullish(),
  settings: settingsSchema,
});
const updateSchema = z.object({
  organization: orgRefSchema,
  team: teamRefSchema,
  settings: settingsSchema,
  // null removes the avatar; "" is not a URL (one way to clear a setting: null).
  avatarUrl: z
    .url({ protocol: /^https$/, message: 'must be an https URL (null removes the avatar)' })
    .max(2048, 'must be at most 2048 characters')
    .nullish(),
});
const deleteSchema = z.object({
  organization: orgRefSchema,
  team: teamRefSchema,
  confirmName: z.string().max(64, 'must be at most 64 characters'),
});
const customRoleNameSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .nullish();
const memberSchema = z.object({
  organization: orgRefSchema,
  team: teamRefSchema,
  user: userLoginSchema,
  role: roleSchema.nullish(),
  customRole: customRoleNameSchema,
});
const roleChangeSchema = z
  .object({
    organization: orgRefSchema,
    team: teamRefSchema,
    user: userLoginSchema,
    role: roleSchema.nullish(),
    customRole: customRoleNameSchema,
  })
  .refine((i) => i.role != null || i.customRole != null, { message: 'give role or customRole', path: ['role'] });
const targetSchema = z.object({ organization: orgRefSchema, team: teamRefSchema, user: userLoginSchema });
const leaveSchema = z.object({ organization: orgRefSchema, team: teamRefSchema });
export const teamAssignmentsSchema = z
  .array(z.object({ team: teamRefSchema, role: roleSchema.nullish() }))
  .max(50, 'must list at most 50 teams');
/** One parsed team assignment of an invitation. */
export type TeamAssignmentRow = z.output<typeof teamAssignmentsSchema>[number];

/** Applies changed settings onto the current ones, checking what depends on what. */
function mergeSettings(current: TeamSettings, change: z.output<typeof settingsSchema>): TeamSettings {
  const next: TeamSettings = structuredClone(current);
  if (!change) return next;
  if (change.membersCanInvite != null) next.membersCanInvite = change.membersCanInvite;
  if (change.projectsPrivateByDefault != null) next.projectsPrivateByDefault = change.projectsPrivateByDefault;
  if (change.publicReportsAllowed != null) next.publicReportsAllowed = change.publicReportsAllowed;
  if (change.hidden != null) next.hidden = change.hidden;
  if (change.alerts) {
    if (change.alerts.runFinished) next.alerts.runFinished = change.alerts.runFinished;
    if (change.alerts.runCrashed) next.alerts.runCrashed = change.alerts.runCrashed;
    if (change.alerts.slackChannel !== undefined) next.alerts.slackChannel = change.alerts.slackChannel ?? null;
  }
  const usesSlack = [...next.alerts.runFinished, ...next.alerts.runCrashed].includes(AlertChannel.SLACK);
  if (usesSlack && !next.alerts.slackChannel)
    throw badInput(
      'settings.alerts.slackChannel',
      'settings.alerts.slackChannel: is required when an alert goes to SLACK.',
    );
  return next;
}

export interface TeamMemberView {
  id: string;
  userId: string;
  role: TeamRole;
  customRoleId: string | null;
  managedByIdp: boolean;
  addedAt: Date;
}

/** What removeTeamMember and leaveTeam return: the id of the team membership gone, its team and its user. */
export interface RemovedTeamMember {
  removedTeamMemberId: string;
  team: Team;
  user: User;
}

export class TeamService extends Service {
  /** The `team(organization, name)` lookup: null when the organization or team is absent or invisible to the caller. */
  async find(organization: string, name: string): Promise<Team | null> {
    try {
      return (await findTeam(this.ctx, organization, name, TeamPermission.VIEW)).team;
    } catch (err) {
      if (err instanceof AppError && err.code === ErrorCode.NOT_FOUND) return null;
      throw err;
    }
  }

  /**
   * Teams of an organization the caller may see (Authz.teamScope: the hidden-team rule), by name. Two statements: page
   * and count.
   */
  async list(
    org: Organization,
    args: { first?: number | null; after?: string | null; search?: string | null },
  ): Promise<Connection<Team>> {
    await this.ctx.authz.requireOrg(org, OrgPermission.READ);
    const page = TEAMS_CURSOR.page(args, 'NAME_ASC');
    const search = parseInput(
      z.object({ search: z.string().trim().toLowerCase().max(64, 'must be at most 64 characters').nullish() }),
      { search: args.search },
    ).search;
    const visible = Authz.teamScopeSql(await this.ctx.authz.teamScope(org), 't');
    const query = () => {
      const qb = this.em
        .createQueryBuilder(Team, 't')
        .where({ organization: org.id })
        .andWhere(visible.sql, visible.bindings);
      if (search) qb.andWhere({ name: { $like: containsPattern(search) } });
      return qb;
    };
    const paged = query()
      .orderBy({ name: 'asc' })
      .limit(page.first + 1);
    if (page.after) paged.andWhere({ name: { $gt: page.after[0] } });
    const [rows, total] = await Promise.all([paged.getResultList(), query().getCount()]);
    return TEAMS_CURSOR.connection(
      page,
      'NAME_ASC',
      rows,
      total,
      (t) => [t.name],
      (t) => t,
    );
  }

  async create(raw: unknown): Promise<Team> {
    const input = parseInput(createSchema, raw);
    const org = await new OrganizationService(this.ctx).getFor(input.organization, OrgPermission.CREATE_TEAM);
    const { user } = this.ctx.authz.requireUser();
    const storage: TeamStorage =
      input.storage && input.storage.kind === StorageKind.BUCKET
        ? {
            kind: 'BUCKET',
            provider: input.storage.provider!,
            bucket: input.storage.bucket!,
            path: input.storage.path || null,
            region: input.storage.region || null,
            endpoint: input.storage.endpoint || null,
          }
        : { kind: 'MANAGED' };
    const settings = mergeSettings(structuredClone(DEFAULT_TEAM_SETTINGS), input.settings);
    return this.em.transactional(async (em) => {
      if (await em.count(Team, { organization: org.id, name: input.name }))
        throw conflict(`"${org.name}" already has a team named "${input.name}".`, 'name');
      const team = em.create(Team, {
        organization: ref(em.getReference(Organization, org.id)),
        name: input.name,
        storage,
        settings,
        createdById: user.id,
      });
      // The creator runs the team, unless they are an instance admin acting from outside the organization.
      if (await em.count(Membership, { organization: org.id, user: user.id, status: MemberStatus.ACTIVE })) {
        em.create(TeamMembership, {
          team,
          user: ref(em.getReference(User, user.id)),
          role: TEAM_ADMIN_ROLE,
          addedById: user.id,
        });
      }
      this.audit(em, {
        action: AuditAction.TEAM_CREATED,
        organizationId: org.id,
        target: { type: 'team', id: team.id, label: team.name },
        metadata: {
          storage: storage.kind === 'BUCKET' ? { provider: storage.provider, bucket: storage.bucket } : 'MANAGED',
        },
      });
      return team;
    });
  }

  async update(raw: unknown): Promise<Team> {
    const input = parseInput(updateSchema, raw);
    const { org, team } = await findTeam(this.ctx, input.organization, input.team, TeamPermission.UPDATE);
    return this.em.transactional(async (em) => {
      const locked = await em.findOneOrFail(
        Team,
        { id: team.id },
        { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
      );
      const before = { settings: locked.settings, avatarUrl: locked.avatarUrl };
      locked.settings = mergeSettings(locked.settings, input.settings);
      if (input.avatarUrl !== undefined) locked.avatarUrl = input.avatarUrl;
      this.audit(em, {
        action: AuditAction.TEAM_UPDATED,
        organizationId: org.id,
        target: { type: 'team', id: team.id, label: team.name },
        metadata: { before, after: { settings: locked.settings, avatarUrl: locked.avatarUrl } },
      });
      return locked;
    });
  }

  async delete(raw: unknown): Promise<{ deletedTeamId: string; organization: Organization }> {
    const input = parseInput(deleteSchema, raw);
    const { org, team } = await findTeam(this.ctx, input.organization, input.team, TeamPermission.DELETE);
    if (input.confirmName.trim() !== team.name)
      throw badInput('confirmName', `Type the team name "${team.name}" to confirm.`);
    await this.em.transactional(async (em) => {
      await em.nativeDelete(Team, { id: team.id });
      this.audit(em, {
        action: AuditAction.TEAM_DELETED,
        organizationId: org.id,
        target: { type: 'team', id: team.id, label: team.name },
      });
    });
    return { deletedTeamId: team.id, organization: org };
  }

  /** Members of a team, by username. */
  async members(
    team: Team,
    args: { first?: number | null; after?: string | null },
  ): Promise<Connection<TeamMemberView>> {
    const org = await team.organization.loadOrFail();
    await this.ctx.authz.requireTeam(team, org, TeamPermission.READ_MEMBERS);
    const page = TEAM_MEMBERS_CURSOR.page(args, 'USERNAME_ASC');
    const after: FilterQuery<TeamMembership> = page.after ? { user: { username: { $gt: page.after[0] } } } : {};
    const [rows, total] = await Promise.all([
      this.em.find(
        TeamMembership,
        { $and: [{ team: team.id }, after] },
        { populate: ['user'], orderBy: { user: { username: 'asc' } }, limit: page.first + 1 },
      ),
      this.em.count(TeamMembership, { team: team.id }),
    ]);
    return TEAM_MEMBERS_CURSOR.connection(
      page,
      'USERNAME_ASC',
      rows,
      total,
      (m) => [m.user.getEntity().username],
      (m) => toMemberView(m),
    );
  }

  /**
   * The team's usage figures, or null when the caller may not list the team's members (Authz.seesTeamUsage).
   * Batched across every team of the request (loaders.teamUsage): a list of teams costs one statement.
   */
  async usage(team: Team): Promise<Omit<TeamUsageFacts, 'adminRows'> | null> {
    const org = await requireVisibleTeam(this.ctx, team);
    if (!(await this.ctx.authz.seesTeamUsage(team, org))) return null;
    const { adminRows: _, ...figures } = await this.ctx.loaders.teamUsage.load(team.id);
    return figures;
  }

  /**
   * Problems a team admin should fix; empty for those who do not manage the team's members. One effective admin
   * (authz/team-admins.ts): SINGLE_TEAM_ADMIN. Members but no effective admin (an org admin removed the last one, or
   * they were deactivated): NO_TEAM_ADMIN. A team without members has nothing at risk and warns of nothing.
   */
  async warnings(team: Team): Promise<Array<{ code: WarningCode; message: string }>> {
    const org = await requireVisibleTeam(this.ctx, team);
    if (!(await this.ctx.authz.seesTeamWarnings(team, org))) return [];
    const facts = await this.ctx.loaders.teamUsage.load(team.id);
    const members = facts.membersByRole.reduce((n, r) => n + r.count, 0);
    const admins = facts.adminRows.filter((a) =>
      isEffectiveTeamAdmin({ teamRole: TEAM_ADMIN_ROLE, orgRole: a.orgRole, orgStatus: a.orgStatus }),
    ).length;
    if (admins === 1) {
      return [
        {
          code: WarningCode.SINGLE_TEAM_ADMIN,
          message:
            `Team "${team.name}" has only one admin: if that account is lost only organization admins can manage ` +
            'the team. Make a second team member ADMIN.',
        },
      ];
    }
    if (admins === 0 && members > 0) {
      return [
        {
          code: WarningCode.NO_TEAM_ADMIN,
          message:
            `Team "${team.name}" has members but no active admin: only organization admins can manage it. Make a ` +
            'team member ADMIN.',
        },
      ];
    }
    return [];
  }

  /**
   * The user a login names, if any. Callers answer "not found" the same way for unknown logins and for
   * users they may not see (outside the organization), quoting only what was typed: whether an email or
   * username exists elsewhere on the instance, or which username an email belongs to, is never revealed.
   */
  private async userByLogin(em: EntityManager, login: string): Promise<User | null> {
    return em.findOne(User, byLogin(login));
  }

  /**
   * An ACTIVE member of the organization, or one neutral NOT_ORG_MEMBER whatever the reason (unknown, outside,
   * deactivated, pending).
   */
  private async activeOrgMember(
    em: EntityManager,
    org: Organization,
    login: string,
  ): Promise<{ user: User; membership: Membership }> {
    const user = await this.userByLogin(em, login);
    const membership = user ? await em.findOne(Membership, { organization: org.id, user: user.id }) : null;
    if (!user || !membership || membership.status !== MemberStatus.ACTIVE) {
      throw new AppError(
        ErrorCode.NOT_ORG_MEMBER,
        `"${login.trim()}" is not an active member of "${org.name}": invite them to the organization (or reactivate ` +
          `them) first.`,
        { field: 'user' },
      );
    }
    return { user, membership };
  }

  /**
   * A member of the team, or one neutral NOT_FOUND for unknown logins, users outside the team and users outside the
   * organization.
   */
  private async teamMember(em: EntityManager, team: Team, login: string): Promise<{ user: User; tm: TeamMembership }> {
    const user = await this.userByLogin(em, login);
    const tm = user ? await em.findOne(TeamMembership, { team: team.id, user: user.id }) : null;
    if (!user || !tm) throw notFound(`"${login.trim()}" is not in team "${team.name}".`);
    return { user, tm };
  }

  /** The roles this caller may grant and this person may hold, or a clear refusal. */
  private checkRole(granted: ReadonlySet<TeamPermission>, orgRole: OrgRole, role: TeamRole): void {
    if (!PERSON_TEAM_ROLES.has(role)) throw badInput('role', `${role} is reserved for service accounts.`);
    if (!Authz.teamRolesForOrgRole(orgRole).has(role))
      throw badInput(
        'role',
        `An organization ${orgRole} can only be ${[...Authz.teamRolesForOrgRole(orgRole)].join(' or ')} in a team.`,
      );
    if (!Authz.grantableTeamRoles(granted).has(role))
      throw forbidden(`You may add members with at most the MEMBER role; ask a team admin for ${role}.`);
  }

  /**
   * The custom role a name gives (null for none) and the team role it comes with: its base role. A role given too must
   * be that base role.
   */
  private async customRoleByName(
    em: EntityManager,
    org: Organization,
    name: string | null | undefined,
    role: TeamRole | null | undefined,
  ): Promise<CustomRole | null> {
    if (!name) return null;
    const customRole = await em.findOne(CustomRole, { organization: org.id, name });
    if (!customRole) throw badInput('customRole', `"${org.name}" has no custom role named "${name}".`);
    if (role && role !== customRole.inheritsFrom) {
      throw badInput(
        'role',
        `Custom role "${customRole.name}" builds on ${customRole.inheritsFrom}; omit role or give ` +
          `${customRole.inheritsFrom}.`,
      );
    }
    return customRole;
  }

  async addMember(raw: unknown): Promise<TeamMemberView> {
    const input = parseInput(memberSchema, raw);
    const { org, team, permissions } = await findTeam(
      this.ctx,
      input.organization,
      input.team,
      TeamPermission.INVITE_MEMBER,
    );
    const { user: actor } = this.ctx.authz.requireUser();
    return this.em.transactional(async (em) => {
      await em.findOneOrFail(Team, { id: team.id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      const { user, membership } = await this.activeOrgMember(em, org, input.user);
      if (input.customRole && !Authz.grantsCustomRoles(permissions))
        throw forbidden(`You may add members without a custom role; ask a team admin for "${input.customRole}".`);
      const customRole = await this.customRoleByName(em, org, input.customRole, input.role);
      const role = customRole?.inheritsFrom ?? input.role ?? Authz.defaultTeamRole(membership.role);
      this.checkRole(permissions, membership.role, role);
      if (await em.count(TeamMembership, { team: team.id, user: user.id }))
        throw conflict(`${user.username} is already in team "${team.name}".`, 'user');
      const tm = em.create(TeamMembership, {
        team: ref(em.getReference(Team, team.id)),
        user: ref(user),
        role,
        customRole: customRole ? ref(customRole) : null,
        addedById: actor.id,
      });
      this.audit(em, {
        action: AuditAction.TEAM_MEMBER_ADDED,
        organizationId: org.id,
        target: { type: 'user', id: user.id, label: user.username },
        metadata: { team: team.name, role, customRole: customRole?.name ?? null },
      });
      return toMemberView(tm);
    });
  }

  async updateMemberRole(raw: unknown): Promise<TeamMemberView> {
    const input = parseInput(roleChangeSchema, raw);
    const { org, team } = await findTeam(this.ctx, input.organization, input.team, TeamPermission.MANAGE_MEMBERS);
    return this.em.transactional(async (em) => {
      await em.findOneOrFail(Team, { id: team.id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      const granted = await this.recheckTeam(em, team, org, TeamPermission.MANAGE_MEMBERS);
      const { user, tm } = await this.teamMember(em, team, input.user);
      await assertNotManagedByIdp(em, tm, team, user, 'change its role', () =>
        this.ctx.authz.canOrg(org, OrgPermission.MANAGE_SCIM),
      );
      const membership = await em.findOne(Membership, { organization: org.id, user: user.id });
      if (!membership)
        throw new AppError(ErrorCode.NOT_ORG_MEMBER, `${user.username} is not a member of "${org.name}".`, {
          field: 'user',
        });
      const customRole = await this.customRoleByName(em, org, input.customRole, input.role);
      const role = customRole?.inheritsFrom ?? input.role!;
      this.checkRole(granted, membership.role, role);
      const from = { role: tm.role, customRole: tm.customRole?.id ?? null };
      if (from.role !== role || from.customRole !== (customRole?.id ?? null)) {
        if (from.role === TEAM_ADMIN_ROLE && role !== TEAM_ADMIN_ROLE)
          await this.assertNotLastTeamAdmin(em, team, org, user.id);
        tm.role = role;
        tm.customRole = customRole ? ref(customRole) : null;
        this.audit(em, {
          action: customRole ? AuditAction.CUSTOM_ROLE_ASSIGNED : AuditAction.TEAM_MEMBER_ROLE_CHANGED,
          organizationId: org.id,
          target: { type: 'user', id: user.id, label: user.username },
          metadata: { team: team.name, from: from.role, to: role, customRole: customRole?.name ?? null },
        });
      }
      return toMemberView(tm);
    });
  }

  async removeMember(raw: unknown): Promise<RemovedTeamMember> {
    const input = parseInput(targetSchema, raw);
    const { org, team } = await findTeam(this.ctx, input.organization, input.team, TeamPermission.VIEW);
    this.ctx.authz.requireUser();
    const self = this.ctx.authz.isSelf((await this.userByLogin(this.em, input.user))?.id);
    if (!self) await this.ctx.authz.requireTeam(team, org, TeamPermission.MANAGE_MEMBERS);
    return this.removeFromTeam(
      org,
      team,
      input.user,
      self ? AuditAction.TEAM_MEMBER_LEFT : AuditAction.TEAM_MEMBER_REMOVED,
    );
  }

  async leave(raw: unknown): Promise<RemovedTeamMember> {
    const input = parseInput(leaveSchema, raw);
    const { org, team } = await findTeam(this.ctx, input.organization, input.team, TeamPermission.VIEW);
    const { user } = this.ctx.authz.requireUser();
    return this.removeFromTeam(org, team, user.username, AuditAction.TEAM_MEMBER_LEFT);
  }

  private async removeFromTeam(
    org: Organization,
    team: Team,
    login: string,
    action: AuditAction,
  ): Promise<RemovedTeamMember> {
    return this.em.transactional(async (em) => {
      await em.findOneOrFail(Team, { id: team.id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      const { user, tm } = await this.teamMember(em, team, login);
      await assertNotManagedByIdp(em, tm, team, user, 'remove it', () =>
        this.ctx.authz.canOrg(org, OrgPermission.MANAGE_SCIM),
      );
      // Organization admins may remove a team's last admin; nobody else may leave a team unmanaged.
      if (tm.role === TEAM_ADMIN_ROLE && !(await this.ctx.authz.canOrg(org, OrgPermission.MANAGE_TEAMS)))
        await this.assertNotLastTeamAdmin(em, team, org, user.id);
      const removedTeamMemberId = tm.id;
      em.remove(tm);
      this.audit(em, {
        action,
        organizationId: org.id,
        target: { type: 'user', id: user.id, label: user.username },
        metadata: { team: team.name, role: tm.role },
      });
      return { removedTeamMemberId, team, user };
    });
  }

  private async recheckTeam(
    em: EntityManager,
    team: Team,
    org: Organization,
    permission: TeamPermission,
  ): Promise<ReadonlySet<TeamPermission>> {
    return this.ctx.authz.requireTeam(team, org, permission, {
      org: (o, u) => em.findOne(Membership, { organization: o, user: u }, { refresh: true }),
      team: async (t, u) =>
        teamMembershipFacts(await em.findOne(TeamMembership, { team: t, user: u }, { refresh: true }), (id) =>
          em.findOne(CustomRole, { id }),
        ),
    });
  }

  /**
   * LAST_ADMIN when `userId` is the team's last effective admin (authz/team-admins.ts: deactivated members and
   * organization viewers do not count).
   */
  private async assertNotLastTeamAdmin(
    em: EntityManager,
    team: Team,
    org: Organization,
    userId: string,
  ): Promise<void> {
    if ((await teamsLeftWithoutAdmin(em, org.id, [team], userId)).length) {
      throw new AppError(
        ErrorCode.LAST_ADMIN,
        `Team "${team.name}" must keep an admin: make someone else ADMIN first (organization admins may remove the ` +
          `last one).`,
      );
    }
  }

  /** Validates an invitation's team assignments against the organization's teams and the invited role. */
  async validateAssignments(
    em: EntityManager,
    org: Organization,
    orgRole: OrgRole,
    raw: unknown,
  ): Promise<InvitedTeam[]> {
    const rows = TeamService.parseAssignments(raw);
    const existing = await TeamService.existingTeamNames(em, org, TeamService.assignedTeamNames(rows));
    return TeamService.checkAssignments(org, orgRole, rows, existing);
  }

  /** The shape of invitation team assignments (BAD_USER_INPUT naming `teams.N.team`/`teams.N.role`). */
  static parseAssignments(raw: unknown): TeamAssignmentRow[] {
    return parseInput(z.object({ teams: teamAssignmentsSchema }), { teams: raw }).teams;
  }

  /** The team names parsed assignments refer to, as stored (lower-case). */
  static assignedTeamNames(rows: readonly TeamAssignmentRow[]): string[] {
    return rows.map((row) => row.team.toLowerCase());
  }

  /**
   * Which of these names are teams of the organization: one read of the names only, for every assignment at once
   * (bulk invitations validate thousands of rows with it).
   */
  static async existingTeamNames(
    em: EntityManager,
    org: Organization,
    names: readonly string[],
  ): Promise<ReadonlySet<string>> {
    const distinct = [...new Set(names)];
    if (distinct.length === 0) return new Set();
    const rows: Array<{ name: string }> = await em
      .createQueryBuilder(Team)
      .select('name')
      .where({ organization: org.id, name: { $in: distinct } })
      .execute('all', false);
    return new Set(rows.map((r) => r.name));
  }

  /** The rules for parsed assignments, given the organization's teams among them (`existingTeamNames`). */
  static checkAssignments(
    org: Organization,
    orgRole: OrgRole,
    rows: readonly TeamAssignmentRow[],
    existing: ReadonlySet<string>,
  ): InvitedTeam[] {
    const result: InvitedTeam[] = [];
    for (const [i, row] of rows.entries()) {
      const name = row.team.toLowerCase();
      if (!existing.has(name))
        throw badInput(`teams.${i}.team`, `teams.${i}.team: "${org.name}" has no team named "${row.team}".`);
      const role = row.role ?? Authz.defaultTeamRole(orgRole);
      if (!PERSON_TEAM_ROLES.has(role))
        throw badInput(`teams.${i}.role`, `teams.${i}.role: ${role} is reserved for service accounts.`);
      if (!Authz.teamRolesForOrgRole(orgRole).has(role))
        throw badInput(
          `teams.${i}.role`,
          `teams.${i}.role: an organization ${orgRole} can only be VIEW_ONLY in a team.`,
        );
      if (result.some((r) => r.team === name))
        throw badInput(`teams.${i}.team`, `teams.${i}.team: "${name}" is listed twice.`);
      result.push({ team: name, role });
    }
    return result;
  }

  /** On acceptance: joins the invitation's teams that still exist. */
  static async joinInvitedTeams(
    em: EntityManager,
    org: Organization,
    user: User,
    assignments: InvitedTeam[],
    invitedById: string | null,
  ): Promise<void> {
    if (assignments.length === 0) return;
    // Two reads for all assignments: the teams that still exist, and which of them the user is already in.
    const teams = await em.find(Team, { organization: org.id, name: { $in: assignments.map((a) => a.team) } });
    const joined = new Set(
      teams.length
        ? (
            await em.find(
              TeamMembership,
              { user: user.id, team: { $in: teams.map((t) => t.id) } },
              { fields: ['team'] },
            )
          ).map((m) => m.team.id)
        : [],
    );
    for (const a of assignments) {
      const team = teams.find((t) => t.name === a.team);
      if (!team || joined.has(team.id)) continue;
      em.create(TeamMembership, { team: ref(team), user: ref(user), role: a.role as TeamRole, addedById: invitedById });
    }
  }

  /** On removal from the organization: leaves all its teams. */
  static async leaveAllTeams(em: EntityManager, org: Organization, userId: string): Promise<void> {
    const teamIds = (await em.find(Team, { organization: org.id }, { fields: ['id'] })).map((t) => t.id);
    if (teamIds.length) await em.nativeDelete(TeamMembership, { user: userId, team: { $in: teamIds } });
  }
}

/**
 * IDP_MANAGED_MEMBERSHIP: memberships marked `managedByIdp` belong to the identity provider, through SSO group sync
 * (src/modules/sso/group-sync.ts) or SCIM provisioning (src/modules/scim, `scimToken` set); a change by hand would be
 * undone by the next sign-in or push, so it is refused with what to do instead, naming the provider.
 */
async function assertNotManagedByIdp(
  em: EntityManager,
  tm: TeamMembership,
  team: Team,
  user: User,
  verb: string,
  /** Whether the caller may know the SCIM token's name (Authz: those who may list the tokens). */
  seesScimTokens: () => Promise<boolean>,
): Promise<void> {
  if (!tm.managedByIdp) return;
  if (tm.scimToken) {
    const token = (await seesScimTokens())
      ? await em.findOne(ScimToken, { id: tm.scimToken.id }, { fields: ['name'] })
      : null;
    const provider = token ? `the identity provider "${token.name}"` : 'your identity provider';
    throw new AppError(
      ErrorCode.IDP_MANAGED_MEMBERSHIP,
      `${user.username}'s membership in team "${team.name}" is provisioned by ${provider} through SCIM, so you ` +
        `cannot ${verb} here. Change the group "${team.name}" in that identity provider; it pushes the change.`,
      { field: 'user' },
    );
  }
  throw new AppError(
    ErrorCode.IDP_MANAGED_MEMBERSHIP,
    `${user.username}'s membership in team "${team.name}" comes from their identity provider groups (SSO group ` +
      `sync), so you cannot ${verb} here. Change their groups at the identity provider, or the group mapping; their ` +
      `next sign-in applies it.`,
    { field: 'user' },
  );
}

export function toMemberView(m: TeamMembership): TeamMemberView {
  return {
    id: m.id,
    userId: m.user.id,
    role: m.role,
    customRoleId: m.customRole?.id ?? null,
    managedByIdp: m.managedByIdp,
    addedAt: m.createdAt,
  };
}
