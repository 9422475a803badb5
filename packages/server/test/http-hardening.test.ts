import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverAudits } from 'graphql-http';
import { createTestDatabase, testConfig, gql, startTestServer, type TestServer } from '../src/testing';
import { startServer, type RosterServer } from '../src/server';
import { createLogger } from '../src/logger';
import { loadConfig } from '../src/config';
import { codeOf, ADMIN_PASSWORD, inviteByLink, acceptAsNewUser, countStatements, instanceWithAdmin } from './fixtures';

/** A server whose log lines are kept in memory, at the most verbose level. */
async function serverWithLog(
  env: Record<string, string> = {},
): Promise<{ server: RosterServer; lines: string[]; close(): Promise<void> }> {
  const database = await createTestDatabase();
  const config = testConfig(database, { LOG_LEVEL: 'trace', ...env });
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const server = await startServer({ config, logger: createLogger('trace', sink) });
  return {
    server,
    lines,
    async close() {
      await server.close();
      await database.drop();
    },
  };
}

describe('HTTP errors outside GraphQL', () => {
  for (const mode of ['production', 'development']) {
    it(`answers JSON without stack traces in ${mode} mode`, async () => {
      const t = await startTestServer({ NODE_ENV: mode, REQUEST_BODY_MAX_BYTES: '2048' });
      try {
        const badJson = await fetch(`${t.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"query": "{ viewer {',
        });
        expect(badJson.status).toBe(400);
        expect(badJson.headers.get('content-type')).toMatch(/application\/json/);
        const badBody = await badJson.text();
        expect(JSON.parse(badBody).errors[0].extensions.code).toBe('BAD_REQUEST');
        expect(badBody).not.toMatch(/node_modules|at .*\.js|<html|<pre/i);

        const tooBig = await fetch(`${t.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: `{ instance { version } } #${'x'.repeat(4096)}` }),
        });
        expect(tooBig.status).toBe(413);
        const bigBody = await tooBig.text();
        expect(JSON.parse(bigBody).errors[0].extensions.code).toBe('BAD_REQUEST');
        expect(bigBody).not.toMatch(/node_modules|<html/i);

        const unknown = await fetch(`${t.url}/nope?token=x`);
        expect(unknown.status).toBe(404);
        expect(
          ((await unknown.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code,
        ).toBe('NOT_FOUND');
      } finally {
        await t.close();
      }
    });
  }

  it(
    'is production when NODE_ENV is unset: no introspection, ' + 'no suggestions, unless GRAPHQL_INTROSPECTION=true',
    async () => {
      expect(loadConfig({}).nodeEnv).toBe('production');
      expect(loadConfig({}).introspection).toBe(false);
      expect(loadConfig({ GRAPHQL_INTROSPECTION: 'true' }).introspection).toBe(true);
      expect(loadConfig({ NODE_ENV: 'development' }).introspection).toBe(true);

      const prod = await startTestServer({ NODE_ENV: 'production' });
      try {
        const intro = await gql(prod.url, '{ __schema { types { name } } }');
        expect(codeOf(intro)).toBe('GRAPHQL_VALIDATION_FAILED');
        const typo = await gql(prod.url, '{ instanc { version } }');
        expect(typo.errors![0]!.message).not.toMatch(/Did you mean/);
        const enumTypo = await gql(
          prod.url,
          'query($r: [OrgRole!]) { organizations { nodes { members(roles: $r) { totalCount } } } }',
          { r: ['ADMN'] },
        );
        expect(enumTypo.errors![0]!.message).not.toMatch(/Did you mean|ADMIN/);
        const page = await fetch(`${prod.url}/graphql`, { headers: { accept: 'text/html' } });
        expect(await page.text()).toContain('GRAPHQL_INTROSPECTION=true');
      } finally {
        await prod.close();
      }

      const open = await startTestServer({ NODE_ENV: 'production', GRAPHQL_INTROSPECTION: 'true' });
      try {
        expect((await gql(open.url, '{ __schema { queryType { name } } }')).data).toEqual({
          __schema: { queryType: { name: 'Query' } },
        });
        expect((await gql(open.url, '{ instanc { version } }')).errors![0]!.message).toMatch(/Did you mean "instance"/);
        const page = await fetch(`${open.url}/graphql`, { headers: { accept: 'text/html' } });
        expect(await page.text()).not.toContain('GRAPHQL_INTROSPECTION=true');
      } finally {
        await open.close();
      }
    },
  );
});

