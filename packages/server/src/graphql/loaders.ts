import { ApiKey } from '../modules/api-keys/api-key.entity';
import { NEWEST_FIRST_ORDER, newestFirstAfter } from './cursor';
import { ServiceAccount } from '../modules/service-accounts/service-account.entity';
import DataLoader from 'dataloader';
import { raw, type EntityManager } from '@mikro-orm/postgresql';
import { Membership } from '../modules/organizations/membership.entity';
import { Organization } from '../modules/organizations/organization.entity';
import { countSeats } from '../modules/organizations/invariants';
import { User } from '../modules/accounts/user.entity';
import { Invitation } from '../modules/invitations/invitation.entity';
import { OutboxEmail } from '../modules/mail/outbox-email.entity';
import { Team } from '../modules/teams/team.entity';
import { TeamMembership } from '../modules/teams/team-membership.entity';
import { CustomRole } from '../modules/custom-roles/custom-role.entity';
import type { TeamFacts, TeamMembershipFacts } from '../authz/policy';
import { PERSON_TEAM_ROLES, TEAM_ADMIN_ROLE, type TeamRole } from '../authz/team-permissions';
import { Project, Run } from '../modules/projects/project.entity';
import { ORG_ADMIN_ROLE } from '../authz/permissions';
import { MemberStatus, type OrgRole } from '../authz/roles';
import { selectEntities } from '../db/select-entities';

/** What `Invitation.delivery` shows of an outbox email: its delivery columns, without the bodies. */
export type EmailDelivery = Pick<OutboxEmail, 'status' | 'attempts' | 'lastError' | 'nextAttemptAt' | 'sentAt'>;

export interface Loaders {
  /** Key: `${organizationId}:${userId}`. */
  membership: DataLoader<string, Membership | null>;
  membershipsByUser: DataLoader<string, Membership[]>;
  seatsUsed: DataLoader<string, number>;
  activeAdmins: DataLoader<string, number>;
  /** Key: `${teamId}:${userId}`. */
  teamMembership: DataLoader<string, TeamMembership | null>;
  /** Teams of each member of an organization. Key: `${organizationId}:${userId}`. */
  teamsOfMember: DataLoader<string, MemberTeam[]>;
  team: DataLoader<string, Team | null>;
  /** Key: `${organizationId}:${teamName}` (teamNameKey). */
  teamByName: DataLoader<string, Team | null>;
  organizationById: DataLoader<string, Organization | null>;
  customRole: DataLoader<string, CustomRole | null>;
  userById: DataLoader<string, User | null>;
  invitationById: DataLoader<string, Invitation | null>;
  /** Delivery of the newest outbox email of each invitation. */
  latestEmailByInvitation: DataLoader<string, EmailDelivery | null>;
  projectById: DataLoader<string, Project | null>;
  /** Service accounts by id (Run.loggedBy and the like); null once deleted. */
  serviceAccountById: DataLoader<string, ServiceAccount | null>;
  /**
   * A page of a project's runs, newest first: one window query per distinct (limit, cursor) for all projects asking.
   */
  runsPage: DataLoader<RunsPageKey, Run[], string>;
  runCountByProject: DataLoader<string, number>;
  /**
   * A page of a service account's keys, newest first (ServiceAccount.apiKeys inside a list of accounts): one query
   * per distinct page shape for all accounts asking.
   */
  serviceAccountKeysPage: DataLoader<ServiceAccountKeysPageKey, ApiKey[], string>;
  /** How many keys each service account has; key: `${serviceAccountId}|${includeInactive ? 1 : 0}`. */
  serviceAccountKeyCount: DataLoader<string, number>;
  /** Counts behind `Team.usage` and `Team.warnings`, for every team asked about in one statement. */
  teamUsage: DataLoader<string, TeamUsageFacts>;
  /**
   * Activity summary facts of members (docs/USAGE.md), one statement for a whole page.
   * Key: `${organizationId}:${userId}` (membershipKey).
   */
  memberActivity: DataLoader<string, MemberActivityFacts>;
  /** ACTIVE members of each organization (the membership counts kept by triggers). */
  activeMemberCount: DataLoader<string, number>;
  /** Distinct users active in each organization in the last 30 days of its time zone (activity_spans). */
  activeUsersLast30Days: DataLoader<string, number>;
}

