import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instanceWithAdmin, addMember, gql, codeOf, inviteByLink, ACCEPT, type InstanceWithAdmin } from './fixtures';
import { startServer, type RosterServer } from '../src/server';
import { createLogger } from '../src/logger';
import { PasswordHasher, PasswordHashingBusyError } from '../src/auth/passwords';
import type { Database } from '../src/db/orm';
import { ConfigError, loadConfig } from '../src/config';
import type { GraphQLResponse } from '../src/testing';

const LOG_IN = 'mutation($i: LogInInput!) { logIn(input: $i) { user { username } } }';
const PASSWORD = 'right-password-1';

interface LogInData {
  logIn: { user: { username: string } };
}
type Response = GraphQLResponse<LogInData> & { status: number; headers: Headers };

/**
 * With TRUST_PROXY=true the server takes the client address from X-Forwarded-For: one test process plays many clients.
 */
const from = (address: string) => ({ 'x-forwarded-for': address });
const logIn = (url: string, login: string, password: string, address: string): Promise<Response> =>
  gql<LogInData>(url, LOG_IN, { i: { login, password } }, undefined, from(address));
const retryAfter = (res: Response) => res.errors?.[0]?.extensions?.retryAfterSeconds;

async function auditRows(ctx: InstanceWithAdmin, action: string): Promise<Array<Record<string, unknown>>> {
  return ctx.t.server.db.orm.em
    .fork()
    .getConnection()
    .execute(
      'select actor_type, target_type, target_id, target_label, organization_id, client_address, metadata from ' +
        'audit_events where action = ? order by id',
      [action],
    );
}

