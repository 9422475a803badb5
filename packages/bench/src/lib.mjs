// Shared helpers of the benchmark: the server child process, GraphQL calls, the database, /proc readings.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const SERVER_MAIN = resolve(ROOT, 'packages/server/dist/main.js');
export const BENCH_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/roster_bench';
export const PASSWORD = 'bench-password-1';
export const ADMIN = { email: 'admin@bench.test', username: 'admin', name: 'Bench Admin' };

/** The maintenance database next to the bench database (to drop and create it). */
export function adminUrl(url = BENCH_URL) {
  const u = new URL(url);
  u.pathname = '/postgres';
  return u.toString();
}

export function dbName(url = BENCH_URL) {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

export async function withClient(url, fn) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function recreateDatabase(url = BENCH_URL) {
  const name = dbName(url);
  await withClient(adminUrl(url), async (c) => {
    await c.query(
      'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
      [name],
    );
    await c.query(`drop database if exists "${name}"`);
    await c.query(`create database "${name}"`);
  });
}

/** Starts `node packages/server/dist/main.js` on the bench database; resolves once /readyz answers 200. */
export async function startServer({ port = 4510, env = {} } = {}) {
  if (!existsSync(SERVER_MAIN)) throw new Error(`${SERVER_MAIN} is missing: run pnpm --filter @roster/server build`);
  // BENCH_SERVER_NODE_ARGS: extra Node.js flags for the server (e.g. `--trace-gc`, `--cpu-prof`), space-separated.
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, SERVER_MAIN], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: BENCH_URL,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
      ...env,
    },
    stdio: ['ignore', process.env.BENCH_SERVER_LOG ? 'inherit' : 'ignore', 'inherit'],
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`server exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('server did not become ready within 60 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    pid: child.pid,
    async stop() {
      if (exited) return;
      const done = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await done;
    },
  };
}

/** POST a GraphQL document; returns { status, text, json }. Throws on GraphQL errors unless allowErrors. */
export async function gql(url, query, variables, { token, apiKey, allowErrors = false } = {}) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (apiKey) headers.authorization = `Bearer ${apiKey}`;
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  const text = await res.text();
  const json = JSON.parse(text);
  if (!allowErrors && json.errors) throw new Error(`GraphQL error: ${JSON.stringify(json.errors).slice(0, 500)}`);
  return { status: res.status, text, json };
}

const CLK_TCK = 100; // getconf CLK_TCK on Linux

/** CPU seconds (user + system) of a process, from /proc/<pid>/stat. */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime is field 14, stime field 15.
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** Resident set size in MB, from /proc/<pid>/status. */
export function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (!n) return Number.NaN;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};