/**
 * Today in the time zone of the organization aliased `org` (its `timeZone` setting, UTC unless set), as a SQL date:
 * "the last 30 days" of every usage figure are the 30 days of that zone ending today, today included, the days
 * daily_activity records (docs/USAGE.md).
 */
export const organizationTodaySql = (org: string) =>
  `(now() at time zone coalesce(${org}.settings->>'timeZone', 'UTC'))::date`;

/** Today in UTC, as a SQL date: the instance's figures, which belong to no organization's time zone. */
export const UTC_TODAY_SQL = `(now() at time zone 'UTC')::date`;

/** The first day of "the last 30 days" ending on `today` (a SQL date expression), today included: the one window. */
export const last30DaysStartSql = (today: string) => `(${today} - 29)`;

/** What `Team.usage` and `Team.warnings` are computed from (one row per team; counts over the whole team). */
export interface TeamUsageFacts {
  membersByRole: Array<{ role: TeamRole; count: number }>;
  projects: number;
  runs: number;
  runsLast30Days: number;
  reports: number;
  activeMembersLast30Days: number;
  /** The team's ADMIN rows with what decides whether each counts (authz/team-admins.ts). */
  adminRows: Array<{ userId: string; orgRole: OrgRole; orgStatus: MemberStatus }>;
}

/** What the rollups and runs/reports say of a member's activity in an organization (UsageService.memberActivity). */
export interface MemberActivityFacts {
  firstActiveAt: Date | null;
  daysActive: number;
  runsCreated: number;
  reportsCreated: number;
}

/**
 * What "runs created" and "reports created" count (docs/USAGE.md), as scalar subqueries on SQL expressions for the user
 * and the organization: runs in the organization's projects and reports in its teams whose created_by_id is the user
 * (runs logged by a service account for a person carry the person there). Read through the created_by_id indexes.
 */
export const runsCreatedSql = (user: string, org: string) =>
  `(select count(*) from runs r join projects rp on rp.id = r.project_id join teams rt on rt.id = rp.team_id ` +
  `where r.created_by_id = ${user} and rt.organization_id = ${org})`;
export const reportsCreatedSql = (user: string, org: string) =>
  `(select count(*) from reports r join teams rt on rt.id = r.team_id where r.created_by_id = ${user} and ` +
  `rt.organization_id = ${org})`;

/**
 * One statement for any number of (organization, user) pairs: the span row by primary key, and runs and reports counted
 * through their created_by_id indexes (runs logged by a service account for a person carry the person there). The
 * members CSV runs the same statement per batch (memberActivityFacts).
 */
export async function memberActivityFacts(
  em: EntityManager,
  pairs: ReadonlyArray<readonly [organizationId: string, userId: string]>,
): Promise<Map<string, MemberActivityFacts>> {
  const result = new Map<string, MemberActivityFacts>();
  if (!pairs.length) return result;
  const rows: Array<{
    organization_id: string;
    user_id: string;
    first_active_at: Date | string | null;
    days_active: number | null;
    runs: string;
    reports: string;
  }> = await em.execute(
    `select k.organization_id, k.user_id, s.days_active,
       s.first_day::timestamp at time zone coalesce(o.settings->>'timeZone', 'UTC') as first_active_at,
       ${runsCreatedSql('k.user_id', 'k.organization_id')} as runs,
       ${reportsCreatedSql('k.user_id', 'k.organization_id')} as reports
     from unnest(array[?]::uuid[], array[?]::uuid[]) as k(organization_id, user_id)
     join organizations o on o.id = k.organization_id
     left join activity_spans s on s.scope = k.organization_id and s.user_id = k.user_id`,
    [pairs.map((p) => p[0]), pairs.map((p) => p[1])],
  );
  for (const r of rows) {
    result.set(membershipKey(r.organization_id, r.user_id), {
      firstActiveAt: r.first_active_at ? new Date(r.first_active_at) : null,
      daysActive: Number(r.days_active ?? 0),
      runsCreated: Number(r.runs),
      reportsCreated: Number(r.reports),
    });
  }
  return result;
}

