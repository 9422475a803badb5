import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instanceWithAdmin, addMember, gql, codeOf, type InstanceWithAdmin, type Actor } from './fixtures';
import { isWellFormedApiKey, newApiKey } from '../src/auth/secrets';

const CREATE =
  'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret apiKey { id name lastFour status expiresAt ' +
  'lastUsedAt revokedAt } } }';
const REVOKE = 'mutation($i: RevokeApiKeyInput!) { revokeApiKey(input: $i) { apiKey { id status revokedAt } } }';
const WHO = '{ viewer { authenticatedWith user { username } } }';

describe('API keys', () => {
  let ctx: InstanceWithAdmin;
  let member: Actor;
  beforeAll(async () => {
    ctx = await instanceWithAdmin();
    member = await addMember(ctx.t, ctx.org, 'mia');
  });
  afterAll(() => ctx?.t.close());

  it('formats keys with a fixed prefix and a checksum that catches typos', () => {
    const key = newApiKey();
    expect(key).toMatch(/^rsk_[0-9A-Za-z]{49}$/);
    expect(isWellFormedApiKey(key)).toBe(true);
    const typo = key.slice(0, 10) + (key[10] === 'a' ? 'b' : 'a') + key.slice(11);
    expect(isWellFormedApiKey(typo)).toBe(false);
  });

  it('shows the secret once, stores only a hash, and authenticates with it', async () => {
    const res = await gql(ctx.url, CREATE, { i: { name: 'laptop' } }, member.token);
    const { secret, apiKey } = res.data!.createApiKey;
    expect(apiKey).toMatchObject({
      name: 'laptop',
      lastFour: secret.slice(-4),
      status: 'ACTIVE',
      lastUsedAt: null,
      revokedAt: null,
    });
    const dump = JSON.stringify(await ctx.t.server.db.orm.em.fork().getConnection().execute('select * from api_keys'));
    expect(dump).not.toContain(secret);
    expect(dump).not.toContain(secret.slice(4, -6));
    const audit = JSON.stringify(
      await ctx.t.server.db.orm.em.fork().getConnection().execute('select * from audit_events'),
    );
    expect(audit).not.toContain(secret);

    const who = await gql(ctx.url, WHO, {}, secret);
    expect(who.data!.viewer).toEqual({ authenticatedWith: 'API_KEY', user: { username: 'mia' } });
    const list = await gql(
      ctx.url,
      '{ viewer { apiKeys { totalCount nodes { name lastUsedAt } } } }',
      {},
      member.token,
    );
    expect(list.data!.viewer.apiKeys.totalCount).toBe(1);
    expect(list.data!.viewer.apiKeys.nodes[0].lastUsedAt).not.toBeNull();
  });

  it('writes lastUsedAt at most once per interval however many requests use the key', async () => {
    const { secret, apiKey } = (await gql(ctx.url, CREATE, { i: { name: 'busy' } }, member.token)).data!.createApiKey;
    await gql(ctx.url, WHO, {}, secret);
    const knex = ctx.t.server.db.orm.em.getConnection().getKnex();
    const updates: string[] = [];
    const listener = (q: { sql: string }) => /update "?api_keys"?/i.test(q.sql) && updates.push(q.sql);
    knex.on('query', listener);
    for (let i = 0; i < 30; i++) await gql(ctx.url, WHO, {}, secret);
    knex.off('query', listener);
    expect(updates).toHaveLength(0);
    expect(apiKey.id).toBeTruthy();
  });

  it('stops a revoked key at once, and reports it revoked', async () => {
    const { secret, apiKey } = (await gql(ctx.url, CREATE, { i: { name: 'doomed' } }, member.token)).data!.createApiKey;
    expect((await gql(ctx.url, WHO, {}, secret)).data!.viewer.user.username).toBe('mia');
    const revoked = await gql(ctx.url, REVOKE, { i: { id: apiKey.id } }, member.token);
    expect(revoked.data!.revokeApiKey.apiKey.status).toBe('REVOKED');
    const after = await gql(ctx.url, WHO, {}, secret);
    expect(after.status).toBe(401);
    expect(codeOf(after)).toBe('UNAUTHENTICATED');
    const all = await gql(
      ctx.url,
      '{ viewer { apiKeys(includeInactive: true) { nodes { id status } } } }',
      {},
      member.token,
    );
    expect(all.data!.viewer.apiKeys.nodes).toContainEqual({ id: apiKey.id, status: 'REVOKED' });
    const active = await gql(ctx.url, '{ viewer { apiKeys { nodes { id } } } }', {}, member.token);
    expect(active.data!.viewer.apiKeys.nodes).not.toContainEqual({ id: apiKey.id });
  });

  it('refuses an expired key', async () => {
    const { secret, apiKey } = (await gql(ctx.url, CREATE, { i: { name: 'short-lived' } }, member.token)).data!
      .createApiKey;
    await ctx.t.server.db.orm.em
      .fork()
      .getConnection()
      .execute(`update api_keys set expires_at = now() - interval '1 second' where id = ?`, [apiKey.id]);
    const res = await gql(ctx.url, WHO, {}, secret);
    expect(codeOf(res)).toBe('UNAUTHENTICATED');
  });

  it('refuses a mistyped key by its checksum, before any lookup', async () => {
    const { secret } = (await gql(ctx.url, CREATE, { i: { name: 'typo' } }, member.token)).data!.createApiKey;
    const typo = secret.slice(0, -8) + (secret.at(-8) === 'Z' ? 'Y' : 'Z') + secret.slice(-7);
    const res = await gql(ctx.url, WHO, {}, typo);
    expect(codeOf(res)).toBe('UNAUTHENTICATED');
    expect(res.errors![0]!.message).toMatch(/checksum/);
  });

  it('validates names and expiry against the lifetime limits', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ name: '' }, 'name'],
      [{ name: 'x'.repeat(101) }, 'name'],
      [{ name: 'past', expiresAt: new Date(Date.now() - 60_000).toISOString() }, 'expiresAt'],
      [{ name: 'far', expiresAt: new Date(Date.now() + 400 * 86_400_000).toISOString() }, 'expiresAt'],
    ];
    for (const [input, field] of cases) {
      const res = await gql(ctx.url, CREATE, { i: input }, member.token);
      expect(codeOf(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0]!.extensions!.field).toBe(field);
    }
    // An organization may lower the maximum for its members.
    await gql(
      ctx.url,
      'mutation { updateOrganization(input: { organization: "acme", settings: { apiKeyMaxLifetimeDays: 30 } }) { ' +
        'organization { name } } }',
      {},
      ctx.admin.token,
    );
    const tooLong = await gql(
      ctx.url,
      CREATE,
      { i: { name: 'month+', expiresAt: new Date(Date.now() + 31 * 86_400_000).toISOString() } },
      member.token,
    );
    expect(codeOf(tooLong)).toBe('BAD_USER_INPUT');
    const capped = await gql(ctx.url, CREATE, { i: { name: 'default-expiry' } }, member.token);
    const expiresAt = new Date(capped.data!.createApiKey.apiKey.expiresAt).getTime();
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 30 * 86_400_000 + 5_000);
  });

  it("does not let a user revoke or see someone else's key, nor anonymous callers create one", async () => {
    const { apiKey } = (await gql(ctx.url, CREATE, { i: { name: 'private' } }, member.token)).data!.createApiKey;
    const other = await addMember(ctx.t, ctx.org, 'oscar');
    const res = await gql(ctx.url, REVOKE, { i: { id: apiKey.id } }, other.token);
    expect(codeOf(res)).toBe('NOT_FOUND');
    const list = await gql(ctx.url, '{ viewer { apiKeys(includeInactive: true) { totalCount } } }', {}, other.token);
    expect(list.data!.viewer.apiKeys.totalCount).toBe(0);
    expect(codeOf(await gql(ctx.url, CREATE, { i: { name: 'anon' } }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await gql(ctx.url, REVOKE, { i: { id: 'not-a-uuid' } }, member.token))).toBe('BAD_USER_INPUT');
    const stillActive = await gql(ctx.url, '{ viewer { apiKeys { nodes { id } } } }', {}, member.token);
    expect(stillActive.data!.viewer.apiKeys.nodes).toContainEqual({ id: apiKey.id });
  });

  it('pages keys newest first with cursors', async () => {
    const u = await addMember(ctx.t, ctx.org, 'pager');
    for (let i = 0; i < 5; i++) await gql(ctx.url, CREATE, { i: { name: `k${i}` } }, u.token);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      // biome-ignore lint/suspicious/noExplicitAny: the paging loop reads its own query's fields.
      const page: any = await gql(
        ctx.url,
        'query($a: String) { viewer { apiKeys(first: 2, after: $a) { totalCount pageInfo { hasNextPage endCursor } ' +
          'nodes { name } } } }',
        { a: after },
        u.token,
      );
      const conn = page.data.viewer.apiKeys;
      expect(conn.totalCount).toBe(5);
      seen.push(...conn.nodes.map((n: { name: string }) => n.name));
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    expect(seen).toEqual(['k4', 'k3', 'k2', 'k1', 'k0']);
    expect(codeOf(await gql(ctx.url, '{ viewer { apiKeys(first: 101) { totalCount } } }', {}, u.token))).toBe(
      'BAD_USER_INPUT',
    );
    expect(codeOf(await gql(ctx.url, '{ viewer { apiKeys(after: "garbage") { totalCount } } }', {}, u.token))).toBe(
      'BAD_USER_INPUT',
    );
  });
});
