import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { Service } from '../service';
import { Membership } from '../organizations/membership.entity';
import type { Invitation } from '../invitations/invitation.entity';
import { Organization } from '../organizations/organization.entity';
import { User } from '../accounts/user.entity';
import { byLogin } from '../accounts/login';
import { Authz, type TeamFacts, type TeamScope } from '../../authz/policy';
import { TeamService } from '../teams/team.service';
import { capTeamRoles } from '../teams/team-admins';
import { OrganizationService } from '../organizations/organization.service';
import { assertNotLastAdmin, assertSeatAvailable, lockOrganization } from '../organizations/invariants';
import { AuditAction, type AuditInput } from '../audit/audit.service';
import { OrgPermission, ORG_ADMIN_ROLE, SEAT_ROLES } from '../../authz/permissions';
import { MemberStatus, OrgRole } from '../../authz/roles';
import { notFound } from '../../errors';
import { orgRefSchema, parseInput, userLoginSchema } from '../../validation';
import { containsPattern } from '../../db/like';
import { type Connection, lazyTotalCount } from '../../graphql/connection';
import { cursorCodec, cursorValue, pageInfoOf } from '../../graphql/cursor';
import { isStorableText } from '../../graphql/input-hygiene';
import { MemberOrderField, OrderDirection } from './member.types';
import { membershipKey, reportsCreatedSql, runsCreatedSql, teamNameKey } from '../../graphql/loaders';
import { InvitationStatus } from '../invitations/invitation.entity';
import type { TeamRole } from '../../authz/team-permissions';

/** One row of the members view: a membership with what the view shows of its user or invitation. */
export interface MemberView {
  id: string;
  organization: Organization;
  userId: string | null;
  invitationId: string | null;
  role: OrgRole;
  status: MemberStatus;
  addedAt: Date;
  email: string;
  name: string | null;
  username: string | null;
  lastActiveAt: Date | null;
  /** The visible teams, when the page read them with its rows (MemberService.list); otherwise teamsOf loads them. */
  teams?: Array<{ name: string; role: TeamRole }>;
  /**
   * Whether the caller may see `email` (canSeeEmails), when the page decided it once for all its rows
   * (MemberService.list); otherwise the `email` field asks canSeeEmails.
   */
  emailVisible?: boolean;
}

const targetSchema = z.object({ organization: orgRefSchema, user: userLoginSchema });
const roleSchema = z.object({
  organization: orgRefSchema,
  user: userLoginSchema,
  role: z.enum(OrgRole, { message: 'must be ADMIN, MEMBER or VIEWER' }),
});
// The members view's arguments, from GraphQL or the download's query string (which input hygiene does not see): text
// PostgreSQL cannot store is refused here too.
const storable = (text: z.ZodString) => text.refine(isStorableText, 'must not contain NUL bytes or invalid Unicode');
const listSchema = z.object({
  search: storable(z.string().trim().max(100, 'must be at most 100 characters')).nullish(),
  roles: z.array(z.enum(OrgRole)).nullish(),
  statuses: z.array(z.enum(MemberStatus)).nullish(),
  teams: z
    .array(storable(z.string().trim().toLowerCase().max(64, 'must be at most 64 characters')))
    .max(20, 'must list at most 20 teams')
    .nullish(),
  orderBy: z.object({ field: z.enum(MemberOrderField), direction: z.enum(OrderDirection).nullish() }).nullish(),
});

/**
 * A keyset condition: the rows after a position in the sort (`after`), or up to and including one (`until`), the
 * membership id last. `column` picks the keys' columns on org_memberships or on team_memberships.
 */
function keyset(
  q: Knex.QueryBuilder,
  keys: readonly SortKey[],
  column: 'sql' | 'teamSql',
  direction: 'asc' | 'desc',
  values: unknown[],
  side: 'after' | 'until' = 'after',
): void {
  const op = side === 'after' ? (direction === 'asc' ? '>' : '<') : direction === 'asc' ? '<=' : '>=';
  q.whereRaw(
    `(${keys.map((k) => k[column]).join(', ')}) ${op} (${keys.map((k) => `?::${k.cast}`).join(', ')})`,
    values as Knex.ValueDict[keyof Knex.ValueDict][],
  );
}

/** What bounds a team-filtered page's rows per team (MemberService.inTeams). */
interface TeamPageBound {
  first: number;
  after: unknown[] | null;
  keys: readonly SortKey[];
  direction: 'asc' | 'desc';
  /** The statuses the page may show (the caller's visibility and the statuses filter). */
  statuses: MemberStatus[];
  roles: readonly string[] | null;
}

interface SortKey {
  /** The column, on `org_memberships m`: every order is served by an index (organization_id, keys…, id). */
  sql: string;
  /** The same value on `team_memberships tm` (a team-filtered page: index (team_id, keys…, org_membership_id)). */
  teamSql: string;
  cast: keyof typeof CURSOR_VALUE;
}

/** to_char's format for ISO-8601 UTC with milliseconds (what Date.toISOString writes). */
const ISO_UTC = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/** What a cursor position holds for each SQL type a key is bound as (`?::cast`), checked before it is bound. */
const CURSOR_VALUE = {
  text: cursorValue.text,
  timestamptz: cursorValue.preciseTimestamp,
  int: cursorValue.int,
  uuid: cursorValue.uuid,
} as const;

