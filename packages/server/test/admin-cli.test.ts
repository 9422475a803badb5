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
    const created = await cli(db, ['create-admin', '--email', 'Root@Example.com', '--username', 'root'], 'recovery-pass-1');
    expect(created).toEqual({ code: 0, out: 'Created instance admin root <root@example.com>.\n' });
    const again = await cli(db, ['create-admin', '--email', 'root@example.com', '--username', 'root2'], 'recovery-pass-1').catch((e: Error) => e);
    expect(String(again)).toMatch(/exists/);
    const reset = await cli(db, ['reset-password', '--login', 'root']);
    expect(reset.code).toBe(0);
    const generated = /New password \(shown once\): (\S+)/.exec(reset.out)![1]!;
    expect(generated.length).toBeGreaterThanOrEqual(20);
    expect((await cli(db, ['promote', '--login', 'nobody']).catch((e: Error) => e)).toString()).toMatch(/No user/);
    expect((await cli(db, ['bogus'])).code).toBe(64);

    server = await startTestServer({}, db);
    expect(codeOf(await gql(server.url, LOG_IN, { i: { login: 'root', password: 'recovery-pass-1' } }))).toBe('INVALID_CREDENTIALS');
    const ok = await gql(server.url, LOG_IN, { i: { login: 'root', password: generated } });
    expect(ok.data!.logIn.user).toEqual({ username: 'root', instanceAdmin: true });
    const audit = await server.server.db.orm.em.fork().getConnection().execute('select action, actor_type from audit_events order by id');
    expect(audit.slice(0, 2)).toEqual([
      { action: 'user.created_by_cli', actor_type: 'system' },
      { action: 'user.password_reset', actor_type: 'system' },
    ]);
  });
});