describe('sign-in throttling (default limits: 10 failures per login, 50 per address, 15 minutes)', () => {
  let ctx: InstanceWithAdmin;
  beforeAll(async () => {
    ctx = await instanceWithAdmin({ TRUST_PROXY: 'true' });
    for (const name of ['victim', 'bystander', 'steady', 'twin', 'invited'])
      await addMember(ctx.t, ctx.org, name, undefined, undefined, { password: PASSWORD });
  });
  afterAll(() => ctx?.t.close());

  it(
    'locks a login after 10 wrong passwords: the other 40 of 50 get RATE_LIMITED with retryAfterSeconds and ' +
      'Retry-After; others still sign in',
    async () => {
      const results: Response[] = [];
      for (let i = 0; i < 50; i++) results.push(await logIn(ctx.url, 'victim', `wrong-${i}`, '203.0.113.1'));
      expect(results.map(codeOf)).toEqual([
        ...Array(10).fill('INVALID_CREDENTIALS'),
        ...Array(40).fill('RATE_LIMITED'),
      ]);
      for (const res of results.slice(10)) {
        const seconds = retryAfter(res) as number;
        expect(seconds).toBeGreaterThan(850);
        expect(seconds).toBeLessThanOrEqual(900);
        expect(res.headers.get('retry-after')).toBe(String(seconds));
        expect(res.errors![0]!.message).toMatch(/Too many failed sign-in attempts for this login/);
      }
      expect(results[0]!.headers.get('retry-after')).toBeNull();
      // Another account signs in from the same address, and from elsewhere.
      expect((await logIn(ctx.url, 'bystander', PASSWORD, '203.0.113.1')).data!.logIn.user.username).toBe('bystander');
      expect((await logIn(ctx.url, 'bystander@example.com', PASSWORD, '192.0.2.9')).data!.logIn.user.username).toBe(
        'bystander',
      );
    },
  );

  it('refuses the right password while the login is locked, from any address', async () => {
    for (const address of ['203.0.113.1', '192.0.2.77']) {
      const res = await logIn(ctx.url, 'victim', PASSWORD, address);
      expect(codeOf(res)).toBe('RATE_LIMITED');
      expect(res.data).toBeNull();
      expect(res.headers.get('set-cookie')).toBeNull();
    }
    // The login counts case-insensitively, as it signs in.
    expect(codeOf(await logIn(ctx.url, '  VICTIM ', PASSWORD, '192.0.2.78'))).toBe('RATE_LIMITED');
  });

  it('writes one audit event when a login gets locked, without organization and naming no password', async () => {
    const rows = await auditRows(ctx, 'user.login_locked');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actor_type: 'anonymous',
      target_type: 'user',
      target_label: 'victim',
      organization_id: null,
      client_address: '203.0.113.1',
    });
    expect(rows[0]!.metadata).toEqual({ via: 'logIn', failures: 10, windowSeconds: 900, lockoutSeconds: 900 });
    expect(JSON.stringify(rows)).not.toMatch(/wrong-/);
  });

  it('throttles an unknown login exactly like a known one: same codes, messages and timing of the lock', async () => {
    const known: Response[] = [];
    const unknown: Response[] = [];
    for (let i = 0; i < 12; i++) {
      known.push(await logIn(ctx.url, 'twin', `nope-${i}`, '198.51.100.1'));
      unknown.push(await logIn(ctx.url, 'no-such-user', `nope-${i}`, '198.51.100.2'));
    }
    const shape = (r: Response) => ({
      code: codeOf(r),
      message: r.errors?.[0]?.message,
      retryAfter: typeof retryAfter(r),
      header: r.headers.get('retry-after') !== null,
    });
    expect(unknown.map(shape)).toEqual(known.map(shape));
    expect(known.map(codeOf)).toEqual([...Array(10).fill('INVALID_CREDENTIALS'), 'RATE_LIMITED', 'RATE_LIMITED']);
    const locks = await auditRows(ctx, 'user.login_locked');
    expect(locks.map((r) => r.target_type)).toEqual(['user', 'user', 'login']);
    expect(locks[2]!.target_id).toMatch(/^[0-9a-f]{64}$/); // a hash: typed logins are not stored
  });

  it('starts a login over after a successful sign-in', async () => {
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 9; i++)
        expect(codeOf(await logIn(ctx.url, 'steady', 'wrong', '198.51.100.3'))).toBe('INVALID_CREDENTIALS');
      expect((await logIn(ctx.url, 'steady', PASSWORD, '198.51.100.3')).data!.logIn.user.username).toBe('steady');
    }
  });

  it('lets exactly 10 of 30 concurrent wrong passwords be checked', async () => {
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => logIn(ctx.url, 'rush', `wrong-${i}`, `198.51.100.${100 + i}`)),
    );
    const codes = results.map(codeOf);
    expect(codes.filter((c) => c === 'INVALID_CREDENTIALS')).toHaveLength(10);
    expect(codes.filter((c) => c === 'RATE_LIMITED')).toHaveLength(20);
  });

  it(
    'limits failures per client address across different ' + 'logins (50), then refuses even right passwords from it',
    async () => {
      const address = '198.51.100.50';
      for (let i = 0; i < 50; i++)
        expect(codeOf(await logIn(ctx.url, `sprayed-${i}`, 'Summer2026!', address)), `attempt ${i}`).toBe(
          'INVALID_CREDENTIALS',
        );
      const refused = await logIn(ctx.url, 'bystander', PASSWORD, address);
      expect(codeOf(refused)).toBe('RATE_LIMITED');
      expect(refused.errors![0]!.message).toMatch(/from your network address/);
      expect(refused.headers.get('retry-after')).toBe(String(retryAfter(refused)));
      expect((await logIn(ctx.url, 'bystander', PASSWORD, '198.51.100.51')).data!.logIn.user.username).toBe(
        'bystander',
      );
      const rows = await auditRows(ctx, 'sign_in.address_locked');
      expect(rows).toEqual([
        expect.objectContaining({ actor_type: 'anonymous', target_type: null, client_address: address }),
      ]);
    },
  );

  it('counts acceptInvitation with a password against the same login as logIn', async () => {
    await gql(
      ctx.url,
      'mutation { createOrganization(input: { name: "beta" }) { organization { name } } }',
      {},
      ctx.admin.token,
    );
    const { token } = await inviteByLink(ctx.url, ctx.admin.token, 'beta', 'invited@example.com');
    const codes: unknown[] = [];
    for (let i = 0; i < 11; i++)
      codes.push(
        codeOf(await gql(ctx.url, ACCEPT, { i: { token, password: `guess-${i}` } }, undefined, from('192.0.2.200'))),
      );
    expect(codes).toEqual([...Array(10).fill('INVALID_CREDENTIALS'), 'RATE_LIMITED']);
    // The right password no longer helps, through either mutation.
    expect(
      codeOf(await gql(ctx.url, ACCEPT, { i: { token, password: PASSWORD } }, undefined, from('192.0.2.201'))),
    ).toBe('RATE_LIMITED');
    expect(codeOf(await logIn(ctx.url, 'invited@example.com', PASSWORD, '192.0.2.202'))).toBe('RATE_LIMITED');
    const [lock] = (await auditRows(ctx, 'user.login_locked')).filter((r) => r.target_label === 'invited');
    expect(lock!.metadata).toMatchObject({ via: 'acceptInvitation' });
  });
});