/**
 * A key's value as its cursor holds it: timestamps as ISO-8601 UTC text with microseconds, which `?::timestamptz` reads
 * back exactly.
 */
const cursorValueSql = (k: SortKey) =>
  k.cast === 'timestamptz' ? `to_char(${k.sql} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')` : k.sql;

// The keys are columns the database keeps in step with the user or invitation (Migration20261129120000_MemberSortKeys):
// sort_name is the lower-cased name (the username when the name is empty; the invited email while PENDING),
// sort_last_active the last activity ('epoch' when never active), role_rank the role's position in ORG_ROLE_ORDER.
const NAME_KEY: SortKey = { sql: 'm.sort_name', teamSql: 'tm.sort_name', cast: 'text' };
/**
 * The sort keys of each orderBy field; the membership id last, so that every order is total and a cursor is one
 * position.
 */
const SORT_KEYS: Record<MemberOrderField, readonly SortKey[]> = {
  [MemberOrderField.NAME]: [NAME_KEY],
  [MemberOrderField.LAST_ACTIVE]: [{ sql: 'm.sort_last_active', teamSql: 'tm.sort_last_active', cast: 'timestamptz' }],
  [MemberOrderField.ROLE]: [{ sql: 'm.role_rank', teamSql: 'tm.role_rank', cast: 'int' }, NAME_KEY],
  [MemberOrderField.ADDED_AT]: [{ sql: 'm.created_at', teamSql: 'tm.added_at', cast: 'timestamptz' }],
};
const ID_KEY: SortKey = { sql: 'm.id', teamSql: 'tm.org_membership_id', cast: 'uuid' };

/**
 * A members-view sort: field and direction. The cursor records it, so changing orderBy between pages is refused, not
 * misread.
 */
type MemberOrder = `${MemberOrderField}_${OrderDirection}`;
/** The cursor schema of one sort: a value per key, the membership id last. */
function cursorSchema(field: MemberOrderField): z.ZodType<unknown[]> {
  const [first, ...rest] = [...SORT_KEYS[field], ID_KEY].map((k) => CURSOR_VALUE[k.cast]);
  if (!first) throw new Error('a sort has at least one key');
  return z.tuple([first, ...rest]);
}
const MEMBERS_CURSOR = cursorCodec('members', {
  NAME_ASC: cursorSchema(MemberOrderField.NAME),
  NAME_DESC: cursorSchema(MemberOrderField.NAME),
  LAST_ACTIVE_ASC: cursorSchema(MemberOrderField.LAST_ACTIVE),
  LAST_ACTIVE_DESC: cursorSchema(MemberOrderField.LAST_ACTIVE),
  ROLE_ASC: cursorSchema(MemberOrderField.ROLE),
  ROLE_DESC: cursorSchema(MemberOrderField.ROLE),
  ADDED_AT_ASC: cursorSchema(MemberOrderField.ADDED_AT),
  ADDED_AT_DESC: cursorSchema(MemberOrderField.ADDED_AT),
} satisfies Record<MemberOrder, z.ZodType<unknown[]>>);

export class MemberService extends Service {
  /**
   * The members view. A page is a range of the order's index on org_memberships, bounded by the page size; users and
   * invitations are read by primary key for the rows of the page only. totalCount is counted only when selected.
   */
  async list(
    org: Organization,
    args: { first?: number | null; after?: string | null } & Record<string, unknown>,
    /** Read in the page's statement too (the document selects them): each row's visible teams, the total count. */
    also: { teams?: boolean; totalCount?: boolean } = {},
  ): Promise<Connection<MemberView>> {
    const view = await this.prepare(org, args);
    const { order, keys } = view;
    const page = MEMBERS_CURSOR.page(args, order);
    const after = page.after as unknown[] | null;
    const pageView = view.teamPage ? { ...view, base: view.teamPage(page.first, after) } : view;
    const query = this.pageSql(pageView, page.first + 1, after);
    if (also.teams) this.withVisibleTeams(query, org, await this.ctx.authz.teamScope(org));
    // The per-status counts (a few rows by key) join the page as an uncorrelated scalar subquery, evaluated once. A
    // count of filtered rows stays a statement of its own: planned inside the page's, it was planned differently
    // (a 1,000-member team counted by scanning the organization's memberships; test/members-plans.test.ts).
    const countInPage = also.totalCount && view.countByStatusOnly;
    if (countInPage) query.select(view.countSql().as('total_count'));
    const rows = await this.rowsAsJson(query, view);
    const edges = rows.slice(0, page.first).map((r) =>
      MEMBERS_CURSOR.edge(
        order,
        keys.map((_, n) => r[`sort_${n}`]),
        this.toView(org, r, view.seesEmails),
      ),
    );
    // An empty page has no row to carry the count: then it is counted on its own, if asked.
    const counted = countInPage && rows[0] ? Number(rows[0].total_count ?? 0) : null;
    return {
      edges,
      nodes: edges.map((e) => e.node),
      pageInfo: pageInfoOf(page, edges, rows.length > page.first),
      totalCount: counted === null ? view.totalCount : async () => counted,
    };
  }

