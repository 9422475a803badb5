// Smoke test of the embedded default: the built server with no DATABASE_URL, a sign-up over HTTP,
// `viewer` with the session and with an API key, a restart, and the user still there.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const dataDir = mkdtempSync(path.join(tmpdir(), 'roster-smoke-'));
const port = 4600 + Math.floor(Math.random() * 300);
const url = `http://127.0.0.1:${port}`;

function start() {
  const env = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: process.env.SMOKE_LOG_LEVEL ?? 'warn',
  };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, [path.join(root, 'packages/server/dist/main.js')], {
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return child;
}

async function waitReady(child) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('server did not become ready in 60 s');
}

async function stop(child) {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const code = await exited;
  if (code !== 0) throw new Error(`server exited with ${code} after SIGTERM`);
}

async function gql(query, variables, token) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data;
}

function check(cond, message) {
  if (!cond) throw new Error(`smoke check failed: ${message}`);
  console.log(`ok - ${message}`);
}

let child;
try {
  child = start();
  await waitReady(child);
  const boot = await gql('{ instance { needsBootstrap } }');
  check(boot.instance.needsBootstrap === true, 'fresh embedded instance needs bootstrap');
  const signUp = await gql(
    'mutation($i: SignUpInput!) { signUp(input: $i) { token user { username instanceAdmin } } }',
    { i: { email: 'smoke@example.com', username: 'smoke', name: 'Smoke Test', password: 'smoke-password-1' } },
  );
  check(signUp.signUp.user.instanceAdmin === true, 'first sign-up is instance admin');
  const session = signUp.signUp.token;
  const viaSession = await gql('{ viewer { authenticatedWith user { username } } }', {}, session);
  check(
    viaSession.viewer.user.username === 'smoke' && viaSession.viewer.authenticatedWith === 'SESSION',
    'viewer with the session token',
  );
  const key = await gql('mutation { createApiKey(input: { name: "smoke" }) { secret } }', {}, session);
  const viaKey = await gql('{ viewer { authenticatedWith user { username } } }', {}, key.createApiKey.secret);
  check(
    viaKey.viewer.user.username === 'smoke' && viaKey.viewer.authenticatedWith === 'API_KEY',
    'viewer with the API key',
  );
  await stop(child);
  child = start();
  await waitReady(child);
  const after = await gql('{ instance { needsBootstrap } viewer { user { username } } }', {}, key.createApiKey.secret);
  check(
    after.instance.needsBootstrap === false && after.viewer.user.username === 'smoke',
    'after a restart the user and key are still there',
  );
  // The members search runs on pg_trgm, which the embedded database must load again at every start.
  const found = await gql(
    '{ organization(name: "default") { members(search: "oke t") { totalCount nodes { username } } } }',
    {},
    session,
  );
  check(
    found.organization.members.totalCount === 1 && found.organization.members.nodes[0]?.username === 'smoke',
    'after a restart the members search finds the user (pg_trgm loaded)',
  );
  await stop(child);
  child = undefined;
  console.log('smoke: 6 passed, 0 failed');
} catch (err) {
  console.error(err);
  if (child) child.kill('SIGKILL');
  process.exitCode = 1;
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
