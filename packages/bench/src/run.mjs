// The benchmark run: generate the data, check the reference's body against Roster's, load every scenario with
// autocannon, count SQL statements per request through a counting proxy, print a table and write JSON.
//   node src/run.mjs [--smoke] [--sizes=1k,10k,100k] [--duration=5] [--connections=1,16] [--reuse] [--out=FILE]
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import autocannon from 'autocannon';
import { generate, orgName } from './gen.mjs';
import { BENCH_URL, PASSWORD, ROOT, cpuSeconds, gql, median, rssMb, startServer, withClient } from './lib.mjs';
import { startCountingProxy } from './proxy.mjs';
import { startReference } from './ref.mjs';

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k, v ?? true];
  }),
);
const smoke = Boolean(args.smoke);
const labels = String(args.sizes ?? (smoke ? '1k' : '1k,10k,100k')).split(',');
const duration = Number(args.duration ?? (smoke ? 1 : 5));
const connectionCounts = String(args.connections ?? (smoke ? '16' : '1,16'))
  .split(',')
  .map(Number);
const INVITE_BATCHES = smoke ? [100] : [100, 1000, 10000];
/** Seconds the server rests after the last load before its idle RSS is read again. */
const IDLE_AFTER_SECONDS = smoke ? 1 : 10;
const COUNT_PASS_REQUESTS = smoke ? 3 : 20;
/** --scenarios=REGEX: only the scenarios whose name matches (inviteUsers runs when `inviteUsers` matches). */
const only = args.scenarios ? new RegExp(String(args.scenarios)) : null;

export const MEMBERS_PAGE =
  'query($org: String!, $first: Int, $after: String, $search: String, $teams: [String!], $orderBy: MemberOrder) ' +
  '{ organization(name: $org) { members(first: $first, after: $after, search: $search, teams: $teams, ' +
  'orderBy: $orderBy) { totalCount pageInfo { hasNextPage endCursor } nodes { id name username email role status ' +
  'lastActiveAt addedAt teams { name } } } } }';

const log = (...a) => console.log(...a);
const failures = [];

/** One autocannon run of a POST /graphql body; per-response latencies from the 'response' event. */
async function load(target, { body, headers, connections, seconds }) {
  const latencies = [];
  const cpu0 = cpuSeconds(target.pid);
  let rssMax = rssMb(target.pid);
  const sampler = setInterval(() => {
    rssMax = Math.max(rssMax, rssMb(target.pid));
  }, 200);
  const started = process.hrtime.bigint();
  const result = await new Promise((resolveRun, reject) => {
    const instance = autocannon(
      {
        url: `${target.url}/graphql`,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
        connections,
        duration: seconds,
      },
      (err, res) => (err ? reject(err) : resolveRun(res)),
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  });
  clearInterval(sampler);
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = cpuSeconds(target.pid) - cpu0;
  const n = latencies.length;
  return {
    requests: n,
    seconds: elapsed,
    latencies,
    errors: result.errors + result.timeouts + result.non2xx,
    cpuMsPerRequest: n ? (cpu * 1000) / n : Number.NaN,
    rssMaxMb: rssMax,
  };
}

function summarize(runs) {
  const latencies = runs.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const requests = runs.reduce((s, r) => s + r.requests, 0);
  const seconds = runs.reduce((s, r) => s + r.seconds, 0);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
  return {
    requests,
    reqPerSec: requests / seconds,
    p50: median(latencies),
    p95: pct(95),
    errors: runs.reduce((s, r) => s + r.errors, 0),
    cpuMsPerRequest: median(runs.map((r) => r.cpuMsPerRequest)),
    rssMaxMb: Math.max(...runs.map((r) => r.rssMaxMb)),
  };
}

/** One request through `target`, failing the run on a non-200 status or GraphQL errors. */
async function preflight(name, target, body, headers) {
  const res = await fetch(`${target.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await res.text();
  if (res.status !== 200 || text.includes('"errors"')) {
    throw new Error(`${name}: status ${res.status}: ${text.slice(0, 400)}`);
  }
  return text;
}

/** Roster's body and the reference's must be byte-identical; checks a few pages, pending rows included. */
async function checkEquality(roster, ref, headers, org) {
  const first = JSON.parse(
    await preflight('members', roster, JSON.stringify({ query: MEMBERS_PAGE, variables: { org, first: 50 } }), headers),
  );
  const pendingCursor = Buffer.from(
    JSON.stringify({ list: 'members', order: 'NAME_ASC', values: ['invitee', '00000000-0000-0000-0000-000000000000'] }),
  ).toString('base64url');
  const pages = [
    { org, first: 50 },
    { org, first: 50, after: first.data.organization.members.pageInfo.endCursor },
    { org, first: 50, after: pendingCursor },
    { org, first: 7 },
  ];
  for (const variables of pages) {
    const body = JSON.stringify({ query: MEMBERS_PAGE, variables });
    const a = await preflight('members (Roster)', roster, body, headers);
    const b = await preflight('members (reference)', ref, body, headers);
    if (a !== b) {
      let at = 0;
      while (a[at] === b[at]) at++;
      throw new Error(
        `reference body differs from Roster's for ${JSON.stringify(variables)} at byte ${at}:\n` +
          `  Roster:    …${a.slice(Math.max(0, at - 80), at + 80)}\n` +
          `  reference: …${b.slice(Math.max(0, at - 80), at + 80)}`,
      );
    }
  }
  return pages.length;
}