const NO_ACTIVITY: MemberActivityFacts = { firstActiveAt: null, daysActive: 0, runsCreated: 0, reportsCreated: 0 };

/** A team a member belongs to, as the members view and the team policy need it (no ORM entities). */
export interface MemberTeam {
  team: TeamFacts;
  role: TeamRole;
}

interface MemberTeamRow {
  organization_id: string;
  user_id: string;
  id: string;
  name: string;
  role: TeamRole;
  hidden: boolean;
  members_can_invite: boolean;
}

export interface ServiceAccountKeysPageKey {
  serviceAccountId: string;
  /** Rows to fetch (page size + 1). */
  limit: number;
  after: TimeCursor | null;
  includeInactive: boolean;
}

const keysPageShape = (k: ServiceAccountKeysPageKey) =>
  `${k.limit}|${k.includeInactive ? 1 : 0}|${k.after ? `${k.after.createdAt.toISOString()}|${k.after.id}` : ''}`;
const keysPageKey = (k: ServiceAccountKeysPageKey) => `${k.serviceAccountId}|${keysPageShape(k)}`;

/** Position in a list ordered by (createdAt desc, id desc). */
export interface TimeCursor {
  createdAt: Date;
  id: string;
}

export interface RunsPageKey {
  projectId: string;
  /** Rows to fetch (page size + 1, to tell whether a next page exists). */
  limit: number;
  after: TimeCursor | null;
}

const runsPageShape = (k: RunsPageKey) =>
  `${k.limit}|${k.after ? `${k.after.createdAt.toISOString()}|${k.after.id}` : ''}`;
const runsPageKey = (k: RunsPageKey) => `${k.projectId}|${runsPageShape(k)}`;

export const membershipKey = (organizationId: string, userId: string) => `${organizationId}:${userId}`;
export const teamNameKey = (organizationId: string, teamName: string) => `${organizationId}:${teamName}`;