  /**
   * The page's rows as one JSON array built by PostgreSQL (in the page's order): the driver then parses one value
   * instead of decoding each of about 800 fields of a 50-row page one by one, which was the largest part of Node's
   * work per page after the response itself. Timestamps arrive as ISO-8601 text (toView reads them).
   */
  private async rowsAsJson(
    query: Knex.QueryBuilder,
    view: { keys: readonly SortKey[]; direction: 'asc' | 'desc' },
  ): Promise<MemberRow[]> {
    const knex: Knex = this.em.getKnex();
    const order = view.keys.map((_, n) => `x.key_${n} ${view.direction}`).join(', ');
    const [result] = (await knex
      .queryBuilder()
      .from(query.as('x'))
      .select(knex.raw(`coalesce(json_agg(x order by ${order}), '[]'::json) as rows`))) as Array<{
      rows: MemberRow[];
    }>;
    return result?.rows ?? [];
  }

  /**
   * The members view's rows for the export (MemberExportService) after the position `after` and up to `until` (sort
   * values from exportBoundary; null: from the start, to the end): the page SQL of `list`, with each row's visible
   * teams (JSON) and, where the caller may see them, its activity counts, in the same statement. No cursor encoding, no
   * per-row work beyond mapping.
   */
  async exportRange(
    org: Organization,
    args: Record<string, unknown>,
    after: unknown[] | null,
    until: unknown[] | null,
    /**
     * Rows per statement: a limit keeps the planner on the order's index (an open range would rather sort the whole
     * organization). A range that grew past it since its boundary was found is read on, from its last row.
     */
    limit: number,
  ): Promise<MemberExportSqlRow[]> {
    const view = await this.prepare(org, args);
    const knex: Knex = this.em.getKnex();
    const scope = await this.ctx.authz.teamScope(org);
    const activity = await this.ctx.authz.activityScopeSql(org, 'p.user_id');
    const readFrom = async (from: unknown[] | null) => {
      const inner = this.withVisibleTeams(this.pageSql(view, limit, from, until), org, scope)
        // The span by primary key; runs and reports counted only where the caller may see them (Authz.seesActivityOf,
        // as SQL).
        .joinRaw('left join activity_spans s on s.scope = ? and s.user_id = p.user_id', [org.id])
        .select(
          's.days_active',
          knex.raw(
            `case when p.user_id is not null and ${activity.sql} then ${runsCreatedSql('p.user_id', '?::uuid')} ` +
              'end as runs',
            [...activity.bindings, org.id],
          ),
          knex.raw(
            `case when p.user_id is not null and ${activity.sql} then ` +
              `${reportsCreatedSql('p.user_id', '?::uuid')} end as reports`,
            [...activity.bindings, org.id],
          ),
        )
        .select(
          knex.raw(`to_char(u.last_active_at at time zone 'UTC', ${ISO_UTC}) as last_active_iso`),
          knex.raw(`to_char(p.created_at at time zone 'UTC', ${ISO_UTC}) as added_iso`),
        );
      // Only the columns the file needs, timestamps as ISO text: parsing a million timestamps into Dates and formatting
      // them back was a good part of the export's CPU. The page's order again outside (a subquery's is not promised).
      const query = knex
        .from(inner.as('e'))
        .select(
          ...[
            'username',
            'name',
            'email',
            'role',
            'status',
            'last_active_iso',
            'added_iso',
            'teams',
            'days_active',
          ].map((c) => `e.${c}`),
          'e.runs',
          'e.reports',
          ...view.keys.map((_, n) => `e.sort_${n}`),
        );
      for (const n of view.keys.keys()) query.orderBy(`e.key_${n}`, view.direction);
      const raw = (await query) as Array<{
        username: string | null;
        name: string | null;
        email: string;
        role: OrgRole;
        status: MemberStatus;
        last_active_iso: string | null;
        added_iso: string;
        teams: MemberExportSqlRow['teams'];
        days_active: number | null;
        runs: string | null;
        reports: string | null;
        [sortKey: `sort_${number}`]: unknown;
      }>;
      return raw;
    };
    const raw = await readFrom(after);
    for (let page = raw; page.length === limit; ) {
      const lastRow = page.at(-1)!;
      page = await readFrom(view.keys.map((_, n) => lastRow[`sort_${n}`]));
      raw.push(...page);
    }
    return raw.map((r) => ({
      username: r.username,
      name: r.name,
      email: view.seesEmails ? r.email : null,
      role: r.role,
      status: r.status,
      lastActiveAt: r.last_active_iso,
      addedAt: r.added_iso,
      teams: r.teams,
      runsCreated: r.runs === null ? null : Number(r.runs),
      reportsCreated: r.reports === null ? null : Number(r.reports),
      daysActive: r.runs === null ? null : Number(r.days_active ?? 0),
    }));
  }

  /**
   * The position (sort values) of the `n`-th row after `after`: where an export batch of `n` rows ends. null when fewer
   * rows remain (the rest is the last batch). An index range of the order's index, nothing else read.
   */
  async exportBoundary(
    org: Organization,
    args: Record<string, unknown>,
    n: number,
    after: unknown[] | null,
  ): Promise<unknown[] | null> {
    const view = await this.prepare(org, args);
    const [row] = (await this.rowsSql(view, after, null)
      .offset(n - 1)
      .limit(1)) as Array<Record<`sort_${number}`, unknown>>;
    return row ? view.keys.map((_, k) => row[`sort_${k}`]) : null;
  }

