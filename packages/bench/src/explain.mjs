// EXPLAIN ANALYZE of the SQL Roster runs for one members page. Roster reaches PostgreSQL through the counting proxy,
// which records each statement's text and parameters; each is then explained on a direct connection.
//   node src/explain.mjs [size=100k] [variant=default|LAST_ACTIVE|ROLE|search|team|next]   (data from gen.mjs)
import { orgName } from './gen.mjs';
import { BENCH_URL, PASSWORD, gql, startServer, withClient } from './lib.mjs';
import { startCountingProxy } from './proxy.mjs';
import { MEMBERS_SQL } from './ref.mjs';

const label = process.argv[2] ?? '100k';
const variant = process.argv[3] ?? 'default';
const VARIANTS = {
  default: {},
  LAST_ACTIVE: { orderBy: { field: 'LAST_ACTIVE', direction: 'DESC' } },
  ROLE: { orderBy: { field: 'ROLE' } },
  search: { search: 'abbott 12' },
  team: { teams: ['team-042'] },
};
const QUERY =
  'query($org: String!, $first: Int, $after: String, $search: String, $teams: [String!], $orderBy: MemberOrder) ' +
  '{ organization(name: $org) { members(first: $first, after: $after, search: $search, teams: $teams, ' +
  'orderBy: $orderBy) { totalCount pageInfo { hasNextPage endCursor } nodes { id name username email role status ' +
  'lastActiveAt addedAt teams { name } } } } }';

const proxy = await startCountingProxy({ target: BENCH_URL });
const server = await startServer({ port: 4513, env: { DATABASE_URL: proxy.url, EMAIL_POLL_SECONDS: '3600' } });
try {
  const login = await gql(server.url, 'mutation($i: LogInInput!) { logIn(input: $i) { token } }', {
    i: { login: 'admin', password: PASSWORD },
  });
  const token = login.json.data.logIn.token;
  const org = orgName(label);
  let variables = { org, first: 50, ...(VARIANTS[variant] ?? {}) };
  if (variant === 'next') {
    const first = await gql(server.url, QUERY, { org, first: 50 }, { token });
    variables = { org, first: 50, after: first.json.data.organization.members.pageInfo.endCursor };
  }
  // Once unrecorded (warm caches, per-process look-ups), then recorded.
  await gql(server.url, QUERY, variables, { token });
  const statements = proxy.record();
  await gql(server.url, QUERY, variables, { token });
  proxy.stopRecording();
  console.log(`# ${statements.length} statements for one members page (${org}, ${variant})\n`);
  await withClient(BENCH_URL, async (c) => {
    for (const [n, s] of statements.entries()) {
      const params = s.params.map((p) => (p === null ? 'null' : `'${p.replaceAll("'", "''")}'`));
      console.log(
        `## Statement ${n + 1}\n\n\`\`\`sql\n${s.sql}\n\`\`\`\n\nParameters: ${params.join(', ') || 'none'}\n`,
      );
      if (!/^\s*(select|with)\b/i.test(s.sql)) continue;
      const plan = await c.query(`explain (analyze, buffers) ${s.sql}`, s.params);
      console.log(`\`\`\`\n${plan.rows.map((r) => r['QUERY PLAN']).join('\n')}\n\`\`\`\n`);
    }
    if (variant === 'default') {
      const session = await c.query('select token_hash from sessions order by created_at desc limit 1');
      const orgRow = await c.query('select id from organizations where name = $1', [org]);
      const plan = await c.query(`explain (analyze, buffers) ${MEMBERS_SQL}`, [
        session.rows[0].token_hash,
        orgRow.rows[0].id,
        null,
        null,
        50,
      ]);
      console.log(
        `## The reference's single statement\n\n\`\`\`\n${plan.rows.map((r) => r['QUERY PLAN']).join('\n')}\n\`\`\`\n`,
      );
    }
  });
} finally {
  await server.stop();
  await proxy.close();
}
