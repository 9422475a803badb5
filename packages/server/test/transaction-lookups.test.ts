import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, gql, instanceWithAdmin, type Actor, type InstanceWithAdmin } from './fixtures';

/**
 * An authorization check made inside a transaction (revokeApiKey locks the key, then asks whether the caller manages
 * the key's service account: a team membership lookup) reads through the transaction's own connection. When such
 * lookups took a second pooled connection, concurrent requests each holding one connection waited for a second that
 * never came: the embedded database (one connection) hung on the first such request; here, a pool of two hangs with two
 * concurrent requests.
 */
describe('lookups inside a transaction use its connection', () => {
  let ctx: InstanceWithAdmin;
  let tara: Actor;
  beforeAll(async () => {
    ctx = await instanceWithAdmin({ DATABASE_POOL_MAX: '2' });
    tara = await addMember(ctx.t, ctx.org, 'tara');
    const root = ctx.admin.token;
    await gql(
      ctx.url,
      'mutation { createTeam(input: { organization: "acme", name: "ml" }) { team { name } } }',
      {},
      root,
    );
    await gql(
      ctx.url,
      'mutation { addTeamMember(input: { organization: "acme", team: "ml", user: "tara", role: ADMIN }) { ' +
        'member { role } } }',
      {},
      root,
    );
  });
  afterAll(async () => {
    await ctx?.t.close();
  });

  it('revokes eight service-account keys at once through a pool of two connections', async () => {
    const sa = await gql<{ createServiceAccount: { serviceAccount: { id: string } } }>(
      ctx.url,
      'mutation { createServiceAccount(input: { organization: "acme", team: "ml", name: "ci" }) { ' +
        'serviceAccount { id } } }',
      {},
      tara.token,
    );
    const serviceAccount = sa.data!.createServiceAccount.serviceAccount.id;
    const keys: string[] = [];
    for (let i = 0; i < 8; i++) {
      const key = await gql<{ createServiceAccountKey: { apiKey: { id: string } } }>(
        ctx.url,
        'mutation($i: CreateServiceAccountKeyInput!) { createServiceAccountKey(input: $i) { apiKey { id } } }',
        { i: { serviceAccount, name: `k${i}` } },
        tara.token,
      );
      keys.push(key.data!.createServiceAccountKey.apiKey.id);
    }
    // Each request has its own loaders, so each looks tara's team membership up inside its own transaction.
    const results = await Promise.all(
      keys.map((id) =>
        gql<{ revokeApiKey: { changed: boolean; apiKey: { status: string } } }>(
          ctx.url,
          'mutation($i: RevokeApiKeyInput!) { revokeApiKey(input: $i) { changed apiKey { status } } }',
          { i: { id } },
          tara.token,
        ),
      ),
    );
    expect(results.map((r) => [r.errors, r.data?.revokeApiKey])).toEqual(
      keys.map(() => [undefined, { changed: true, apiKey: { status: 'REVOKED' } }]),
    );
  }, 20_000);
});
