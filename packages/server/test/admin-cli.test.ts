import { afterAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, startTestServer, type TestDatabase, type TestServer } from '../src/testing';
import { runAdminCli } from '../src/cli/admin';
import { gql, codeOf } from './fixtures';

const LOG_IN = 'mutation($i: LogInInput!) { logIn(input: $i) { user { username instanceAdmin } } }';

async function cli(db: TestDatabase, args: string[], password?: string): Promise<{ code: number; out: string }> {
  const saved = { ...process.env };
  Object.assign(process.env, { DATABASE_URL: db.url, DATABASE_POOL_MAX: String(db.poolMax), LOG_LEVEL: 'silent' });
  if (password) process.env.ROSTER_ADMIN_PASSWORD = password;
  else delete process.env.ROSTER_ADMIN_PASSWORD;
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    return { code: await runAdminCli(args), out: lines.join('') };
  } finally {
    spy.mockRestore();
    process.env = saved;
  }
}

describe('roster-admin recovery command', () => {
  let server: TestServer | undefined;
  afterAll(() => server?.close());

  it('creates an instance admin, promotes a user and resets a password without the API', async () => {
    const db = await createTestDatabase();
    const created = await cli(
      db,
      ['create-admin', '--email', 'Root@Example.com', '--username', 'root'],
      'recovery-pass-1',
    );
    expect(created).toEqual({ code: 0, out: 'Created instance admin root <root@example.com>.\n' });
    const again = await cli(
      db,
      ['create-admin', '--email', 'root@example.com', '--username', 'root2'],
      'recovery-pass-1',
    ).catch((e: Error) => e);
    expect(String(again)).toMatch(/exists/);
    const reset = await cli(db, ['reset-password', '--login', 'root']);
    expect(reset.code).toBe(0);
    const generated = /New password \(shown once\): (\S+)/.exec(reset.out)![1]!;
    expect(generated.length).toBeGreaterThanOrEqual(20);
    expect((await cli(db, ['promote', '--login', 'nobody']).catch((e: Error) => e)).toString()).toMatch(/No user/);
    expect((await cli(db, ['bogus'])).code).toBe(64);

    server = await startTestServer({}, db);
    expect(codeOf(await gql(server.url, LOG_IN, { i: { login: 'root', password: 'recovery-pass-1' } }))).toBe(
      'INVALID_CREDENTIALS',
    );
    const ok = await gql(server.url, LOG_IN, { i: { login: 'root', password: generated } });
    expect(ok.data!.logIn.user).toEqual({ username: 'root', instanceAdmin: true });
    const audit = await server.server.db.orm.em
      .fork()
      .getConnection()
      .execute('select action, actor_type from audit_events order by id');
    expect(audit.slice(0, 2)).toEqual([
      { action: 'user.created_by_cli', actor_type: 'system' },
      { action: 'user.password_reset', actor_type: 'system' },
    ]);
  });
});

describe('roster-admin reset-password and API keys', () => {
  const KEY = 'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }';
  const VIEWER = '{ viewer { user { username } } }';
  let db: TestDatabase | undefined;
  let server: TestServer | undefined;
  afterAll(async () => {
    if (server) await server.close();
    else await db?.drop();
  });

  /**
   * The embedded database takes one process at a time: the CLI runs while the server is stopped, as the README says.
   */
  async function withServer<T>(fn: (url: string) => Promise<T>): Promise<T> {
    server = await startTestServer({ SIGN_IN_MAX_FAILURES_PER_ACCOUNT: '3' }, db);
    try {
      return await fn(server.url);
    } finally {
      await server.server.close();
    }
  }

  it(
    'keeps API keys by default and says so; --revoke-api-keys ' +
      'revokes and audits them; both clear a sign-in lockout',
    async () => {
      db = await createTestDatabase();
      await cli(db, ['create-admin', '--email', 'ops@example.com', '--username', 'ops'], 'first-password-1');
      const secret = await withServer(async (url) => {
        const session = await gql<{ logIn: { token: string } }>(
          url,
          'mutation { logIn(input: { login: "ops", password: "first-password-1" }) { token } }',
        );
        const created = await gql<{ createApiKey: { secret: string } }>(
          url,
          KEY,
          { i: { name: 'ci' } },
          session.data!.logIn.token,
        );
        // Someone guesses until the login locks.
        for (let i = 0; i < 4; i++) await gql(url, LOG_IN, { i: { login: 'ops', password: `guess-${i}` } });
        expect(codeOf(await gql(url, LOG_IN, { i: { login: 'ops', password: 'first-password-1' } }))).toBe(
          'RATE_LIMITED',
        );
        return created.data!.createApiKey.secret;
      });

      const kept = await cli(db, ['reset-password', '--login', 'ops'], 'second-password-1');
      expect(kept).toEqual({
        code: 0,
        out:
          'Password of ops reset; their sessions were ended.\n1 API key(s) still work; run again with ' +
          '--revoke-api-keys if the account may be compromised.\n',
      });
      await withServer(async (url) => {
        expect((await gql(url, VIEWER, {}, secret)).data!.viewer.user.username).toBe('ops');
        // The lockout is gone with the old password.
        expect(
          (await gql(url, LOG_IN, { i: { login: 'ops', password: 'second-password-1' } })).data!.logIn.user.username,
        ).toBe('ops');
        for (let i = 0; i < 4; i++) await gql(url, LOG_IN, { i: { login: 'ops@example.com', password: `guess-${i}` } });
      });

      const revoked = await cli(
        db,
        ['reset-password', '--login', 'ops@example.com', '--revoke-api-keys'],
        'third-password-1',
      );
      expect(revoked).toEqual({
        code: 0,
        out: 'Password of ops reset; their sessions were ended.\n1 API key(s) revoked.\n',
      });
      await withServer(async (url) => {
        const refused = await gql(url, VIEWER, {}, secret);
        expect(refused.status).toBe(401);
        expect(codeOf(refused)).toBe('UNAUTHENTICATED');
        expect(
          (await gql(url, LOG_IN, { i: { login: 'ops@example.com', password: 'third-password-1' } })).data!.logIn.user
            .username,
        ).toBe('ops');
        const audit = await server!.server.db.orm.em
          .fork()
          .getConnection()
          .execute(
            "select action, actor_type, target_type, metadata from audit_events where actor_type = 'system' and " +
              "action <> 'user.created_by_cli' order by id",
          );
        expect(audit).toEqual([
          {
            action: 'user.password_reset',
            actor_type: 'system',
            target_type: 'user',
            metadata: { apiKeysRevoked: 0, apiKeysKept: 1 },
          },
          {
            action: 'api_key.revoked',
            actor_type: 'system',
            target_type: 'api_key',
            metadata: expect.objectContaining({ reason: 'password_reset' }),
          },
          {
            action: 'user.password_reset',
            actor_type: 'system',
            target_type: 'user',
            metadata: { apiKeysRevoked: 1, apiKeysKept: 0 },
          },
        ]);
      });
    },
  );
});