/** Fresh per request: nothing cached outlives it. */
export function createLoaders(em: EntityManager): Loaders {
  return {
    membership: new DataLoader(async (keys) => {
      const pairs = keys.map((k) => k.split(':') as [string, string]);
      // Nearly every request asks for the caller's membership: a fixed statement, not ORM query building.
      const rows = await selectEntities(
        em,
        Membership,
        'select * from org_memberships where (organization_id, user_id) in ' +
          `(${pairs.map(() => '(?::uuid, ?::uuid)').join(', ')})`,
        pairs.flat(),
      );
      const byKey = new Map(rows.map((m) => [membershipKey(m.organization.id, m.user!.id), m]));
      return keys.map((k) => byKey.get(k) ?? null);
    }),
    membershipsByUser: new DataLoader(async (userIds) => {
      const rows = await em.find(Membership, { user: { $in: [...userIds] } }, { orderBy: { createdAt: 'asc' } });
      return userIds.map((id) => rows.filter((m) => m.user?.id === id));
    }),
    seatsUsed: new DataLoader(async (orgIds) => {
      const used = await countSeats(em, orgIds);
      return orgIds.map((id) => used.get(id) ?? 0);
    }),
    activeAdmins: new DataLoader(async (orgIds) => {
      const rows: Array<{ organization_id: string; n: string }> = await em.execute(
        'select organization_id, count(*) as n from org_memberships where organization_id in (?) and role = ? and ' +
          'status = ? group by organization_id',
        [[...orgIds], ORG_ADMIN_ROLE, MemberStatus.ACTIVE],
      );
      const counts = new Map(rows.map((r) => [r.organization_id, Number(r.n)]));
      return orgIds.map((id) => counts.get(id) ?? 0);
    }),
    teamMembership: new DataLoader(async (keys) => {
      const pairs = keys.map((k) => k.split(':') as [string, string]);
      const rows = await em.find(TeamMembership, { $or: pairs.map(([team, user]) => ({ team, user })) });
      const byKey = new Map(rows.map((m) => [membershipKey(m.team.id, m.user.id), m]));
      return keys.map((k) => byKey.get(k) ?? null);
    }),
    teamsOfMember: new DataLoader(async (keys) => {
      // Columns only: a members page asks for up to 100 rows × their teams, and hydrating TeamMembership and Team
      // entities for them cost more CPU than the rest of the request together.
      const pairs = keys.map((k) => k.split(':') as [string, string]);
      const rows: MemberTeamRow[] = await em.execute(
        `select t.organization_id, tm.user_id, t.id, t.name, tm.role,
           coalesce((t.settings->>'hidden')::boolean, false) as hidden,
           coalesce((t.settings->>'membersCanInvite')::boolean, false) as members_can_invite
         from team_memberships tm join teams t on t.id = tm.team_id
         where (t.organization_id, tm.user_id) in (${pairs.map(() => '(?::uuid, ?::uuid)').join(', ')})
         order by t.name`,
        pairs.flat(),
      );
      const byKey = new Map<string, MemberTeam[]>(keys.map((k) => [k, []]));
      for (const r of rows) {
        byKey.get(membershipKey(r.organization_id, r.user_id))?.push({
          team: { id: r.id, name: r.name, settings: { hidden: r.hidden, membersCanInvite: r.members_can_invite } },
          role: r.role,
        });
      }
      return keys.map((k) => byKey.get(k) ?? []);
    }),
    customRole: new DataLoader(async (ids) => {
      const rows = await em.find(CustomRole, { id: { $in: [...ids] } });
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    team: new DataLoader(async (ids) => {
      const rows = await em.find(Team, { id: { $in: [...ids] } });
      const byId = new Map(rows.map((t) => [t.id, t]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    teamByName: new DataLoader(async (keys) => {
      const pairs = keys.map((k) => {
        const at = k.indexOf(':');
        return { organization: k.slice(0, at), name: k.slice(at + 1) };
      });
      const rows = await em.find(Team, { $or: pairs });
      const byKey = new Map(rows.map((t) => [teamNameKey(t.organization.id, t.name), t]));
      return keys.map((k) => byKey.get(k) ?? null);
    }),
    organizationById: new DataLoader(async (ids) => {
      const rows = await em.find(Organization, { id: { $in: [...ids] } });
      const byId = new Map(rows.map((o) => [o.id, o]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    serviceAccountById: new DataLoader(async (ids) => {
      const rows = await em.find(ServiceAccount, { id: { $in: [...ids] } });
      const byId = new Map(rows.map((a) => [a.id, a]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    userById: new DataLoader(async (ids) => {
      const rows = await em.find(User, { id: { $in: [...ids] } });
      const byId = new Map(rows.map((u) => [u.id, u]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    invitationById: new DataLoader(async (ids) => {
      const rows = await em.find(Invitation, { id: { $in: [...ids] } });
      const byId = new Map(rows.map((i) => [i.id, i]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    // Columns, not entities: a bulk invitation's payload asks for thousands, whose bodies are large. Newest first, so
    // the first row of each invitation is its latest email.
    latestEmailByInvitation: new DataLoader(async (ids) => {
      const rows: Array<EmailDelivery & { invitationId: string }> = await em
        .createQueryBuilder(OutboxEmail)
        .select(['invitationId', 'status', 'attempts', 'lastError', 'nextAttemptAt', 'sentAt'])
        .where({ invitationId: { $in: [...ids] } })
        .orderBy({ createdAt: 'desc' })
        .execute('all', true);
      const latest = new Map<string, EmailDelivery>();
      for (const { invitationId, ...delivery } of rows)
        if (!latest.has(invitationId)) latest.set(invitationId, delivery);
      return ids.map((id) => latest.get(id) ?? null);
    }),
    projectById: new DataLoader(async (ids) => {
      const rows = await em.find(Project, { id: { $in: [...ids] } });
      const byId = new Map(rows.map((p) => [p.id, p]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    runsPage: new DataLoader<RunsPageKey, Run[], string>(
      async (keys) => {
        // Usually every project of a list asks for the same page shape (first N, no cursor): one query for all.
        const groups = new Map<string, RunsPageKey[]>();
        for (const k of keys) groups.set(runsPageShape(k), [...(groups.get(runsPageShape(k)) ?? []), k]);
        const pages = new Map<string, Run[]>();
        for (const group of groups.values()) {
          const { limit, after } = group[0]!;
          const projectIds = [...new Set(group.map((k) => k.projectId))];
          const rows: Array<Record<string, unknown>> = await em.execute(
            `select * from (select r.*, row_number() over (partition by r.project_id order by r.created_at desc, ` +
              `r.id desc) as rn
               from runs r where r.project_id in (?)${after ? ' and (r.created_at, r.id) < (?, ?)' : ''}) ranked
             where rn <= ? order by project_id, rn`,
            after ? [projectIds, after.createdAt, after.id, limit] : [projectIds, limit],
          );
          const runs = rows.map(({ rn: _rank, ...row }) => em.map(Run, row));
          for (const k of group)
            pages.set(
              runsPageKey(k),
              runs.filter((r) => r.project.id === k.projectId),
            );
        }
        return keys.map((k) => pages.get(runsPageKey(k)) ?? []);
      },
      { cacheKeyFn: runsPageKey },
    ),
    serviceAccountKeysPage: new DataLoader<ServiceAccountKeysPageKey, ApiKey[], string>(
      async (keys) => {
        const groups = new Map<string, ServiceAccountKeysPageKey[]>();
        for (const k of keys) groups.set(keysPageShape(k), [...(groups.get(keysPageShape(k)) ?? []), k]);
        const pages = new Map<string, ApiKey[]>();
        for (const group of groups.values()) {
          const { limit, after, includeInactive } = group[0]!;
          const ids = [...new Set(group.map((k) => k.serviceAccountId))];
          // Every matching key of these accounts, then the first `limit` of each: an account holds a handful of
          // keys, and this keeps "usable" to its one definition (ApiKey.usableFilter) instead of a SQL copy.
          const rows = await em.find(
            ApiKey,
            {
              $and: [
                { serviceAccount: { $in: ids } },
                includeInactive ? {} : ApiKey.usableFilter(),
                newestFirstAfter(after && [after.createdAt, after.id]),
              ],
            },
            { orderBy: NEWEST_FIRST_ORDER },
          );
          for (const k of group)
            pages.set(keysPageKey(k), rows.filter((r) => r.serviceAccount?.id === k.serviceAccountId).slice(0, limit));
        }
        return keys.map((k) => pages.get(keysPageKey(k)) ?? []);
      },
      { cacheKeyFn: keysPageKey },
    ),
    serviceAccountKeyCount: new DataLoader(async (keys) => {
      const counts = new Map<string, number>();
      for (const includeInactive of [false, true]) {
        const ids = keys.filter((k) => k.endsWith(includeInactive ? '|1' : '|0')).map((k) => k.split('|')[0]!);
        if (!ids.length) continue;
        // Counted in SQL, one row per account: no key is hydrated.
        const rows: Array<{ service_account_id: string; n: string | number }> = await em
          .createQueryBuilder(ApiKey, 'k')
          .select(['k.serviceAccount', raw('count(*) as n')])
          .where({ $and: [{ serviceAccount: { $in: ids } }, includeInactive ? {} : ApiKey.usableFilter()] })
          .groupBy('k.serviceAccount')
          .execute('all', false);
        const byAccount = new Map(rows.map((r) => [r.service_account_id, Number(r.n)]));
        for (const id of ids) counts.set(`${id}|${includeInactive ? 1 : 0}`, byAccount.get(id) ?? 0);
      }
      return keys.map((k) => counts.get(k) ?? 0);
    }),
    memberActivity: new DataLoader(async (keys) => {
      const facts = await memberActivityFacts(
        em,
        keys.map((k) => k.split(':') as [string, string]),
      );
      return keys.map((k) => facts.get(k) ?? NO_ACTIVITY);
    }),
    activeMemberCount: new DataLoader(async (orgIds) => {
      const rows: Array<{ organization_id: string; n: number }> = await em.execute(
        'select organization_id, n from org_member_counts where organization_id in (?) and status = ?',
        [[...orgIds], MemberStatus.ACTIVE],
      );
      const counts = new Map(rows.map((r) => [r.organization_id, Number(r.n)]));
      return orgIds.map((id) => counts.get(id) ?? 0);
    }),
    activeUsersLast30Days: new DataLoader(async (orgIds) => {
      const rows: Array<{ id: string; n: string }> = await em.execute(
        `select o.id, (select count(*) from activity_spans s where s.scope = o.id
           and s.last_day >= ${last30DaysStartSql(organizationTodaySql('o'))}) as n
         from organizations o where o.id in (?)`,
        [[...orgIds]],
      );
      const counts = new Map(rows.map((r) => [r.id, Number(r.n)]));
      return orgIds.map((id) => counts.get(id) ?? 0);
    }),
    runCountByProject: new DataLoader(async (ids) => {
      const rows: Array<{ project_id: string; n: string }> = await em.execute(
        'select project_id, count(*) as n from runs where project_id in (?) group by project_id',
        [[...ids]],
      );
      const counts = new Map(rows.map((r) => [r.project_id, Number(r.n)]));
      return ids.map((id) => counts.get(id) ?? 0);
    }),
    teamUsage: new DataLoader(async (teamIds) => {
      // One statement for all teams: each figure is a correlated subquery served by an index on the team (or
      // project) column. "Last 30 days" is the 30 days of the organization's time zone ending today, today included
      // (organizationTodaySql; daily_activity's days).
      const rows: Array<{
        id: string;
        roles: Record<string, number> | null;
        projects: string;
        runs: string;
        runs_30: string;
        reports: string;
        active_30: string;
        admins: TeamUsageFacts['adminRows'] | null;
      }> = await em.execute(
        `select t.id,
           (select json_object_agg(r.role, r.n) from (select tm.role, count(*) as n from team_memberships tm
              where tm.team_id = t.id group by tm.role) r) as roles,
           (select count(*) from projects p where p.team_id = t.id) as projects,
           (select count(*) from runs r join projects p on p.id = r.project_id where p.team_id = t.id) as runs,
           (select count(*) from runs r join projects p on p.id = r.project_id
              where p.team_id = t.id
                and r.created_at >= ${last30DaysStartSql(organizationTodaySql('o'))}::timestamp at time zone
                  coalesce(o.settings->>'timeZone', 'UTC')) as runs_30,
           (select count(*) from reports rp where rp.team_id = t.id) as reports,
           (select count(distinct tm.user_id) from team_memberships tm
              where tm.team_id = t.id and exists (select 1 from daily_activity da where da.user_id = tm.user_id
                and da.organization_id = t.organization_id
                and da.day >= ${last30DaysStartSql(organizationTodaySql('o'))})) as active_30,
           (select json_agg(json_build_object('userId', tm.user_id, 'orgRole', m.role, 'orgStatus', m.status))
              from team_memberships tm join org_memberships m
                on m.user_id = tm.user_id and m.organization_id = t.organization_id
              where tm.team_id = t.id and tm.role = ?) as admins
         from teams t join organizations o on o.id = t.organization_id where t.id in (?)`,
        [TEAM_ADMIN_ROLE, [...teamIds]],
      );
      const byId = new Map(rows.map((r) => [r.id, r]));
      return teamIds.map((id) => {
        const r = byId.get(id);
        const roles = r?.roles ?? {};
        return {
          membersByRole: [...PERSON_TEAM_ROLES].map((role) => ({ role, count: Number(roles[role] ?? 0) })),
          projects: Number(r?.projects ?? 0),
          runs: Number(r?.runs ?? 0),
          runsLast30Days: Number(r?.runs_30 ?? 0),
          reports: Number(r?.reports ?? 0),
          activeMembersLast30Days: Number(r?.active_30 ?? 0),
          adminRows: r?.admins ?? [],
        };
      });
    }),
  };
}

/** What the policy needs of a team membership: its base role and any custom role's additions. */
export async function teamMembershipFacts(
  membership: TeamMembership | null,
  loadCustomRole: (id: string) => Promise<CustomRole | null>,
): Promise<TeamMembershipFacts | null> {
  if (!membership) return null;
  const customRole = membership.customRole ? await loadCustomRole(membership.customRole.id) : null;
  return {
    role: membership.role,
    customRole: customRole ? { inheritsFrom: customRole.inheritsFrom, permissions: customRole.permissions } : null,
  };
}