const fmt = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');

/**
 * With --reuse: the organizations earlier runs' inviteUsers scenarios created (bench-inv-*, bench-cnt-*: tens of
 * thousands of invitations and their emails) are deleted and the tables vacuumed, so that every run measures the
 * generated data as generated, not whatever earlier runs left in the tables and their indexes.
 */
async function forgetEarlierInviteRuns() {
  await withClient(BENCH_URL, async (c) => {
    const { rowCount } = await c.query(
      "delete from organizations where name like 'bench-inv-%' or name like 'bench-cnt-%'",
    );
    await c.query(
      'delete from outbox_emails e where e.invitation_id is not null and not exists ' +
        '(select 1 from invitations i where i.id = e.invitation_id)',
    );
    if (rowCount) log(`== deleted ${rowCount} organizations of earlier inviteUsers runs`);
    await c.query('vacuum analyze');
  });
}

async function main() {
  const machine = {
    nproc: cpus().length,
    cpu: cpus()[0]?.model,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    postgres: null,
  };
  if (!args.reuse) {
    log(`== generating ${labels.join(', ')} in ${BENCH_URL}`);
    await generate(labels, log);
  } else {
    await forgetEarlierInviteRuns();
  }
  machine.postgres = await withClient(
    BENCH_URL,
    async (c) => (await c.query('show server_version')).rows[0].server_version,
  );

  const roster = await startServer({ port: 4510 });
  const ref = await startReference({ port: 4520 });
  const results = { machine, started: new Date().toISOString(), duration, connectionCounts, scenarios: [] };
  try {
    const login = await gql(roster.url, 'mutation($i: LogInInput!) { logIn(input: $i) { token } }', {
      i: { login: 'admin', password: PASSWORD },
    });
    const token = login.json.data.logIn.token;
    const key = await gql(
      roster.url,
      'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }',
      { i: { name: `bench ${Date.now()}` } },
      { token },
    );
    const session = { authorization: `Bearer ${token}` };
    const apiKey = { authorization: `Bearer ${key.json.data.createApiKey.secret}` };
    // Goal 7: RSS under load (per run, rssMaxMb) against the idle level before the first load and after the last.
    results.rss = { idleBeforeMb: rssMb(roster.pid) };

    const scenarios = [];
    for (const label of labels) {
      const org = orgName(label);
      const checked = await checkEquality(roster, ref, session, org);
      log(`== ${org}: reference body byte-identical to Roster's on ${checked} pages`);
      const page = (variables) => JSON.stringify({ query: MEMBERS_PAGE, variables: { org, first: 50, ...variables } });
      const firstPage = JSON.parse(await preflight('members', roster, page({}), session));
      const variants = {
        default: {},
        'LAST_ACTIVE desc': { orderBy: { field: 'LAST_ACTIVE', direction: 'DESC' } },
        ROLE: { orderBy: { field: 'ROLE' } },
        search: { search: 'abbott 12' },
        'team filter': { teams: ['team-042'] },
        // A team has 15 members at 1k and 1,500 at 100k: with first: 10 every size serves a full page of one team.
        'team filter, first 10': { teams: ['team-042'], first: 10 },
        'next page': { after: firstPage.data.organization.members.pageInfo.endCursor },
      };
      for (const [variant, variables] of Object.entries(variants)) {
        scenarios.push({
          name: `members ${variant}`,
          size: label,
          body: page(variables),
          headers: session,
          reference: variant === 'default' || variant === 'next page',
        });
      }
    }
    scenarios.push(
      {
        name: 'viewer (session)',
        body: JSON.stringify({ query: '{ viewer { user { id username } } }' }),
        headers: session,
      },
      {
        name: 'viewer (API key)',
        body: JSON.stringify({ query: '{ viewer { user { id username } } }' }),
        headers: apiKey,
      },
      { name: 'instance', body: JSON.stringify({ query: '{ instance { needsBootstrap version } }' }), headers: {} },
      {
        name: 'logIn',
        body: JSON.stringify({
          query: 'mutation($i: LogInInput!) { logIn(input: $i) { expiresAt } }',
          variables: { i: { login: 'u1k-2', password: PASSWORD } },
        }),
        headers: {},
      },
    );

    if (only) scenarios.splice(0, scenarios.length, ...scenarios.filter((s) => only.test(s.name)));
    if (!smoke && scenarios.length > 0) {
      // Warm-up (JIT, pools, PostgreSQL caches) on the first scenario, unmeasured (none when only inviteUsers runs).
      const w = { body: scenarios[0].body, headers: scenarios[0].headers, connections: 16, seconds: 3 };
      await load(roster, w);
      await load(ref, w);
    }
    for (const s of scenarios) {
      await preflight(s.name, roster, s.body, s.headers);
      for (const connections of connectionCounts) {
        const opts = { body: s.body, headers: s.headers, connections, seconds: duration };
        const row = { name: s.name, size: s.size ?? null, connections };
        if (s.reference) {
          // A B A B: Roster and the reference alternate in the same run.
          const a = [];
          const b = [];
          for (let i = 0; i < 2; i++) {
            a.push(await load(roster, opts));
            b.push(await load(ref, opts));
          }
          row.roster = summarize(a);
          row.reference = summarize(b);
          row.ratio = row.roster.reqPerSec / row.reference.reqPerSec;
        } else {
          row.roster = summarize([await load(roster, opts)]);
        }
        if (row.roster.errors || row.reference?.errors) failures.push(`${s.name} at ${connections}: errors`);
        results.scenarios.push(row);
        log(
          `${s.name.padEnd(22)} ${String(s.size ?? '').padEnd(5)} c=${String(connections).padEnd(3)}` +
            ` ${fmt(row.roster.reqPerSec).padStart(7)} req/s p50 ${fmt(row.roster.p50).padStart(6)} ms` +
            ` p95 ${fmt(row.roster.p95).padStart(6)} ms` +
            (row.reference
              ? ` | ref ${fmt(row.reference.reqPerSec)} req/s p50 ${fmt(row.reference.p50)} ms` +
                ` ratio ${fmt(row.ratio, 2)}`
              : ''),
        );
      }
    }

    results.sizeRatios = await compareSizes(roster, scenarios);

    // inviteUsers: sequential calls with fresh addresses (each call is a different request), into its own org.
    await gql(
      roster.url,
      'mutation($i: CreateOrganizationInput!) { createOrganization(input: $i) { organization { id } } }',
      { i: { name: `bench-inv-${Date.now().toString(36)}` } },
      { token },
    ).then(async (r) => {
      const invOrg = await withClient(
        BENCH_URL,
        async (c) =>
          (
            await c.query('select name from organizations where id = $1', [
              r.json.data.createOrganization.organization.id,
            ])
          ).rows[0].name,
      );
      for (const rows of only && !only.test('inviteUsers') ? [] : INVITE_BATCHES) {
        const times = [];
        let outcome = 'ok';
        // Sampled while the calls run: a 10,000-row call is one request, not a load autocannon measures.
        let rssMax = rssMb(roster.pid);
        const sampler = setInterval(() => {
          rssMax = Math.max(rssMax, rssMb(roster.pid));
        }, 50);
        for (let call = 0; call < (smoke ? 1 : 3); call++) {
          const prefix = `${Date.now().toString(36)}-${call}`;
          const invitations = Array.from({ length: rows }, (_, i) => ({ email: `inv-${prefix}-${i}@bench.test` }));
          const t = performance.now();
          const res = await gql(
            roster.url,
            'mutation($i: InviteUsersInput!) { inviteUsers(input: $i) { succeeded failed } }',
            { i: { organization: invOrg, invitations } },
            { token, allowErrors: true },
          );
          times.push(performance.now() - t);
          if (res.json.errors) outcome = `refused: ${res.json.errors[0].message}`;
          else if (res.json.data.inviteUsers.failed) outcome = `${res.json.data.inviteUsers.failed} rows failed`;
          if (outcome !== 'ok') break;
        }
        clearInterval(sampler);
        rssMax = Math.max(rssMax, rssMb(roster.pid));
        const ms = median(times);
        results.scenarios.push({
          name: `inviteUsers ${rows} rows`,
          connections: 1,
          outcome,
          msPerCall: ms,
          msPerRow: ms / rows,
          rssMaxMb: rssMax,
        });
        log(
          `inviteUsers ${String(rows).padEnd(5)} rows: ${outcome}, ${fmt(ms, 0)} ms per call,` +
            ` ${fmt(ms / rows, 2)} ms/row, server RSS at most ${fmt(rssMax, 0)} MB`,
        );
        // A refused call or failed rows are a broken product, not a slow one: every run fails on them.
        if (outcome !== 'ok') failures.push(`inviteUsers ${rows}: ${outcome}`);
      }
    });

    results.rss.peakMb = Math.max(...results.scenarios.map((r) => r.roster?.rssMaxMb ?? r.rssMaxMb ?? 0));
    await new Promise((r) => setTimeout(r, IDLE_AFTER_SECONDS * 1000));
    results.rss.idleAfterMb = rssMb(roster.pid);
    await countStatements(results, scenarios, token, session);
  } finally {
    await roster.stop();
    await ref.stop();
  }
  results.finished = new Date().toISOString();
  printSummary(results);
  const out = args.out
    ? resolve(String(args.out))
    : resolve(ROOT, `packages/bench/results/${smoke ? 'smoke' : 'bench'}-${Date.now()}.json`);
  mkdirSync(resolve(out, '..'), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, (k, v) => (k === 'latencies' ? undefined : v), 2)}\n`);
  log(`== JSON: ${out}`);
  if (failures.length) {
    console.error(`bench: ${failures.length} failures:\n  ${failures.join('\n  ')}`);
    process.exitCode = 1;
  }
}

/**
 * SQL statements per request: a second Roster process (and reference) reaches PostgreSQL through a counting proxy;
 * each scenario runs COUNT_PASS_REQUESTS sequential requests, and the statements the proxy saw are divided by them.
 */
async function countStatements(results, scenarios, token, session) {
  // Not counted: the background email sender's statements (its claims, renewals and records all run an unquoted
  // `update outbox_emails`; requests go through MikroORM, which quotes the table). Each inviteUsers call wakes it, and
  // it then delivers every queued email of the database (the timed pass leaves thousands) while later requests are
  // being counted.
  const proxy = await startCountingProxy({ target: BENCH_URL, ignore: /\bupdate\s+outbox_emails\b/i });
  // Long intervals: the background email poller and activity writer would otherwise add statements to the count.
  const roster = await startServer({ port: 4512, env: { DATABASE_URL: proxy.url, EMAIL_POLL_SECONDS: '3600' } });
  const ref = await startReference({ port: 4522, databaseUrl: proxy.url });
  try {
    // The counting server has its own session (logIn through it), so per-process caches start equal.
    const seen = new Set();
    for (const s of scenarios) {
      if (seen.has(s.body + JSON.stringify(s.headers))) continue;
      seen.add(s.body + JSON.stringify(s.headers));
      const counts = {};
      for (const [name, target] of [['roster', roster], ...(s.reference ? [['reference', ref]] : [])]) {
        await preflight(s.name, target, s.body, s.headers ?? session);
        const before = proxy.statements;
        for (let i = 0; i < COUNT_PASS_REQUESTS; i++) await preflight(s.name, target, s.body, s.headers ?? session);
        counts[name] = (proxy.statements - before) / COUNT_PASS_REQUESTS;
      }
      for (const row of results.scenarios) {
        if (row.name === s.name && row.size === (s.size ?? null)) row.sqlPerRequest = counts;
      }
    }
    // inviteUsers: statements per row of one call of each size (the cost per row should not depend on it).
    const invOrg = `bench-cnt-${Date.now().toString(36)}`;
    await gql(
      roster.url,
      'mutation($i: CreateOrganizationInput!) { createOrganization(input: $i) { organization { id } } }',
      { i: { name: invOrg } },
      { token },
    );
    for (const rows of only && !only.test('inviteUsers') ? [] : INVITE_BATCHES) {
      const invitations = Array.from({ length: rows }, (_, i) => ({ email: `cnt-${rows}-${invOrg}-${i}@bench.test` }));
      const before = proxy.statements;
      await gql(
        roster.url,
        'mutation($i: InviteUsersInput!) { inviteUsers(input: $i) { succeeded failed } }',
        { i: { organization: invOrg, invitations } },
        { token },
      );
      const counted = proxy.statements - before;
      for (const row of results.scenarios) {
        if (row.name === `inviteUsers ${rows} rows`) row.sqlPerRow = counted / rows;
      }
      log(`inviteUsers: ${fmt(counted / rows, 3)} SQL statements per row (${rows}-row call, ${counted} in all)`);
    }
  } finally {
    await roster.stop();
    await ref.stop();
    await proxy.close();
  }
}

/**
 * Goal 2, side by side: for each members variant, the smallest and the largest organization alternate at one client
 * (A B A B, `duration` seconds each), so that the p50 ratio compares both in the same window, not minutes apart.
 */
async function compareSizes(roster, scenarios) {
  const sizes = [...new Set(scenarios.filter((s) => s.size).map((s) => s.size))];
  if (smoke || sizes.length < 2) return [];
  const [small, large] = [sizes[0], sizes[sizes.length - 1]];
  const rows = [];
  log(`== cost by size, side by side: ${small} and ${large} alternating (A B A B), 1 client, p50`);
  for (const a of scenarios.filter((s) => s.size === small && s.name.startsWith('members '))) {
    const b = scenarios.find((s) => s.size === large && s.name === a.name);
    if (!b) continue;
    const runs = { [small]: [], [large]: [] };
    for (let i = 0; i < 2; i++) {
      for (const s of [a, b]) {
        runs[s.size].push(await load(roster, { body: s.body, headers: s.headers, connections: 1, seconds: duration }));
      }
    }
    const p50Small = summarize(runs[small]).p50;
    const p50Large = summarize(runs[large]).p50;
    const row = { name: a.name, small, large, p50Small, p50Large, ratio: p50Large / p50Small };
    rows.push(row);
    log(
      `${a.name.padEnd(30)} p50 ${fmt(p50Small)} ms at ${small}, ${fmt(p50Large)} ms at ${large}:` +
        ` ratio ${fmt(row.ratio, 2)}`,
    );
  }
  return rows;
}

function printSummary(results) {
  if (results.sizeRatios?.length) {
    log('\n| members variant | p50 ms, smallest | p50 ms, largest | largest ÷ smallest |');
    log('|---|---:|---:|---:|');
    for (const r of results.sizeRatios) {
      log(`| ${r.name} | ${fmt(r.p50Small)} (${r.small}) | ${fmt(r.p50Large)} (${r.large}) | ${fmt(r.ratio, 2)} |`);
    }
  }
  if (results.rss?.idleAfterMb !== undefined) {
    log(
      `\nServer RSS: ${fmt(results.rss.idleBeforeMb, 0)} MB idle before the first load, ` +
        `${fmt(results.rss.peakMb, 0)} MB at most under load, ${fmt(results.rss.idleAfterMb, 0)} MB after ` +
        `${IDLE_AFTER_SECONDS} s idle once the last load ended.`,
    );
  }
  log(
    '\n| scenario | size | clients | Roster req/s | p50 ms | p95 ms | CPU ms/req | RSS MB | SQL/req |' +
      ' limit req/s | limit p50 | limit p95 | ratio |',
  );
  log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results.scenarios) {
    if (!r.roster) continue;
    const ref = r.reference;
    log(
      `| ${r.name} | ${r.size ?? ''} | ${r.connections} | ${fmt(r.roster.reqPerSec)} | ${fmt(r.roster.p50)} |` +
        ` ${fmt(r.roster.p95)} | ${fmt(r.roster.cpuMsPerRequest)} | ${fmt(r.roster.rssMaxMb, 0)} |` +
        ` ${fmt(r.sqlPerRequest?.roster)}${ref ? ` (${fmt(r.sqlPerRequest?.reference)})` : ''} |` +
        ` ${ref ? fmt(ref.reqPerSec) : ''} | ${ref ? fmt(ref.p50) : ''} | ${ref ? fmt(ref.p95) : ''} |` +
        ` ${ref ? fmt(r.ratio, 2) : ''} |`,
    );
  }
}

await main();