describe('security headers', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t?.close());

  it('sends a CSP allowing only this origin and the page’s own inline scripts on HTML pages', async () => {
    for (const [path, accept] of [
      ['/graphql', 'text/html'],
      ['/invite?token=abc', 'text/html'],
    ] as const) {
      const res = await fetch(`${t.url}${path}`, { headers: { accept } });
      expect(res.status).toBe(200);
      const csp = res.headers.get('content-security-policy')!;
      expect(csp).toMatch(/default-src 'self'/);
      expect(csp).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
      expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
      expect(csp).toMatch(/frame-ancestors 'none'/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    }
  });

  it('sends a CSP that loads nothing on API responses', async () => {
    const res = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ instance { version } }' }),
    });
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
  });

  it('passes the GraphQL-over-HTTP audit without warnings, with CSRF prevention still on', async () => {
    const problems: string[] = [];
    for (const audit of serverAudits({ url: `${t.url}/graphql` })) {
      const result = await audit.fn();
      if (result.status === 'warn' || result.status === 'error') problems.push(`${result.status}: ${audit.name}`);
    }
    expect(problems).toEqual([]);
    // A simple GET (what a cross-site form or image could send) is refused before it runs.
    const csrf = await fetch(`${t.url}/graphql?query=${encodeURIComponent('{ instance { version } }')}`);
    expect(csrf.status).toBe(400);
    const preflighted = await fetch(`${t.url}/graphql?query=${encodeURIComponent('{ instance { version } }')}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(preflighted.status).toBe(200);
  });
});

describe('CORS for configured origins', () => {
  it('answers the preflight and credentialed requests of allowed origins only', async () => {
    const t = await startTestServer({ CORS_ORIGINS: 'http://dash.example.test:5173, https://admin.example.test' });
    try {
      const preflight = await fetch(`${t.url}/graphql`, {
        method: 'OPTIONS',
        headers: {
          origin: 'http://dash.example.test:5173',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,x-roster-client',
        },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('http://dash.example.test:5173');
      expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
      expect(preflight.headers.get('access-control-allow-headers')).toMatch(/content-type/);
      expect(preflight.headers.get('access-control-allow-headers')).toMatch(/x-roster-client/);

      const post = await fetch(`${t.url}/graphql`, {
        method: 'POST',
        headers: { origin: 'https://admin.example.test', 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ instance { version } }' }),
      });
      expect(post.status).toBe(200);
      expect(post.headers.get('access-control-allow-origin')).toBe('https://admin.example.test');
      expect(post.headers.get('access-control-expose-headers')).toMatch(/x-request-id/);

      const stranger = await fetch(`${t.url}/graphql`, {
        method: 'OPTIONS',
        headers: { origin: 'https://evil.example.test', 'access-control-request-method': 'POST' },
      });
      expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await t.close();
    }
  });

  it('refuses an invalid CORS_ORIGINS at start', () => {
    expect(() => loadConfig({ CORS_ORIGINS: 'dash.example.test/path' })).toThrow(/CORS_ORIGINS/);
    expect(loadConfig({}).corsOrigins).toEqual([]);
  });
});

describe('response limits', () => {
  it('refuses to send a response larger than RESPONSE_MAX_BYTES', async () => {
    const t = await startTestServer({ RESPONSE_MAX_BYTES: '1500' });
    try {
      const small = await gql(t.url, '{ instance { version } }');
      expect(small.errors).toBeUndefined();
      const big = await gql(t.url, '{ instance { errorCodes { code description } } }');
      expect(big.data).toBeUndefined();
      expect(big.errors![0]!.extensions).toEqual({ code: 'RESPONSE_TOO_LARGE', max: 1500 });
    } finally {
      await t.close();
    }
  });

  it('stops resolving fields once a request has run past REQUEST_TIMEOUT_SECONDS', async () => {
    // The fixture bootstraps through the API: an instance admin with a session token.
    const { t, admin } = await instanceWithAdmin({ REQUEST_TIMEOUT_SECONDS: '1' });
    try {
      const token = admin.token;
      // Another connection holds a lock on organizations: the request's first read waits past the timeout.
      const knex = t.server.db.orm.em.getConnection().getKnex();
      const trx = await knex.transaction();
      await trx.raw('lock table organizations in access exclusive mode');
      const pending = gql(
        t.url,
        '{ organizations { nodes { name members { nodes { role user { username } } } } } }',
        {},
        token,
      );
      await new Promise((r) => setTimeout(r, 1500));
      await trx.rollback();
      const res = await pending;
      expect(res.errors!.map((e) => e.extensions?.code)).toContain('REQUEST_TIMEOUT');
      expect(JSON.stringify(res.data ?? {})).not.toContain('"username"');
    } finally {
      await t.close();
    }
  });
});

describe('abandoned requests', () => {
  it('stops resolving fields once the client has gone away', async () => {
    // The fixture bootstraps through the API: an instance admin with a session token.
    const { t, admin } = await instanceWithAdmin();
    try {
      const token = admin.token;
      const query = JSON.stringify({
        query:
          '{ organizations { nodes { name members { nodes { role user { username } } } teams { nodes { name } } } } }',
      });
      const send = (signal?: AbortSignal) =>
        fetch(`${t.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: query,
          signal,
        });

      // Baseline: the same document, completed, runs its nested reads.
      const complete = await countStatements(t, () => send().then((r) => r.json()));
      expect(complete.statements.some((sql) => /org_memberships/.test(sql))).toBe(true);

      // The first read waits on a lock; the client gives up meanwhile; then the lock goes.
      const knex = t.server.db.orm.em.getConnection().getKnex();
      const trx = await knex.transaction();
      await trx.raw('lock table organizations in access exclusive mode');
      const abandoned = await countStatements(t, async () => {
        const controller = new AbortController();
        const pending = send(controller.signal).catch((err: unknown) => err);
        await new Promise((r) => setTimeout(r, 300));
        controller.abort();
        await pending;
        // Let the server see the socket close (a busy machine may take a moment) before the read can go on.
        await new Promise((r) => setTimeout(r, 500));
        await trx.rollback();
        // Give the server time to finish the blocked read and (not) go on.
        await new Promise((r) => setTimeout(r, 800));
      });
      // On PostgreSQL the blocked organizations read completed; nothing nested below it ran. (The embedded
      // database has one connection, which the lock held: there the read never started.)
      if (t.database.kind === 'postgres') {
        expect(abandoned.statements.some((sql) => /from "organizations"|from organizations/.test(sql))).toBe(true);
      }
      expect(abandoned.statements.filter((sql) => /org_memberships|"teams"|from teams/.test(sql))).toEqual([]);
    } finally {
      await t.close();
    }
  });
});