  /** The checks, filters and base query of the members view, shared by `list` and `exportBatch`. */
  private async prepare(org: Organization, args: Record<string, unknown>) {
    await this.ctx.authz.requireOrg(org, OrgPermission.READ_MEMBERS);
    const filters = parseInput(listSchema, {
      search: args.search,
      roles: args.roles,
      statuses: args.statuses,
      teams: args.teams,
      orderBy: args.orderBy,
    });
    const field = filters.orderBy?.field ?? MemberOrderField.NAME;
    const order: MemberOrder = `${field}_${filters.orderBy?.direction ?? OrderDirection.ASC}`;
    const seesEveryone = await this.ctx.authz.seesInactiveMembers(org);
    const seesEmails = await this.canSeeEmails(org);
    const knex: Knex = this.em.getKnex();

    const direction: 'asc' | 'desc' = filters.orderBy?.direction === OrderDirection.DESC ? 'desc' : 'asc';
    const keys = [...SORT_KEYS[field], ID_KEY];
    // Others see active members only (Authz.seesInactiveMembers). Also applied to the per-status counts below.
    const ofVisibleStatuses = (q: Knex.QueryBuilder) => {
      if (!seesEveryone) q.where('m.status', MemberStatus.ACTIVE);
      if (filters.statuses?.length) q.whereIn('m.status', filters.statuses);
      return q;
    };
    // Every condition is on the membership row, so the page and the count read org_memberships alone.
    const filtered = (source: Knex.QueryBuilder | null) => {
      const q: Knex.QueryBuilder = source
        ? knex.queryBuilder().from(source.as('m'))
        : knex('org_memberships as m').where('m.organization_id', org.id);
      ofVisibleStatuses(q);
      if (filters.roles?.length) q.whereIn('m.role', filters.roles);
      if (filters.search) {
        // One table, and the trigram index org_memberships_search covers each column: the OR is a BitmapOr of its
        // scans.
        const like = containsPattern(filters.search.toLowerCase());
        q.where((w) => {
          w.whereRaw('m.search_name like ?', [like]).orWhereRaw('m.search_username like ?', [like]);
          // Searching by email would reveal addresses to those who may not see them.
          if (seesEmails) w.orWhereRaw('m.search_email like ?', [like]);
        });
      }
      return q;
    };
    const teams = filters.teams?.length ? filters.teams : null;
    const scope = teams ? await this.ctx.authz.teamScope(org) : null;
    const base = filtered(teams && scope ? this.inTeams(org, teams, scope) : null);
    const shown = [MemberStatus.ACTIVE, MemberStatus.DEACTIVATED, MemberStatus.PENDING].filter(
      (st) =>
        (seesEveryone || st === MemberStatus.ACTIVE) && (!filters.statuses?.length || filters.statuses.includes(st)),
    );
    // A page filtered by team without a search reads, per team, only the `first + 1` rows after the cursor (an index
    // range of team_memberships), which hold the page whatever the team's size; the count (and the export) read every
    // matching row. A search keeps the unbounded rows: its matches are not in the index's order.
    const teamPage =
      teams && scope && !filters.search
        ? (first: number, after: unknown[] | null) =>
            filtered(
              this.inTeams(org, teams, scope, {
                first,
                after,
                keys,
                direction,
                statuses: shown,
                roles: filters.roles ?? null,
              }),
            )
        : null;
    // Filtered by status alone: the organization's per-status counts, kept by triggers (one to three rows).
    // Otherwise the page's own conditions, counted through the filters' indexes. One column, `n`.
    const byStatusOnly = !filters.roles?.length && !filters.teams?.length && !filters.search;
    // Filtered by team without a search: the teams' membership rows carry their organization membership's status and
    // role, so the count is a range of one index per team (team_memberships_team_count), not a lookup per member.
    const teamCount =
      teams && scope && !filters.search
        ? () => {
            const counts = this.teamsCountSql(org, teams, scope, shown, filters.roles ?? null);
            return knex
              .queryBuilder()
              .select(knex.raw('(?) + (?) as n', [counts.members, filtered(counts.invited).count('*')]));
          }
        : null;
    const countSql = (): Knex.QueryBuilder =>
      byStatusOnly
        ? ofVisibleStatuses(knex('org_member_counts as m').where('m.organization_id', org.id)).sum('m.n as n')
        : teamCount
          ? teamCount()
          : base.clone().count('* as n');
    const totalCount = lazyTotalCount(async () => {
      const counted = (await countSql()) as Array<{ n: string | number | null }>;
      return Number(counted[0]?.n ?? 0);
    });
    return {
      order,
      keys,
      direction,
      base,
      teamPage,
      seesEmails,
      totalCount,
      countSql,
      countByStatusOnly: byStatusOnly,
    };
  }

