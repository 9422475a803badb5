import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../src/auth/secrets';
import { startTestServer, type TestServer } from '../src/testing';
import { gql, codeOf, ADMIN_PASSWORD } from './fixtures';

const SIGN_UP =
  'mutation($i: SignUpInput!) { signUp(input: $i) { token expiresAt user { id username email instanceAdmin } ' +
  'organization { name viewerRole } } }';
const LOG_IN = 'mutation($i: LogInInput!) { logIn(input: $i) { token user { username email } } }';
const VIEWER =
  '{ viewer { kind authenticatedWith user { username email instanceAdmin memberships { nodes { role status ' +
  'organization { name } } } } } }';

const person = (n: string, extra: Record<string, unknown> = {}) => ({
  email: `${n}@example.com`,
  username: n,
  name: `Person ${n}`,
  password: ADMIN_PASSWORD,
  ...extra,
});

describe('accounts: bootstrap, sign-up, log in, log out', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t?.close());

  it('reports a fresh instance as needing bootstrap', async () => {
    const res = await gql(
      t.url,
      '{ instance { needsBootstrap warnings { code } settings { publicUrl } } viewer { kind } }',
    );
    expect(res.data).toEqual({ instance: { needsBootstrap: true, warnings: [], settings: null }, viewer: null });
  });

  it('refuses a sign-up with bad input, naming the field, and writes nothing', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [person('x1', { email: 'not-an-email' }), 'email'],
      [person('upper', { username: 'Upper Case' }), 'username'],
      [person('x2', { password: 'short' }), 'password'],
      [person('x3', { name: 'n'.repeat(101) }), 'name'],
      [person('x4', { organizationName: 'Bad Org!' }), 'organizationName'],
    ];
    for (const [input, field] of cases) {
      const res = await gql(t.url, SIGN_UP, { i: input });
      expect(codeOf(res), field).toBe('BAD_USER_INPUT');
      expect(res.errors![0]!.extensions!.field).toBe(field);
    }
    const state = await gql(t.url, '{ instance { needsBootstrap } }');
    expect(state.data!.instance.needsBootstrap).toBe(true);
  });

  it('makes exactly one of several concurrent first sign-ups the instance admin', async () => {
    const attempts = await Promise.all(
      ['ada', 'bea', 'cyd', 'dan', 'eve'].map((n) =>
        gql(t.url, SIGN_UP, { i: person(n, { email: `${n.toUpperCase()}@Example.com`, organizationName: 'acme' }) }),
      ),
    );
    const winners = attempts.filter((r) => r.data?.signUp);
    expect(winners).toHaveLength(1);
    const losers = attempts.filter((r) => !r.data?.signUp);
    expect(losers.map(codeOf)).toEqual(Array(4).fill('FORBIDDEN'));
    const signUp = winners[0]!.data!.signUp;
    expect(signUp.user.instanceAdmin).toBe(true);
    expect(signUp.user.email).toBe(`${signUp.user.username}@example.com`); // lower-cased
    expect(signUp.organization).toEqual({ name: 'acme', viewerRole: 'ADMIN' });
    const count = await t.server.db.orm.em.fork().getConnection().execute('select count(*)::int as n from users');
    expect(count[0]!.n).toBe(1);
  });

  it('refuses a second uninvited sign-up with FORBIDDEN and a bogus invitation with INVITE_INVALID', async () => {
    const res = await gql(t.url, SIGN_UP, { i: person('mallory') });
    expect(codeOf(res)).toBe('FORBIDDEN');
    expect(res.errors![0]!.message).toMatch(/invitation/);
    const bogus = await gql(t.url, SIGN_UP, { i: person('mallory', { invitationToken: 'made-up' }) });
    expect(codeOf(bogus)).toBe('INVITE_INVALID');
  });

  it(
    'logs in by username or email (case-insensitive) and ' + 'refuses wrong passwords alike for unknown users',
    async () => {
      const admin = (await gql(t.url, '{ organizations { nodes { name } } }')).errors; // anonymous
      expect(admin?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      const [winner] = (await t.server.db.orm.em
        .fork()
        .getConnection()
        .execute('select username from users')) as Array<{
        username: string;
      }>;
      const byName = await gql(t.url, LOG_IN, { i: { login: winner!.username, password: ADMIN_PASSWORD } });
      expect(byName.data!.logIn.user.username).toBe(winner!.username);
      const byEmail = await gql(t.url, LOG_IN, {
        i: { login: `${winner!.username.toUpperCase()}@EXAMPLE.COM`, password: ADMIN_PASSWORD },
      });
      expect(byEmail.data!.logIn.user.email).toBe(`${winner!.username}@example.com`);
      const wrong = await gql(t.url, LOG_IN, { i: { login: winner!.username, password: 'wrong-password' } });
      const unknown = await gql(t.url, LOG_IN, { i: { login: 'nobody', password: 'wrong-password' } });
      expect([codeOf(wrong), codeOf(unknown)]).toEqual(['INVALID_CREDENTIALS', 'INVALID_CREDENTIALS']);
      expect(wrong.errors![0]!.message).toBe(unknown.errors![0]!.message);
    },
  );

  it('accepts the session as a Bearer token and as an httpOnly cookie, and logOut ends it', async () => {
    const [row] = (await t.server.db.orm.em.fork().getConnection().execute('select username from users')) as Array<{
      username: string;
    }>;
    const login = await gql(t.url, LOG_IN, { i: { login: row!.username, password: ADMIN_PASSWORD } });
    const token = login.data!.logIn.token as string;
    const setCookie = login.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/roster_session=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);

    const viaBearer = await gql(t.url, VIEWER, {}, token);
    expect(viaBearer.data!.viewer).toMatchObject({
      kind: 'USER',
      authenticatedWith: 'SESSION',
      user: { username: row!.username, instanceAdmin: true },
    });
    expect(viaBearer.data!.viewer.user.memberships.nodes).toEqual([
      { role: 'ADMIN', status: 'ACTIVE', organization: { name: 'acme' } },
    ]);

    const cookie = setCookie.split(';')[0]!;
    const viaCookie = await gql(t.url, VIEWER, {}, undefined, { cookie });
    expect(viaCookie.data!.viewer.user.username).toBe(row!.username);

    const out = await gql(t.url, 'mutation { logOut { sessionId } }', {}, token);
    expect(out.data!.logOut.sessionId).toBeTruthy();
    const after = await gql(t.url, VIEWER, {}, token);
    expect(after.status).toBe(401);
    expect(codeOf(after)).toBe('UNAUTHENTICATED');
    // A stale cookie is ignored rather than fatal, so the browser can still log in.
    const staleCookie = await gql(t.url, VIEWER, {}, undefined, { cookie });
    expect(staleCookie.data!.viewer).toBeNull();
  });

  it('refuses a session once it has expired, at the second it expires', async () => {
    const [row] = (await t.server.db.orm.em.fork().getConnection().execute('select username from users')) as Array<{
      username: string;
    }>;
    const login = await gql(t.url, LOG_IN, { i: { login: row!.username, password: ADMIN_PASSWORD } });
    const token = login.data!.logIn.token as string;
    expect((await gql(t.url, VIEWER, {}, token)).data!.viewer.user.username).toBe(row!.username);
    const conn = t.server.db.orm.em.fork().getConnection();
    // Still valid a minute before its end (the lookup's cached plan must not hide a change of the row).
    await conn.execute("update sessions set expires_at = now() + interval '1 minute' where token_hash = ?", [
      hashSecret(token),
    ]);
    expect((await gql(t.url, VIEWER, {}, token)).data!.viewer.user.username).toBe(row!.username);
    await conn.execute("update sessions set expires_at = now() - interval '1 second' where token_hash = ?", [
      hashSecret(token),
    ]);
    const expired = await gql(t.url, VIEWER, {}, token);
    expect(expired.status).toBe(401);
    expect(codeOf(expired)).toBe('UNAUTHENTICATED');
  });

  it('refuses a malformed Authorization header and unknown tokens with 401 UNAUTHENTICATED', async () => {
    for (const headers of [{ authorization: 'Basic abc' }, { authorization: 'Bearer rss_unknown' }]) {
      const res = await gql(t.url, VIEWER, {}, undefined, headers);
      expect(res.status).toBe(401);
      expect(codeOf(res)).toBe('UNAUTHENTICATED');
    }
  });

  it('keeps passwords and session tokens out of the database in plain text', async () => {
    const [row] = (await t.server.db.orm.em.fork().getConnection().execute('select username from users')) as Array<{
      username: string;
    }>;
    const login = await gql(t.url, LOG_IN, { i: { login: row!.username, password: ADMIN_PASSWORD } });
    const token = login.data!.logIn.token as string;
    const dump = JSON.stringify(
      await t.server.db.orm.em
        .fork()
        .getConnection()
        .execute(
          `select (select json_agg(u) from users u) as users, (select json_agg(s) from sessions s) as sessions, ` +
            `(select json_agg(a) from audit_events a) as audit`,
        ),
    );
    expect(dump).not.toContain(token);
    expect(dump).not.toContain(token.slice(4));
    expect(dump).not.toContain(ADMIN_PASSWORD);
    expect(dump).toMatch(/\$argon2id\$/);
  });
});
