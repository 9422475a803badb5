// Usage benchmark (issue 13; docs/PERFORMANCE.md "Usage"): two scenarios on a database of its own.
//
//   activeUsers  `organization.activeUsers(range: ALL_TIME, granularity: MONTH)` over --years of daily activity for
//                --users members (default 100,000 × 5 years): set-based generation, month by month (oldest first, as
//                the rollup trigger expects), each user active on about --density % of days. Target: ≤ 200 ms.
//   membersCsv   `GET /organizations/:name/members.csv` of an organization of --csv-rows members (default 1,000,000):
//                rows per second and the server's RSS growth while it streams. Target: ≥ 100,000 rows/s, ≤ 64 MB.
//
// node packages/bench/src/usage.mjs [--users=100000] [--years=5] [--density=5] [--csv-rows=1000000]
//   [--requests=30] [--reuse] [--only=activeUsers|membersCsv]
// Needs packages/server/dist (pnpm --filter @roster/server build). BENCH_DATABASE_URL defaults to …/roster_bench_usage.
process.env.BENCH_DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/roster_bench_usage';
const { ADMIN, BENCH_URL, PASSWORD, gql, median, recreateDatabase, rssMb, startServer, withClient } = await import(
  './lib.mjs'
);

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k, v ?? true];
  }),
);
const USERS = Number(args.users ?? 100_000);
const YEARS = Number(args.years ?? 5);
const DENSITY = Number(args.density ?? 5);
const CSV_ROWS = Number(args['csv-rows'] ?? 1_000_000);
const REQUESTS = Number(args.requests ?? 30);
const only = args.only ? String(args.only) : null;
const log = (...a) => console.log(...a);
const HISTORY_ORG = 'usage-history';
const CSV_ORG = 'usage-csv';

/** `count` ACTIVE members (users and memberships) in `orgId`, set-based; returns their temp table name. */
async function addMembers(c, orgId, label, count, hash) {
  await c.query(`create temp table ${label} as select g, gen_random_uuid() as id from generate_series(1, $1) g`, [
    count,
  ]);
  await c.query(
    `insert into users (id, email, username, name, password_hash, created_at, last_active_at)
     select id, '${label}-' || g || '@bench.test', '${label}-' || g, 'User ' || g, $1,
       now() - interval '6 years', case when g % 10 = 0 then null else now() - make_interval(secs => g) end
     from ${label}`,
    [hash],
  );
  await c.query(
    `insert into org_memberships (id, organization_id, user_id, role, status, created_at, updated_at)
     select gen_random_uuid(), $1, id, case when g % 50 = 0 then 'ADMIN' else 'MEMBER' end, 'ACTIVE',
       now() - interval '6 years' + make_interval(secs => g), now()
     from ${label}`,
    [orgId],
  );
}

/**
 * Daily activity over `years`, one month per statement, oldest first: user g is active on day d when a hash of (g, d)
 * falls under the density. The trigger on daily_activity keeps the rollups (activity_spans, activity_counts).
 */
async function addHistory(c, orgId, years, density) {
  const months = years * 12;
  for (let m = months - 1; m >= 0; m--) {
    await c.query(
      `insert into daily_activity (user_id, organization_id, day)
       select u.id, $1, d::date
       from generate_series(date_trunc('month', current_date) - make_interval(months => $2),
                            date_trunc('month', current_date) - make_interval(months => $2) + interval '1 month'
                              - interval '1 day', interval '1 day') d
       cross join hist u
       where d::date <= current_date
         and abs(hashint8(u.g::bigint * 100003 + (d::date - date '2000-01-01'))::bigint) % 1000 < $3
       order by 3`,
      [orgId, m, density * 10],
    );
    if (m % 12 === 0) log(`  history: ${months - m}/${months} months`);
  }
}