  /**
   * Adds each row's visible teams (Authz.teamScopeSql: the hidden-team rule) to a page query, as JSON `teams`
   * (`[{ team, role }]` by name): an ACTIVE or DEACTIVATED member's team memberships, a PENDING row's invitation
   * assignments to existing teams. The members page and the export read them this way, in their one statement.
   */
  private withVisibleTeams(query: Knex.QueryBuilder, org: Organization, scope: TeamScope): Knex.QueryBuilder {
    const visible = Authz.teamScopeSql(scope, 't');
    return query
      .joinRaw(
        `left join lateral (select coalesce(json_agg(json_build_object('team', x.name, 'role', x.role) order by ` +
          `x.name), '[]'::json) as teams from (select t.name, tm.role from team_memberships tm cross join lateral ` +
          `(select t.* from teams t where t.id = tm.team_id limit 1) t where tm.user_id = p.user_id and ` +
          `t.organization_id = ? and ${visible.sql} union all ` +
          `select t.name, a->>'role' from invitations inv cross join jsonb_array_elements(inv.teams) a join ` +
          `teams t on t.organization_id = ? and t.name = a->>'team' where p.user_id is null and ` +
          `inv.id = p.invitation_id and inv.status = 'PENDING' and ${visible.sql}) x) tj on true`,
        [org.id, ...visible.bindings, org.id, ...visible.bindings],
      )
      .select('tj.teams');
  }

  /**
   * A page of the view: a range of the order's index on org_memberships (`limit` rows after `after`, the sort values
   * of a position), then the users and invitations of those rows by primary key.
   */
  private pageSql(
    view: { keys: SortKey[]; direction: 'asc' | 'desc'; base: Knex.QueryBuilder },
    limit: number | null,
    after: unknown[] | null,
    /** The export's ranges: up to and including this position. */
    until: unknown[] | null = null,
  ): Knex.QueryBuilder {
    const { keys, direction } = view;
    const knex: Knex = this.em.getKnex();
    // The page's rows first (limit inside), then their users and invitations.
    const rowsOfPage = this.rowsSql(view, after, until);
    if (limit !== null) rowsOfPage.limit(limit);
    // A primary-key lookup per row of the page whatever the planner estimates, never a scan of users or invitations:
    // `limit 1` keeps each lateral subquery from being flattened into an ordinary (hashable) join.
    const pageQuery = knex
      .queryBuilder()
      .from(rowsOfPage.as('p'))
      .joinRaw(
        'left join lateral (select u.name, u.username, u.last_active_at, u.email from users u ' +
          'where u.id = p.user_id limit 1) u on true',
      )
      .joinRaw('left join lateral (select i.email from invitations i where i.id = p.invitation_id limit 1) i on true')
      .select('p.*', 'u.name', 'u.username', 'u.last_active_at', knex.raw('coalesce(u.email, i.email) as email'));
    for (const n of keys.keys()) pageQuery.orderBy(`p.key_${n}`, direction);
    return pageQuery;
  }

  /** The view's membership rows in order, after `after` and up to `until` (positions: sort values), unlimited. */
  private rowsSql(
    view: { keys: SortKey[]; direction: 'asc' | 'desc'; base: Knex.QueryBuilder },
    after: unknown[] | null,
    until: unknown[] | null,
  ): Knex.QueryBuilder {
    const { keys, direction, base } = view;
    const knex: Knex = this.em.getKnex();
    const rowsOfPage = base
      .clone()
      .select(
        'm.id',
        'm.user_id',
        'm.invitation_id',
        'm.role',
        'm.status',
        'm.created_at',
        ...keys.flatMap((k, n) => [knex.raw(`${k.sql} as key_${n}`), knex.raw(`${cursorValueSql(k)} as sort_${n}`)]),
      );
    // The codec checked a cursor against this sort (the export passes positions the SQL wrote): one value of the right
    // type per key.
    if (after) keyset(rowsOfPage, keys, 'sql', direction, after);
    if (until) keyset(rowsOfPage, keys, 'sql', direction, until, 'until');
    for (const k of keys) rowsOfPage.orderByRaw(`${k.sql} ${direction}`);
    return rowsOfPage;
  }

  /**
   * The organization's membership rows in any of the named teams the caller sees (Authz.teamScope: the hidden-team
   * rule; an invisible team matches nobody): the teams' members, and the PENDING rows whose invitation assigns one of
   * the teams. Driven from the teams (team_memberships, and invitations by their indexed `teams`), so the cost follows
   * the teams' size, not the organization's. The two parts never share a row (the second leaves out rows whose user
   * the first finds), so `union all` needs no deduplicating pass over the rows. (Not async: a query builder is
   * thenable, awaiting it would run it.)
   */
  private inTeams(org: Organization, names: string[], scope: TeamScope, bound?: TeamPageBound): Knex.QueryBuilder {
    const knex: Knex = this.em.getKnex();
    const { teams, teamUsers, invited } = this.teamQueries(org, names, scope);
    let members: Knex.QueryBuilder;
    if (bound) {
      // Per named team, the first `first + 1` rows after the cursor in the page's order: a range of the order's index
      // on team_memberships, with the page's status and role conditions (a row they drop would leave the range short).
      const top = knex('team_memberships as tm')
        .select('tm.org_membership_id')
        .whereRaw('tm.team_id = t.id')
        .whereIn('tm.member_status', bound.statuses)
        .limit(bound.first + 1);
      if (bound.roles?.length) top.whereIn('tm.member_role', bound.roles);
      if (bound.after) keyset(top, bound.keys, 'teamSql', bound.direction, bound.after);
      for (const k of bound.keys) top.orderByRaw(`${k.teamSql} ${bound.direction}`);
      const { sql, bindings } = top.toSQL();
      const ids = teams()
        .joinRaw(`cross join lateral (${sql}) as tm`, [...bindings])
        .distinct('tm.org_membership_id as id');
      // Each row by primary key: `limit 1` keeps the lateral subquery from becoming a hash join over the table.
      members = knex
        .queryBuilder()
        .from(ids.as('ids'))
        .joinRaw('cross join lateral (select * from org_memberships m where m.id = ids.id limit 1) as m')
        .select('m.*');
    } else {
      members = knex('org_memberships as m')
        .select('m.*')
        .where('m.organization_id', org.id)
        .whereIn('m.user_id', teamUsers());
    }
    if (bound) {
      // The PENDING rows bounded the same way: the first `first + 1` after the cursor, under the page's conditions.
      if (!bound.statuses.includes(MemberStatus.PENDING)) return members;
      if (bound.roles?.length) invited.whereIn('m.role', bound.roles);
      if (bound.after) keyset(invited, bound.keys, 'sql', bound.direction, bound.after);
      for (const k of bound.keys) invited.orderByRaw(`${k.sql} ${bound.direction}`);
      invited.limit(bound.first + 1);
      // Each side of the union in parentheses, so that the second side's order and limit are its own.
      return knex.queryBuilder().unionAll([members, invited], true);
    }
    return members.unionAll(invited);
  }