describe('sign-in throttling across server processes', () => {
  let ctx: InstanceWithAdmin;
  let extra: Database | undefined;
  let second: RosterServer | undefined;
  afterAll(async () => {
    await second?.close();
    await extra?.close();
    await ctx?.t.close();
  });

  // PGlite serves one connection (one process); the shared counters matter on PostgreSQL.
  it.skipIf(!process.env.DATABASE_URL)(
    'shares the counters of one login between two servers on one database',
    async () => {
      ctx = await instanceWithAdmin({ TRUST_PROXY: 'true', SIGN_IN_MAX_FAILURES_PER_ACCOUNT: '6' });
      await addMember(ctx.t, ctx.org, 'shared', undefined, undefined, { password: PASSWORD });
      extra = await ctx.t.openExtraDatabase();
      second = await startServer({ config: ctx.t.server.config, logger: createLogger('silent'), database: extra });
      const urls = [ctx.url, second.url];
      const codes: unknown[] = [];
      for (let i = 0; i < 8; i++) codes.push(codeOf(await logIn(urls[i % 2]!, 'shared', 'wrong', `192.0.2.${i}`)));
      expect(codes).toEqual([...Array(6).fill('INVALID_CREDENTIALS'), 'RATE_LIMITED', 'RATE_LIMITED']);
      for (const url of urls) expect(codeOf(await logIn(url, 'shared', PASSWORD, '192.0.2.99'))).toBe('RATE_LIMITED');
    },
  );
});

describe('bounded password hashing', () => {
  it('runs at most `concurrency` argon2 calls and refuses beyond `maxQueue` waiting ones', async () => {
    const hasher = new PasswordHasher(2, 3);
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => hasher.hash(`password-${i}`)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused).toHaveLength(5);
    expect(refused.every((r) => r.reason instanceof PasswordHashingBusyError)).toBe(true);
    expect(hasher.queued).toBe(0);
    // Slots are free again.
    await expect(hasher.verify(await hasher.hash('again-1'), 'again-1')).resolves.toBe(true);
  });

  it('answers a login flood beyond the queue with RATE_LIMITED, and a cheap query stays fast meanwhile', async () => {
    const ctx = await instanceWithAdmin({
      TRUST_PROXY: 'true',
      PASSWORD_HASH_CONCURRENCY: '1',
      PASSWORD_HASH_MAX_QUEUE: '2',
      SIGN_IN_MAX_FAILURES_PER_ACCOUNT: '1000',
      SIGN_IN_MAX_FAILURES_PER_ADDRESS: '1000',
    });
    try {
      const flood = Promise.all(
        Array.from({ length: 60 }, (_, i) => logIn(ctx.url, `flood-${i}`, 'wrong', `203.0.113.${i}`)),
      );
      const latencies: number[] = [];
      for (let i = 0; i < 7; i++) {
        const started = performance.now();
        const res = await gql(ctx.url, '{ viewer { kind } }');
        latencies.push(performance.now() - started);
        expect(res.errors).toBeUndefined();
      }
      const results = await flood;
      const busy = results.filter((r) => codeOf(r) === 'RATE_LIMITED');
      expect(busy.length).toBeGreaterThan(0);
      expect(results.every((r) => ['RATE_LIMITED', 'INVALID_CREDENTIALS'].includes(codeOf(r) as string))).toBe(true);
      expect(busy[0]!.errors![0]!.message).toMatch(/busy/);
      expect(retryAfter(busy[0]!)).toBe(1);
      expect(busy[0]!.headers.get('retry-after')).toBe('1');
      // Generous for a loaded 2-core CI machine; unbounded argon2 on every core is what would make this slow.
      const median = [...latencies].sort((a, b) => a - b)[3]!;
      expect(
        median,
        `cheap query latencies during the flood: ${latencies.map((l) => l.toFixed(0)).join(', ')} ms`,
      ).toBeLessThan(750);
      expect(ctx.t.server.passwords.queued).toBe(0);
      // Refused checks gave back their reservation: those logins are not a step closer to a lock.
      const rows: Array<{ n: number }> = await ctx.t.server.db.orm.em
        .fork()
        .getConnection()
        .execute('select coalesce(sum(points), 0)::int as n from sign_in_throttle where key like ?', ['login:%']);
      expect(rows[0]!.n).toBe(results.length - busy.length);
    } finally {
      await ctx.t.close();
    }
  });
});

describe('sign-in throttling configuration', () => {
  it('defaults to 10 per login, 50 per address, 15-minute window and lockout, 4 hashes at once with 64 waiting', () => {
    const c = loadConfig({});
    expect(c.signInThrottle).toEqual({
      accountMaxFailures: 10,
      addressMaxFailures: 50,
      windowSeconds: 900,
      lockoutSeconds: 900,
    });
    expect(c.passwordHashing).toEqual({ concurrency: Math.min(4, os.availableParallelism()), maxQueue: 64 });
  });

  it('refuses invalid values, naming the variable', () => {
    expect(() => loadConfig({ SIGN_IN_MAX_FAILURES_PER_ACCOUNT: '0' })).toThrow(ConfigError);
    expect(() => loadConfig({ SIGN_IN_LOCKOUT_SECONDS: 'soon', PASSWORD_HASH_CONCURRENCY: '-1' })).toThrow(
      /SIGN_IN_LOCKOUT_SECONDS[\s\S]*PASSWORD_HASH_CONCURRENCY/,
    );
  });
});
