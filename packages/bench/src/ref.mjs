// The hand-written limit for the members page: node:http + pg, one SQL statement per request that checks the
// session and the caller's role and builds the whole JSON body (row_to_json / string_agg). It serves the bench's
// members-page document (MEMBERS_PAGE in scenarios.mjs, NAME order, optional `after`) for an org admin and nothing
// else; the body is byte-identical to Roster's.
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { BENCH_URL } from './lib.mjs';

const ts = (col) => `to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

// $1 session token hash, $2 organization id, $3/$4 the cursor's (name key, id) or null, $5 page size.
// json_build_object and json_agg put spaces between items; row_to_json and string_agg write compact JSON.
// The organization id is a parameter (not a sub-select) so that PostgreSQL plans for that organization's size.
// Index-driven like Roster's page (docs/PERFORMANCE.md): the page is a range of org_memberships_name_order on the
// stored key sort_name, its users and invitations are read by primary key (lateral, limit 1: never flattened into a
// hash join), each row's teams by primary key too (as Roster reads them), and totalCount sums the organization's
// per-status counts (org_member_counts, kept by triggers).
export const MEMBERS_SQL = `
with caller as (
  select s.user_id, u.instance_admin from sessions s join users u on u.id = s.user_id
  where s.token_hash = $1 and s.revoked_at is null and s.expires_at > now()
), org as (
  select c.user_id from caller c
  where c.instance_admin or exists (select 1 from org_memberships cm where cm.organization_id = $2::uuid
    and cm.user_id = c.user_id and cm.status = 'ACTIVE' and cm.role = 'ADMIN')
), page as (
  select m.id, m.user_id, m.invitation_id, m.role, m.status, m.created_at, m.sort_name as k,
    row_number() over (order by m.sort_name, m.id) as rn
  from (select * from org_memberships m where m.organization_id = $2::uuid and exists (select 1 from org)
    and ($3::text is null or (m.sort_name, m.id) > ($3::text, $4::uuid))
    order by m.sort_name, m.id limit $5 + 1) m
), shown as (
  select p.*, u.name, u.username, u.last_active_at, coalesce(u.email, i.email) as email from page p
  left join lateral (select u.name, u.username, u.last_active_at, u.email from users u where u.id = p.user_id limit 1)
    u on true
  left join lateral (select i.email from invitations i where i.id = p.invitation_id limit 1) i on true
  where p.rn <= $5
)
select exists (select 1 from org) as allowed, row_to_json(r)::text as body from (select
  (select coalesce(sum(c.n), 0) from org_member_counts c
    where c.organization_id = $2::uuid and exists (select 1 from org)) as "totalCount",
  (select row_to_json(pi) from (select
    (select count(*) from page) > $5 as "hasNextPage",
    (select translate(encode(convert_to('{"list":"members","order":"NAME_ASC","values":[' || to_json(k)::text || ','
      || to_json(id::text)::text || ']}', 'UTF8'), 'base64'), E'+/=\\n', '-_') from shown order by rn desc limit 1)
      as "endCursor") pi) as "pageInfo",
  coalesce((select ('[' || string_agg(n.j::text, ',' order by n.rn) || ']')::json from (
    select s.rn, (select row_to_json(x) from (select s.id, s.name, s.username, s.email, s.role, s.status,
      ${ts('s.last_active_at')} as "lastActiveAt", ${ts('s.created_at')} as "addedAt",
      coalesce((select ('[' || string_agg(row_to_json(tn)::text, ',' order by tn.name) || ']')::json
        from (select t.name from team_memberships tm
          cross join lateral (select t.name, t.organization_id from teams t where t.id = tm.team_id limit 1) t
          where tm.user_id = s.user_id and t.organization_id = $2::uuid) tn), '[]'::json) as teams) x) as j
    from shown s) n), '[]'::json) as nodes
) r`;

export async function serveReference({ port = 4520, poolMax = 10, databaseUrl = BENCH_URL } = {}) {
  // The same pool size as Roster's default (DATABASE_POOL_MAX 10).
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolMax });
  const orgIds = new Map();
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      try {
        const { variables = {} } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
        let after = [null, null];
        if (variables.after) {
          const cursor = JSON.parse(Buffer.from(variables.after, 'base64url').toString('utf8'));
          after = cursor.values;
        }
        const hash = createHash('sha256').update(token, 'utf8').digest('hex');
        // Organization name -> id, looked up once per process (names of the bench organizations do not change).
        let orgId = orgIds.get(variables.org);
        if (orgId === undefined) {
          const found = await pool.query('select id from organizations where name = $1', [variables.org]);
          orgId = found.rows[0]?.id ?? null;
          orgIds.set(variables.org, orgId);
        }
        const { rows } = orgId
          ? await pool.query(MEMBERS_SQL, [hash, orgId, ...after, variables.first ?? 50])
          : { rows: [] };
        if (!rows[0]?.allowed) {
          res.writeHead(403, { 'content-type': 'application/json' }).end('{"errors":[{"message":"forbidden"}]}');
          return;
        }
        const body = `{"data":{"organization":{"members":${rows[0].body}}}}`;
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(body);
      } catch (e) {
        res.writeHead(500).end(JSON.stringify({ errors: [{ message: String(e) }] }));
      }
    });
  });
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      await new Promise((r) => server.close(r));
      await pool.end();
    },
  };
}

/** Runs the reference in a child process (its CPU and RSS are read from /proc like the server's). */
export async function startReference({ port = 4520, databaseUrl = BENCH_URL } = {}) {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), String(port), databaseUrl], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`reference exited with code ${code}`)));
    child.stdout.once('data', resolve);
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid,
    async stop() {
      const done = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await done;
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const ref = await serveReference({ port: Number(process.argv[2] ?? 4520), databaseUrl: process.argv[3] });
  process.stdout.write(`ready ${ref.url}\n`);
  process.once('SIGTERM', () => ref.stop().then(() => process.exit(0)));
}