  /**
   * The pieces of inTeams: the named teams the caller sees, their members' user ids, and the PENDING rows whose
   * invitation assigns one of the teams (and whose user, if any, is not already a member of one).
   */
  private teamQueries(org: Organization, names: string[], scope: TeamScope) {
    const knex: Knex = this.em.getKnex();
    const visible = Authz.teamScopeSql(scope, 't');
    const teams = () =>
      knex('teams as t')
        .where('t.organization_id', org.id)
        .whereIn('t.name', names)
        .whereRaw(visible.sql, visible.bindings);
    const teamUsers = () =>
      knex('team_memberships as tm').whereIn('tm.team_id', teams().select('t.id')).select('tm.user_id');
    const invited = knex('org_memberships as m')
      .select('m.*')
      .where('m.organization_id', org.id)
      .where('m.status', MemberStatus.PENDING)
      .where((w) => w.whereNull('m.user_id').orWhereNotIn('m.user_id', teamUsers()))
      .whereIn(
        'm.invitation_id',
        teams()
          .join('invitations as i', (j) =>
            j
              .on(knex.raw(`i.teams @> jsonb_build_array(jsonb_build_object('team', t.name))`))
              .andOnVal('i.organization_id', org.id),
          )
          .select('i.id'),
      );
    return { teams, teamUsers, invited };
  }

  /**
   * The two parts of the count of inTeams' rows: `members`, one count of the teams' membership rows whose
   * organization membership has one of `statuses` (and `roles`), read from team_memberships_team_count alone (a member
   * of several named teams counted once); `invited`, inTeams' PENDING rows, for the caller's filters.
   */
  private teamsCountSql(
    org: Organization,
    names: string[],
    scope: TeamScope,
    statuses: MemberStatus[],
    roles: readonly string[] | null,
  ): { members: Knex.QueryBuilder; invited: Knex.QueryBuilder } {
    const knex: Knex = this.em.getKnex();
    const { teams, invited } = this.teamQueries(org, names, scope);
    const members = knex('team_memberships as tm')
      .whereIn('tm.team_id', teams().select('t.id'))
      .whereIn('tm.member_status', statuses);
    if (roles?.length) members.whereIn('tm.member_role', roles);
    members.select(knex.raw(names.length > 1 ? 'count(distinct tm.org_membership_id)' : 'count(*)'));
    return { members, invited };
  }

  private toView(org: Organization, r: MemberRow, emailVisible: boolean): MemberView {
    return {
      emailVisible,
      id: r.id,
      organization: org,
      userId: r.user_id,
      invitationId: r.invitation_id,
      role: r.role,
      status: r.status,
      addedAt: new Date(r.created_at),
      email: r.email,
      name: r.name,
      username: r.username,
      lastActiveAt: r.last_active_at ? new Date(r.last_active_at) : null,
      ...(r.teams ? { teams: r.teams.map((t) => ({ name: t.team, role: t.role })) } : {}),
    };
  }

  /**
   * Team names and roles of a member, by team name, batched per request; only teams the caller sees (`team:view`:
   * the hidden-team rule, Authz.teamScope). A PENDING row shows its invitation's team assignments (teams deleted
   * since are left out). Those the page read with its rows as they are, without a promise per row.
   */
  teamsOf(
    member: MemberView,
  ): Array<{ name: string; role: TeamRole }> | Promise<Array<{ name: string; role: TeamRole }>> {
    return member.teams ?? this.loadTeamsOf(member);
  }

  private async loadTeamsOf(member: MemberView): Promise<Array<{ name: string; role: TeamRole }>> {
    const org = member.organization;
    const entries: Array<{ team: TeamFacts; role: TeamRole }> = [];
    if (member.userId) {
      entries.push(...(await this.ctx.loaders.teamsOfMember.load(membershipKey(org.id, member.userId))));
    } else if (member.invitationId) {
      const invitation = await this.ctx.loaders.invitationById.load(member.invitationId);
      const assignments = invitation?.status === InvitationStatus.PENDING ? invitation.teams : [];
      const teams = await Promise.all(
        assignments.map((a) => this.ctx.loaders.teamByName.load(teamNameKey(org.id, a.team))),
      );
      assignments.forEach((a, i) => {
        const team = teams[i];
        if (team) entries.push({ team, role: a.role as TeamRole });
      });
      entries.sort((a, b) => a.team.name.localeCompare(b.team.name));
    }
    return (await this.ctx.authz.visibleTeams(org, entries)).map(({ team, role }) => ({ name: team.name, role }));
  }