async function generate() {
  await recreateDatabase();
  const server = await startServer({ port: 4529 });
  let token;
  try {
    const signUp = await gql(server.url, 'mutation($input: SignUpInput!) { signUp(input: $input) { token } }', {
      input: { ...ADMIN, password: PASSWORD, organizationName: HISTORY_ORG },
    });
    token = signUp.json.data.signUp.token;
    await gql(
      server.url,
      'mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { organization { id } } }',
      { input: { name: CSV_ORG } },
      { token },
    );
  } finally {
    await server.stop();
  }
  await withClient(BENCH_URL, async (c) => {
    const hash = (await c.query("select password_hash from users where username = 'admin'")).rows[0].password_hash;
    const orgs = Object.fromEntries(
      (await c.query('select name, id from organizations')).rows.map((r) => [r.name, r.id]),
    );
    let t = Date.now();
    await addMembers(c, orgs[HISTORY_ORG], 'hist', USERS, hash);
    log(`generated ${HISTORY_ORG}: ${USERS} members in ${Date.now() - t} ms`);
    t = Date.now();
    await addHistory(c, orgs[HISTORY_ORG], YEARS, DENSITY);
    const rows = (await c.query('select count(*)::int as n from daily_activity')).rows[0].n;
    log(`generated ${YEARS} years of activity (${rows} daily rows) in ${Date.now() - t} ms`);
    t = Date.now();
    await addMembers(c, orgs[CSV_ORG], 'csvu', CSV_ROWS - 1, hash);
    log(`generated ${CSV_ORG}: ${CSV_ROWS - 1} members in ${Date.now() - t} ms`);
    t = Date.now();
    await c.query('vacuum analyze');
    log(`vacuum analyze: ${Date.now() - t} ms`);
  });
}

async function logIn(url) {
  const res = await gql(url, 'mutation($i: LogInInput!) { logIn(input: $i) { token } }', {
    i: { login: ADMIN.username, password: PASSWORD },
  });
  return res.json.data.logIn.token;
}

async function activeUsersScenario(url, token) {
  const query =
    `{ organization(name: "${HISTORY_ORG}") { activeUsers(range: ALL_TIME, granularity: MONTH) { from ` +
    'activeUsers newMembers series { start activeUsers } } } }';
  const first = await gql(url, query, {}, { token });
  const result = first.json.data.organization.activeUsers;
  const times = [];
  for (let i = 0; i < REQUESTS; i++) {
    const t = performance.now();
    await gql(url, query, {}, { token });
    times.push(performance.now() - t);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const p95 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))];
  log(
    `activeUsers ALL_TIME/MONTH: ${result.series.length} buckets from ${result.from}, ${result.activeUsers} active ` +
      `users; p50 ${median(times).toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, max ${sorted.at(-1).toFixed(1)} ms ` +
      `over ${REQUESTS} requests (target ≤ 200 ms)`,
  );
  return { buckets: result.series.length, p50Ms: median(times), p95Ms: p95, maxMs: sorted.at(-1) };
}

async function membersCsvScenario(url, token, pid) {
  const rssBefore = rssMb(pid);
  let rssMax = rssBefore;
  const sampler = setInterval(() => {
    rssMax = Math.max(rssMax, rssMb(pid));
  }, 100);
  const t = performance.now();
  const res = await fetch(`${url}/organizations/${CSV_ORG}/members.csv`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!res.ok) throw new Error(`members.csv: HTTP ${res.status} ${await res.text()}`);
  let bytes = 0;
  let lines = 0;
  // RSS at each tenth of the rows: flat memory shows as a plateau, a leak as a slope.
  const curve = [];
  let mark = CSV_ROWS / 10;
  for await (const chunk of res.body) {
    bytes += chunk.byteLength;
    for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) lines++;
    if (lines >= mark) {
      curve.push(Math.round(rssMb(pid)));
      mark += CSV_ROWS / 10;
    }
  }
  log(`members.csv: server RSS (MB) at each tenth of the rows: ${curve.join(', ')}`);
  const seconds = (performance.now() - t) / 1000;
  clearInterval(sampler);
  rssMax = Math.max(rssMax, rssMb(pid));
  const rows = lines - 1;
  log(
    `members.csv: ${rows} rows, ${(bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(1)} s = ` +
      `${Math.round(rows / seconds)} rows/s (target ≥ 100,000); server RSS ${rssBefore.toFixed(0)} → max ` +
      `${rssMax.toFixed(0)} MB, growth ${(rssMax - rssBefore).toFixed(0)} MB (target ≤ 64)`,
  );
  return {
    rows,
    seconds,
    rowsPerSecond: rows / seconds,
    rssBeforeMb: rssBefore,
    rssGrowthMb: rssMax - rssBefore,
    rssCurveMb: curve,
  };
}

if (!args.reuse) await generate();
const server = await startServer({ port: 4528 });
try {
  const token = await logIn(server.url);
  const results = {};
  if (!only || only === 'activeUsers') results.activeUsers = await activeUsersScenario(server.url, token);
  if (!only || only === 'membersCsv') results.membersCsv = await membersCsvScenario(server.url, token, server.pid);
  log(JSON.stringify(results));
} finally {
  await server.stop();
}
