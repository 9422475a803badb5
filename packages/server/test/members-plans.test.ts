import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, instanceWithAdmin, type InstanceWithAdmin } from './fixtures';

// The members view's SQL, as the server sends it, explained on an organization of a few thousand members (and a
// second organization, so that a scan of users would read other organizations' users): every order is an index range
// bounded by the page, search uses the trigram index, and users are read by primary key only. Performance itself is
// measured by the benchmark (packages/bench); this test keeps the plans from regressing.

const MEMBERS = 5000;
const PAGE = 50;
const Q =
  'query($first: Int, $after: String, $search: String, $teams: [String!], $orderBy: MemberOrder) { ' +
  'organization(name: "acme") { members(first: $first, after: $after, search: $search, teams: $teams, ' +
  'orderBy: $orderBy) { totalCount pageInfo { endCursor } nodes { id name } } } }';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Scan Direction'?: string;
  'Index Cond'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  Plans?: PlanNode[];
}

const nodesOf = (plan: PlanNode): PlanNode[] => [plan, ...(plan.Plans ?? []).flatMap(nodesOf)];

interface Raw {
  query(sql: string, values: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
}

describe('members view plans', () => {
  let ctx: InstanceWithAdmin;

  beforeAll(async () => {
    ctx = await instanceWithAdmin();
    const em = ctx.t.server.db.orm.em.fork();
    const created = await gql(
      ctx.url,
      'mutation { a: createTeam(input: { organization: "acme", name: "small" }) { team { id } } ' +
        'c: createTeam(input: { organization: "acme", name: "big" }) { team { id } } b: ' +
        'createOrganization(input: { name: "other" }) { organization { id } } }',
      {},
      ctx.admin.token,
    );
    expect(created.errors).toBeUndefined();
    // Set-based, like the benchmark's generator: users of acme and of another organization, memberships, one team.
    for (const [org, prefix, size] of [
      ['acme', 'a', MEMBERS],
      ['other', 'o', MEMBERS / 10],
    ] as const) {
      await em.getConnection().execute(
        `insert into users (id, email, username, name, created_at, last_active_at)
         select gen_random_uuid(), ? || g || '@plans.test', ? || g,
           (array['Ada','Bruno','Chen','Dana','Emil','Fatima','Gus','Hana','Ivan','Jun','Kofi','Lena','Mia'])
             [1 + (g * 7919) % 13] || ' ' ||
           (array['Abbott','Bauer','Costa','Dubois','Evans','Fischer','Garcia','Horvat','Ito','Jensen','Khan'])
             [1 + (g * 104729) % 11] || ' ' || g,
           now(), case when g % 10 = 0 then null else now() - make_interval(mins => g) end
         from generate_series(1, ?) g`,
        [prefix, prefix, size],
      );
      await em.getConnection().execute(
        `insert into org_memberships (id, organization_id, user_id, role, status, created_at, updated_at)
         select gen_random_uuid(), o.id, u.id,
           case when u.username like '%0' then 'ADMIN' when u.username like '%1' then 'VIEWER' else 'MEMBER' end,
           'ACTIVE', now(), now()
         from users u, organizations o where o.name = ? and u.email like ? || '%@plans.test'`,
        [org, prefix],
      );
    }
    await em.getConnection().execute(
      `insert into team_memberships (id, team_id, user_id, role, created_at)
       select gen_random_uuid(), t.id, u.id, 'MEMBER', now() from teams t, users u
       where t.name = 'small' and u.email like 'a%@plans.test' and u.username like '%37'`,
    );
    // A team of a fifth of the organization (1,000 members): its pages must still read about a page of rows.
    await em.getConnection().execute(
      `insert into team_memberships (id, team_id, user_id, role, created_at)
       select gen_random_uuid(), t.id, u.id, 'MEMBER', now() from teams t, users u
       where t.name = 'big' and u.email like 'a%@plans.test' and (u.username like '%3' or u.username like '%8')`,
    );
    // vacuum too: GIN indexes keep their size statistics (which the planner costs them by) in their metapage, updated
    // by vacuum, not by analyze.
    await em.getConnection().execute('vacuum analyze');
  });
  afterAll(() => ctx?.t.close());

  /** EXPLAIN ANALYZE of every statement on org_memberships the server runs for one members page. */
  async function plans(variables: Record<string, unknown>): Promise<Array<{ sql: string; nodes: PlanNode[] }>> {
    const knex = ctx.t.server.db.orm.em.getConnection().getKnex();
    const sent: Array<{ sql: string; bindings: unknown[] }> = [];
    const listener = (q: { sql: string; bindings?: unknown[] }) =>
      sent.push({ sql: q.sql, bindings: q.bindings ?? [] });
    knex.on('query', listener);
    try {
      const res = await gql(ctx.url, Q, { first: PAGE, ...variables }, ctx.admin.token);
      expect(res.errors).toBeUndefined();
    } finally {
      knex.off('query', listener);
    }
    // The members view's statements (not the organization lookup, which reads the caller's membership by key): the
    // page (with totalCount in it when counted from the per-status counts), and the count of filtered rows.
    const statements = sent.filter(
      (s) =>
        /org_memberships|org_member_counts/.test(s.sql) &&
        /^select/i.test(s.sql) &&
        !/from organizations o left join org_memberships/.test(s.sql),
    );
    expect(statements.length).toBeGreaterThanOrEqual(1);
    // The exact text and parameters the server sent, on a raw connection of its own pool.
    const raw = (await knex.client.acquireConnection()) as Raw;
    try {
      const explained = [];
      for (const s of statements) {
        const { rows } = await raw.query(`explain (analyze, format json) ${s.sql}`, s.bindings);
        const [explainedPlan] = rows[0]!['QUERY PLAN'] as Array<{ Plan: PlanNode }>;
        const plan = explainedPlan!.Plan;
        explained.push({ sql: s.sql, nodes: nodesOf(plan) });
      }
      return explained;
    } finally {
      await knex.client.releaseConnection(raw);
    }
  }

  function expectNoScanOfWholeTables(explained: Array<{ sql: string; nodes: PlanNode[] }>): void {
    for (const { sql, nodes } of explained) {
      for (const n of nodes) {
        if (n['Relation Name'] === 'users' || n['Relation Name'] === 'org_memberships')
          expect(n['Node Type'], `${n['Relation Name']} in ${sql}`).not.toBe('Seq Scan');
        // Users only by primary key, one row per row of the page.
        if (n['Relation Name'] === 'users') {
          expect(n['Index Name'], sql).toBe('users_pkey');
          expect(n['Actual Rows'] * n['Actual Loops']).toBeLessThanOrEqual(PAGE + 1);
        }
      }
    }
  }

  /** The page's scan of `index`, bounded by the page size. */
  function expectPageFrom(explained: Array<{ sql: string; nodes: PlanNode[] }>, index: string, direction: string) {
    const page = explained.find((e) => e.sql.includes('limit'));
    const scan = page?.nodes.find((n) => n['Index Name'] === index);
    expect(scan, `${index} in ${page?.sql}`).toBeDefined();
    expect(scan!['Node Type']).toBe('Index Scan');
    expect(scan!['Scan Direction']).toBe(direction);
    expect(scan!['Actual Rows']).toBeLessThanOrEqual(PAGE + 1);
    return scan!;
  }

  it('serves the default page from the name index, and its count from the per-status counts', async () => {
    const explained = await plans({});
    expectPageFrom(explained, 'org_memberships_name_order', 'Forward');
    expectNoScanOfWholeTables(explained);
    const count = explained.find((e) => e.sql.includes('org_member_counts'));
    expect(count, 'totalCount from org_member_counts').toBeDefined();
  });

  it('serves LAST_ACTIVE descending and ROLE from their indexes', async () => {
    const last = await plans({ orderBy: { field: 'LAST_ACTIVE', direction: 'DESC' } });
    expectPageFrom(last, 'org_memberships_last_active_order', 'Backward');
    expectNoScanOfWholeTables(last);
    const role = await plans({ orderBy: { field: 'ROLE' } });
    expectPageFrom(role, 'org_memberships_role_order', 'Forward');
    expectNoScanOfWholeTables(role);
  });

  it('starts the next page at the cursor inside the index', async () => {
    const first = await gql<{ organization: { members: { pageInfo: { endCursor: string } } } }>(
      ctx.url,
      Q,
      { first: PAGE },
      ctx.admin.token,
    );
    const after = first.data!.organization.members.pageInfo.endCursor;
    const explained = await plans({ after });
    const scan = expectPageFrom(explained, 'org_memberships_name_order', 'Forward');
    expect(scan['Index Cond']).toMatch(/ROW\(sort_name, id\) >/);
    expectNoScanOfWholeTables(explained);
  });

  it('searches through the trigram index, page and count', async () => {
    const explained = await plans({ search: 'abbott 12' });
    for (const { sql, nodes } of explained)
      expect(
        nodes.filter((n) => n['Index Name'] === 'org_memberships_search').length,
        `trigram index in ${sql}`,
      ).toBeGreaterThanOrEqual(1);
    expectNoScanOfWholeTables(explained);
  });

  it('pages a large team from its index on team_memberships, a page of rows per page, in every order', async () => {
    for (const [orderBy, index, direction] of [
      [{ field: 'NAME' }, 'team_memberships_name_order', 'Forward'],
      [{ field: 'LAST_ACTIVE', direction: 'DESC' }, 'team_memberships_last_active_order', 'Backward'],
      [{ field: 'ROLE' }, 'team_memberships_role_order', 'Forward'],
      [{ field: 'ADDED_AT', direction: 'DESC' }, 'team_memberships_added_order', 'Backward'],
    ] as const) {
      const first = await gql<{ organization: { members: { pageInfo: { endCursor: string } } } }>(
        ctx.url,
        Q,
        { first: PAGE, teams: ['big'], orderBy },
        ctx.admin.token,
      );
      expect(first.errors).toBeUndefined();
      for (const after of [undefined, first.data!.organization.members.pageInfo.endCursor]) {
        const explained = await plans({ teams: ['big'], orderBy, after });
        const page = explained.find((e) => e.sql.includes('limit'));
        const scan = page?.nodes.find((n) => n['Index Name'] === index);
        expect(scan, `${index} in ${page?.sql}`).toBeDefined();
        expect(scan!['Scan Direction']).toBe(direction);
        expect(scan!['Actual Rows'] * scan!['Actual Loops'], JSON.stringify(orderBy)).toBeLessThanOrEqual(PAGE + 1);
        if (after) expect(scan!['Index Cond']).toMatch(/ROW\(/);
        // The page only: the count reads every member of the team, by whichever plan is cheapest at this size.
        expectNoScanOfWholeTables([page!]);
      }
    }
  });

  it('counts a team filter from team_memberships, not member by member', async () => {
    // Which index (team_memberships_team_count) or scan reads the team is the planner's choice at this size (here the
    // big team is most of the table); at 100k members docs/PERFORMANCE.md shows an index-only scan. What must hold at
    // any size: the organization's memberships are read only for PENDING rows invited to the teams (none here), never
    // once per member.
    for (const teams of [['big'], ['big', 'small']]) {
      const explained = await plans({ teams });
      const count = explained.find((e) => !e.sql.includes('limit'));
      expect(count, 'a count statement').toBeDefined();
      expect(count!.nodes.some((n) => n['Relation Name'] === 'team_memberships')).toBe(true);
      for (const n of count!.nodes.filter((n) => n['Relation Name'] === 'org_memberships'))
        expect(n['Actual Rows'] * n['Actual Loops'], count!.sql).toBeLessThanOrEqual(1);
    }
  });

  it('keeps the GIN indexes of search and team filter from piling up unmerged entries after bulk writes', async () => {
    // Every search reads the whole pending list of a GIN index until it is merged; Migration20261129201000 caps it at
    // 128 kB (16 pages) instead of 4 MB, so reads stay bounded however late autovacuum comes.
    const conn = ctx.t.server.db.orm.em.fork().getConnection();
    await conn.execute('create extension if not exists pgstattuple');
    await conn.execute(
      `insert into invitations (id, organization_id, email, role, teams, token_hash, status, expires_at, created_at)
       select gen_random_uuid(), o.id, 'bulk' || g || '@plans.test', 'MEMBER', '[{"team": "big", "role": "MEMBER"}]',
         md5(g::text || 'plans'), 'PENDING', now() + interval '7 days', now()
       from organizations o, generate_series(1, 3000) g where o.name = 'other'`,
    );
    await conn.execute(
      `insert into org_memberships (id, organization_id, invitation_id, role, status, created_at, updated_at)
       select gen_random_uuid(), i.organization_id, i.id, 'MEMBER', 'PENDING', now(), now()
       from invitations i where i.email like 'bulk%@plans.test'`,
    );
    for (const index of ['org_memberships_search', 'invitations_teams']) {
      const [stats] = (await conn.execute('select pending_pages from pgstatginindex(?::regclass)', [index])) as Array<{
        pending_pages: number;
      }>;
      expect(stats!.pending_pages, index).toBeLessThanOrEqual(16);
    }
  });

  it('reads the users of a team page by primary key only', async () => {
    // Which side drives the team filter is the planner's choice at this size (a small organization is cheaper to
    // scan than to probe); at 100k members docs/PERFORMANCE.md shows it driven from team_memberships.
    const explained = await plans({ teams: ['small'] });
    for (const { sql, nodes } of explained)
      for (const n of nodes.filter((n) => n['Relation Name'] === 'users'))
        expect(n['Index Name'], sql).toBe('users_pkey');
  });
});