  /** Whether the caller may see member emails in this organization. */
  async canSeeEmails(org: Organization): Promise<boolean> {
    return this.ctx.authz.canOrg(org, OrgPermission.READ_MEMBER_EMAILS);
  }

  /**
   * A member's email for those who may see it (canSeeEmails), null for others. A page decided it once for its rows
   * (`emailVisible`): then without a promise per row.
   */
  emailOf(member: MemberView): string | null | Promise<string | null> {
    if (member.emailVisible !== undefined) return member.emailVisible ? member.email : null;
    return this.canSeeEmails(member.organization).then((sees) => (sees ? member.email : null));
  }

  /**
   * The pending invitation behind a PENDING row, for callers who see invitations (Authz.seesInvitations); null
   * otherwise.
   */
  async invitationOf(member: MemberView): Promise<Invitation | null> {
    if (member.status !== MemberStatus.PENDING || !member.invitationId) return null;
    if (!(await this.ctx.authz.seesInvitations(member.organization))) return null;
    return this.ctx.loaders.invitationById.load(member.invitationId);
  }

  static viewOf(org: Organization, m: Membership, user: User): MemberView {
    return {
      id: m.id,
      organization: org,
      userId: user.id,
      invitationId: m.invitation?.id ?? null,
      role: m.role,
      status: m.status,
      addedAt: m.createdAt,
      email: user.email,
      name: user.name,
      username: user.username,
      lastActiveAt: user.lastActiveAt,
    };
  }

  /**
   * A user's membership (ACTIVE or DEACTIVATED) by username or email; pending invitations are managed with
   * updateInvitation, resendInvitation and revokeInvitation.
   */
  private async target(
    em: EntityManager,
    org: Organization,
    login: string,
  ): Promise<{ membership: Membership; user: User }> {
    const user = await em.findOne(User, byLogin(login));
    const membership = user ? await em.findOne(Membership, { organization: org.id, user: user.id }) : null;
    if (!user || !membership) {
      throw notFound(
        `"${login}" is not a member of "${org.name}". For a pending invitation use updateInvitation, ` +
          `resendInvitation or revokeInvitation.`,
      );
    }
    return { membership, user };
  }

  /** Runs a change on one member with the organization locked and the caller's right re-checked under the lock. */
  private async onMember<T>(
    organization: string,
    login: string,
    change: (em: EntityManager, org: Organization, membership: Membership, user: User) => Promise<T>,
  ): Promise<T> {
    const org = await new OrganizationService(this.ctx).getFor(organization, OrgPermission.MANAGE_MEMBERS);
    return this.em.transactional(async (em) => {
      const locked = await lockOrganization(em, org.id);
      await this.recheckOrg(em, locked, OrgPermission.MANAGE_MEMBERS);
      const { membership, user } = await this.target(em, locked, login);
      return change(em, locked, membership, user);
    });
  }

  /** Idempotent: the member's current role succeeds with `changed: false` and writes no audit event. */
  async updateRole(raw: unknown): Promise<MemberChange> {
    const input = parseInput(roleSchema, raw);
    return this.onMember(input.organization, input.user, async (em, org, membership, user) => {
      const changed = await MemberService.changeRole(em, org, membership, user, input.role, (e) => this.audit(em, e));
      return { member: MemberService.viewOf(org, membership, user), changed };
    });
  }

  /**
   * The role-change rule for every path (updateMemberRole, SCIM): the last active admin, seats, team roles capped in
   * the same transaction. Call with the organization locked. false (nothing written) when the role is already that.
   */
  static async changeRole(
    em: EntityManager,
    org: Organization,
    membership: Membership,
    user: User,
    role: OrgRole,
    audit: (event: AuditInput) => void,
  ): Promise<boolean> {
    const from = membership.role;
    if (from === role) return false;
    if (membership.status === MemberStatus.ACTIVE) {
      if (role !== ORG_ADMIN_ROLE) await assertNotLastAdmin(em, org, membership);
      if (!SEAT_ROLES.has(from) && SEAT_ROLES.has(role)) await assertSeatAvailable(em, org);
    }
    // Team roles above what the new organization role allows (a VIEWER: VIEW_ONLY) go in this same
    // transaction, or the person would keep showing as team ADMIN and count for the last-team-admin rule.
    await capTeamRoles(em, org, user, role, audit);
    membership.role = role;
    audit({
      action: AuditAction.MEMBER_ROLE_CHANGED,
      organizationId: org.id,
      target: { type: 'user', id: user.id, label: user.username },
      metadata: { from, to: role },
    });
    return true;
  }