describe('secrets stay out of logs and the database', () => {
  it('logs no token, password or query-string secret over a full invitation and sign-in run', async () => {
    const s = await serverWithLog();
    try {
      const url = s.server.url;
      const signUp = await gql<{ signUp: { token: string } }>(
        url,
        'mutation($i: SignUpInput!) { signUp(input: $i) { token } }',
        {
          i: {
            email: 'admin@example.com',
            username: 'admin',
            name: 'Admin',
            password: ADMIN_PASSWORD,
            organizationName: 'acme',
          },
        },
      );
      const adminToken = signUp.data!.signUp.token;
      const key = await gql<{ createApiKey: { secret: string } }>(
        url,
        'mutation { createApiKey(input: { name: "ci" }) { secret } }',
        {},
        adminToken,
      );
      const apiKey = key.data!.createApiKey.secret;
      const invite = await inviteByLink(url, adminToken, 'acme', 'new@example.com');
      // The invitation page with its token in the URL, as a browser would open it.
      await fetch(`${url}/invite?token=${invite.token}`, { headers: { accept: 'text/html' } });
      const member = await acceptAsNewUser(url, invite.token, 'newbie');
      const logIn = await gql<{ logIn: { token: string } }>(
        url,
        'mutation($i: LogInInput!) { logIn(input: $i) { token } }',
        { i: { login: 'admin', password: ADMIN_PASSWORD } },
      );
      await gql(url, 'mutation($i: LogInInput!) { logIn(input: $i) { token } }', {
        i: { login: 'admin', password: 'wrong-password-9' },
      });
      // An internal error path: the logged error must not carry SQL parameters.
      await gql(url, '{ viewer { user { username } } }', {}, apiKey);

      const secrets = [
        adminToken,
        apiKey,
        invite.token,
        member.token,
        logIn.data!.logIn.token,
        ADMIN_PASSWORD,
        'member-password-1',
        'wrong-password-9',
      ];
      const log = s.lines.join('\n');
      expect(s.lines.length).toBeGreaterThan(10);
      expect(log).toContain('/invite?token=[redacted]');
      for (const secret of secrets) expect(log.includes(secret), `log holds ${secret.slice(0, 6)}…`).toBe(false);
      expect(log).not.toMatch(/\$argon2id\$/);

      // At rest: every text column of every table, cast to text, holds none of them.
      const conn = s.server.db.orm.em.fork().getConnection();
      const tables = (await conn.execute(
        "select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'",
      )) as Array<{ table_name: string }>;
      expect(tables.length).toBeGreaterThan(5);
      for (const { table_name } of tables) {
        const rows = (await conn.execute(`select t::text as row from "${table_name}" t`)) as Array<{ row: string }>;
        const dump = rows.map((r) => r.row).join('\n');
        for (const secret of secrets)
          expect(dump.includes(secret), `${table_name} holds ${secret.slice(0, 6)}…`).toBe(false);
      }
    } finally {
      await s.close();
    }
  });
});