  /** Removes a member, or lets a member leave. Their account, runs and reports stay. */
  async remove(raw: unknown): Promise<{ removedMemberId: string; organization: Organization; user: User }> {
    const input = parseInput(targetSchema, raw);
    this.ctx.authz.requireUser();
    const org = await new OrganizationService(this.ctx).getVisible(input.organization);
    const leaving = this.ctx.authz.isSelf((await this.em.findOne(User, byLogin(input.user)))?.id);
    if (!leaving) await this.ctx.authz.requireOrg(org, OrgPermission.MANAGE_MEMBERS);
    return this.em.transactional(async (em) => {
      const locked = await lockOrganization(em, org.id);
      if (!leaving) await this.recheckOrg(em, locked, OrgPermission.MANAGE_MEMBERS);
      const { membership, user } = await this.target(em, locked, input.user);
      await MemberService.removeMembership(em, locked, membership, user, leaving, (e) => this.audit(em, e));
      return { removedMemberId: membership.id, organization: locked, user };
    });
  }

  /**
   * The removal rule for every path (removeMember, SCIM DELETE): never the last active admin; the organization's team
   * memberships go with it; the account, its runs and reports stay. Call with the organization locked.
   */
  static async removeMembership(
    em: EntityManager,
    org: Organization,
    membership: Membership,
    user: User,
    leaving: boolean,
    audit: (event: AuditInput) => void,
  ): Promise<void> {
    await assertNotLastAdmin(em, org, membership);
    em.remove(membership);
    await TeamService.leaveAllTeams(em, org, user.id);
    if (user.defaultOrganization?.id === org.id) user.defaultOrganization = null;
    audit({
      action: AuditAction.MEMBER_REMOVED,
      organizationId: org.id,
      target: { type: 'user', id: user.id, label: user.username },
      metadata: { role: membership.role, status: membership.status, left: leaving },
    });
  }

  /** Idempotent: deactivating a deactivated member succeeds with `changed: false` and writes no audit event. */
  async deactivate(raw: unknown): Promise<MemberChange> {
    const input = parseInput(targetSchema, raw);
    return this.onMember(input.organization, input.user, async (em, org, membership, user) => {
      const changed = await MemberService.setStatus(em, org, membership, user, MemberStatus.DEACTIVATED, (e) =>
        this.audit(em, e),
      );
      return { member: MemberService.viewOf(org, membership, user), changed };
    });
  }

  /**
   * The deactivation and reactivation rules for every path (deactivateMember, reactivateMember, SCIM `active`):
   * deactivating never leaves the organization without an active admin and frees the seat (sessions and API keys stop
   * reaching the organization on their next request, Authz); reactivating needs a free seat. Call with the
   * organization locked. false (nothing written) when the member already has that status.
   */
  static async setStatus(
    em: EntityManager,
    org: Organization,
    membership: Membership,
    user: User,
    status: MemberStatus.ACTIVE | MemberStatus.DEACTIVATED,
    audit: (event: AuditInput) => void,
  ): Promise<boolean> {
    if (membership.status === status) return false;
    if (status === MemberStatus.DEACTIVATED) await assertNotLastAdmin(em, org, membership);
    else if (SEAT_ROLES.has(membership.role)) await assertSeatAvailable(em, org);
    membership.status = status;
    audit({
      action: status === MemberStatus.DEACTIVATED ? AuditAction.MEMBER_DEACTIVATED : AuditAction.MEMBER_REACTIVATED,
      organizationId: org.id,
      target: { type: 'user', id: user.id, label: user.username },
      metadata: { role: membership.role },
    });
    return true;
  }

  /** Idempotent: reactivating an active member succeeds with `changed: false` (no seat is taken, no audit event). */
  async reactivate(raw: unknown): Promise<MemberChange> {
    const input = parseInput(targetSchema, raw);
    return this.onMember(input.organization, input.user, async (em, org, membership, user) => {
      const changed = await MemberService.setStatus(em, org, membership, user, MemberStatus.ACTIVE, (e) =>
        this.audit(em, e),
      );
      return { member: MemberService.viewOf(org, membership, user), changed };
    });
  }
}

/** A row of the members export, as MemberService.exportBatch reads it. */
export interface MemberExportSqlRow {
  username: string | null;
  name: string | null;
  /** null when the caller may not see emails (`member:read_email`). */
  email: string | null;
  role: OrgRole;
  status: MemberStatus;
  /** ISO-8601 UTC with milliseconds, as Date.toISOString writes it. */
  lastActiveAt: string | null;
  addedAt: string;
  /** Visible teams (the hidden-team rule), by name; a PENDING row's invitation assignments. */
  teams: Array<{ team: string; role: TeamRole }>;
  /** null where the caller may not see the member's activity (usage:read, or their own row), and for PENDING rows. */
  runsCreated: number | null;
  reportsCreated: number | null;
  daysActive: number | null;
}

/** A member after an idempotent change: `changed` is false when it was already in the requested state. */
export interface MemberChange {
  member: MemberView;
  changed: boolean;
}

interface MemberRow {
  id: string;
  user_id: string | null;
  invitation_id: string | null;
  role: OrgRole;
  status: MemberStatus;
  created_at: Date | string;
  name: string | null;
  username: string | null;
  last_active_at: Date | string | null;
  email: string;
  /** With MemberService.withVisibleTeams. */
  teams?: Array<{ team: string; role: TeamRole }>;
  /** With the page's total count (a bigint or numeric: text). */
  total_count?: string | number | null;
  /** Each sort key's value as its cursor holds it (`key_<n>`, the value itself, orders the page). */
  [sortKey: `sort_${number}`]: unknown;
}
