import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, codeOf, countStatements, gql } from './fixtures';
import { GROUP, REVOKE_TOKEN, ScimClient, createToken, scimInstance, type ScimInstance } from './scim-fixture';
import { Organization } from '../src/modules/organizations/organization.entity';
import { OrgRole } from '../src/authz/roles';
import { startTestServer } from '../src/testing';

/** Pagination at 10,000 users, concurrent group PATCHes, who may use and see what, rate limits. */
let ctx: ScimInstance;
const N = 10_000;
beforeAll(async () => {
  ctx = await scimInstance();
  // 10,000 members written set-based, as a directory sync would leave them (not 10,000 HTTP calls).
  await ctx.t.server.db.orm.em
    .fork()
    .getConnection()
    .execute(
      `with u as (
         insert into users (id, email, username, name)
         select gen_random_uuid(), 'bulk' || g || '@example.com', 'bulk' || g, 'Bulk ' || g from generate_series(1, ?) g
         returning id)
       insert into org_memberships (id, organization_id, user_id, role, status)
       select gen_random_uuid(), ?, u.id, 'MEMBER', 'ACTIVE' from u`,
      [N, ctx.org.id],
    );
});
afterAll(async () => {
  await ctx?.t.close();
});

describe('pagination (RFC 7644 §3.4.2.4)', () => {
  it(`lists ${N + 1} users page by page with no gap or duplicate, whatever the page size`, async () => {
    for (const count of [1000, 997]) {
      const seen = new Set<string>();
      let startIndex = 1;
      let total = -1;
      for (;;) {
        const res = await ctx.scim.get(
          `/Users?startIndex=${startIndex}&count=${count}&attributes=userName&excludedAttributes=groups`,
        );
        expect(res.status).toBe(200);
        total = res.body.totalResults;
        expect(res.body.startIndex).toBe(startIndex);
        for (const r of res.body.Resources) {
          expect(seen.has(r.id)).toBe(false);
          seen.add(r.id);
        }
        if (res.body.Resources.length < count) break;
        startIndex += res.body.itemsPerPage;
      }
      expect(total).toBe(N + 1);
      expect(seen.size).toBe(N + 1);
    }
  });

  it('count is capped at maxResults (1000); count=0 gives only totalResults; a filtered total is exact', async () => {
    const big = await ctx.scim.get('/Users?count=5000&startIndex=9500&attributes=userName');
    expect(big.body.itemsPerPage).toBe(502);
    const capped = await ctx.scim.get('/Users?count=5000&attributes=userName');
    expect(capped.body.itemsPerPage).toBe(1000);
    const zero = await ctx.scim.get('/Users?count=0');
    expect(zero.body).toMatchObject({ totalResults: N + 1, itemsPerPage: 0, Resources: [] });
    const sw = await ctx.scim.get(`/Users?filter=${encodeURIComponent('userName sw "bulk99"')}&count=0`);
    // bulk99, bulk990-bulk999, bulk9900-bulk9999
    expect(sw.body.totalResults).toBe(1 + 10 + 100);
    const sorted = await ctx.scim.get(`/Users?sortBy=userName&sortOrder=descending&count=3&attributes=userName`);
    expect(sorted.body.Resources.map((r: { userName: string }) => r.userName)).toEqual([
      // Code point order: "@" sorts after the digits.
      'bulk9@example.com',
      'bulk99@example.com',
      'bulk999@example.com',
    ]);
  });
});

describe('lookups at scale', () => {
  it('the lookups IdPs make before every change (userName eq, externalId eq) stay fast at 10,000 users', async () => {
    const timings: number[] = [];
    for (const f of [
      'userName eq "BULK5000@example.com"',
      'externalId eq "nope"',
      'emails.value eq "bulk7@example.com"',
    ]) {
      const started = performance.now();
      const res = await ctx.scim.get(`/Users?filter=${encodeURIComponent(f)}`);
      timings.push(performance.now() - started);
      expect(res.status).toBe(200);
    }
    console.log(`SCIM lookups at ${N} users: ${timings.map((t) => t.toFixed(1)).join(' / ')} ms`);
  });
});

describe('concurrency (RFC 7644 §3.5.2 under load)', () => {
  it('review finding 4, RFC 7644 §3.5.2: a Group PATCH member list is capped, deduped, one parameter', async () => {
    const g = await ctx.scim.post('/Groups', { schemas: [GROUP], displayName: 'big-patch' });
    const [member] = await ctx.t.server.db.orm.em
      .fork()
      .getConnection()
      .execute<Array<{ id: string }>>(`select id from users where username = 'bulk77'`);
    const add = await ctx.scim.patch(`/Groups/${g.body.id}`, [
      { op: 'add', path: 'members', value: [{ value: member!.id }] },
    ]);
    expect(add.status).toBe(200);
    // 70,000 values: more than PostgreSQL's 65,535 parameters once (it was a 500); now past the cap of 10,000.
    const huge = await ctx.scim.patch(`/Groups/${g.body.id}`, [
      { op: 'remove', path: 'members', value: Array.from({ length: 70_000 }, () => ({ value: 'x' })) },
    ]);
    expect(huge.status).toBe(400);
    expect(huge.body.scimType).toBe('invalidValue');
    expect(huge.body.detail).toContain('10000');
    // 10,000 values (random ids, duplicates, non-ids) with the member among them: answered, the member removed.
    const values = [
      ...Array.from({ length: 4_997 }, () => ({ value: crypto.randomUUID() })),
      ...Array.from({ length: 5_000 }, () => ({ value: member!.id })),
      { value: 'not-an-id' },
      { value: "'; drop table users; --" },
      { value: member!.id },
    ];
    const big = await ctx.scim.patch(`/Groups/${g.body.id}`, [{ op: 'remove', path: 'members', value: values }]);
    expect(big.status, JSON.stringify(big.body)).toBe(200);
    expect(big.body.members ?? []).toEqual([]);
    // A non-id member to add is still refused as no User of this organization.
    const bad = await ctx.scim.patch(`/Groups/${g.body.id}`, [
      { op: 'add', path: 'members', value: [{ value: 'not-an-id' }] },
    ]);
    expect(bad.status).toBe(400);
    expect(bad.body.scimType).toBe('invalidValue');
  });

  it('concurrent PATCHes adding members to one group lose none', async () => {
    const g = await ctx.scim.post('/Groups', { schemas: [GROUP], displayName: 'crowd' });
    const users = await ctx.t.server.db.orm.em
      .fork()
      .getConnection()
      .execute<Array<{ id: string }>>(`select id from users where username like 'bulk1%' order by id limit 24`);
    const results = await Promise.all(
      users.map((u: { id: string }) =>
        ctx.scim.patch(`/Groups/${g.body.id}`, [{ op: 'add', path: 'members', value: [{ value: u.id }] }]),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(users.map(() => 200));
    const after = await ctx.scim.get(`/Groups/${g.body.id}`);
    expect(after.body.members.map((m: { value: string }) => m.value).sort()).toEqual(
      users.map((u: { id: string }) => u.id).sort(),
    );
    // Adds and removes interleaved: every removal and every add lands.
    const half = users.slice(0, 12);
    const more = await ctx.t.server.db.orm.em
      .fork()
      .getConnection()
      .execute<Array<{ id: string }>>(`select id from users where username like 'bulk2%' order by id limit 12`);
    await Promise.all([
      ...half.map((u: { id: string }) =>
        ctx.scim.patch(`/Groups/${g.body.id}`, [{ op: 'remove', path: `members[value eq "${u.id}"]` }]),
      ),
      ...more.map((u: { id: string }) =>
        ctx.scim.patch(`/Groups/${g.body.id}`, [{ op: 'add', path: 'members', value: [{ value: u.id }] }]),
      ),
    ]);
    const final = await ctx.scim.get(`/Groups/${g.body.id}`);
    expect(final.body.members.map((m: { value: string }) => m.value).sort()).toEqual(
      [...users.slice(12), ...more].map((u: { id: string }) => u.id).sort(),
    );
  });
});

describe('who may provision and see what', () => {
  let globex: ScimClient;
  let acmeUser: string;

  beforeAll(async () => {
    const em = ctx.t.server.db.orm.em.fork();
    const org = em.create(Organization, { name: 'globex', displayName: 'Globex' });
    await em.flush();
    await addMember(ctx.t, org, 'gadmin', OrgRole.ADMIN);
    const { secret } = await createToken(ctx.url, ctx.admin.token, 'globex', 'Entra');
    globex = new ScimClient(ctx.scim.base, secret);
    acmeUser = (await ctx.scim.createUser('only-acme@example.com')).body.id;
  });

  it("another organization's token neither sees nor changes this organization's users and groups", async () => {
    const list = await globex.get('/Users?count=1000');
    expect(list.body.totalResults).toBe(1);
    expect(list.body.Resources[0].userName).toBe('gadmin@example.com');
    expect((await globex.get(`/Users/${acmeUser}`)).status).toBe(404);
    expect((await globex.patch(`/Users/${acmeUser}`, [{ op: 'replace', path: 'active', value: false }])).status).toBe(
      404,
    );
    expect((await globex.delete(`/Users/${acmeUser}`)).status).toBe(404);
    const acmeGroup = (await ctx.scim.get('/Groups?count=1')).body.Resources[0].id;
    expect((await globex.get(`/Groups/${acmeGroup}`)).status).toBe(404);
    expect((await globex.get('/Groups')).body.totalResults).toBe(0);
    // A group of globex cannot take an acme user as member.
    const g = await globex.post('/Groups', { schemas: [GROUP], displayName: 'g', members: [{ value: acmeUser }] });
    expect(g.status).toBe(400);
    expect((await ctx.scim.get(`/Users/${acmeUser}`)).body.active).toBe(true);
  });

  it('a revoked token is refused at once (401); revoking twice is changed: false', async () => {
    const { secret, id } = await createToken(ctx.url, ctx.admin.token, 'acme', 'temp');
    const client = new ScimClient(ctx.scim.base, secret);
    expect((await client.get('/Users?count=1')).status).toBe(200);
    const revoked = await gql(ctx.url, REVOKE_TOKEN, { i: { id } }, ctx.admin.token);
    expect(revoked.data?.revokeScimToken.changed).toBe(true);
    const res = await client.get('/Users?count=1');
    expect(res.status).toBe(401);
    expect(res.body.detail).toMatch(/revoked/);
    expect((await gql(ctx.url, REVOKE_TOKEN, { i: { id } }, ctx.admin.token)).data?.revokeScimToken.changed).toBe(
      false,
    );
  });

  it('tokens: only org admins create, list and revoke them; the list has lastUsedAt, no secret', async () => {
    const member = await addMember(ctx.t, ctx.org, 'plainmember', OrgRole.MEMBER);
    const outsider = await addMember(ctx.t, null, 'stranger', OrgRole.MEMBER);
    const create = 'mutation { createScimToken(input: { organization: "acme", name: "x" }) { secret } }';
    expect(codeOf(await gql(ctx.url, create, {}, member.token))).toBe('FORBIDDEN');
    expect(codeOf(await gql(ctx.url, create, {}, outsider.token))).toBe('NOT_FOUND');
    const LIST = '{ organization(name: "acme") { scimTokens { id name lastFour lastUsedAt revokedAt } } }';
    expect(codeOf(await gql(ctx.url, LIST, {}, member.token))).toBe('FORBIDDEN');
    expect((await gql(ctx.url, LIST, {}, outsider.token)).data?.organization ?? null).toBeNull();
    const admin = await gql(ctx.url, LIST, {}, ctx.admin.token);
    const okta = admin.data!.organization.scimTokens.find((t: { name: string }) => t.name === 'Okta');
    expect(okta.lastUsedAt).not.toBeNull();
    // Used within the minute: a request writes nothing for lastUsedAt, not even a no-op statement.
    const { statements } = await countStatements(ctx.t, () => ctx.scim.get('/Users?count=1'));
    expect(statements.length).toBeGreaterThan(0);
    expect(statements.filter((sql) => /update\s+"?scim_tokens"?/i.test(sql))).toEqual([]);
    expect(okta.lastFour).toBe(ctx.secret.slice(-4));
    expect(JSON.stringify(admin.data)).not.toContain(ctx.secret);
    const other = await gql(
      ctx.url,
      REVOKE_TOKEN,
      { i: { id: ctx.tokenId } },
      (await addMember(ctx.t, null, 'nobody', OrgRole.MEMBER)).token,
    );
    expect(codeOf(other)).toBe('NOT_FOUND');
    const rows = await ctx.t.server.db.orm.em
      .fork()
      .getConnection()
      .execute<Array<{ token_hash: string }>>('select token_hash from scim_tokens where id = ?', [ctx.tokenId]);
    expect(rows[0]!.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(ctx.secret).toMatch(/^rsc_[0-9A-Za-z]{49}$/);
  });

  it('scimTokens lists the 100 newest tokens, however many were ever created', async () => {
    const sql = (q: string, params: unknown[] = []) => ctx.t.server.db.orm.em.fork().getConnection().execute(q, params);
    await sql(
      `insert into scim_tokens (id, organization_id, name, token_hash, last_four, created_at, revoked_at)
       select gen_random_uuid(), o.id, 'old-' || g, md5(g::text) || md5(g::text), '0000',
         timestamptz '2000-01-01' + make_interval(mins => g), now()
       from organizations o, generate_series(1, 150) g where o.name = 'acme'`,
    );
    try {
      const res = await gql(ctx.url, '{ organization(name: "acme") { scimTokens { name } } }', {}, ctx.admin.token);
      const names = res.data!.organization.scimTokens.map((t: { name: string }) => t.name);
      expect(names).toHaveLength(100);
      // Newest first: the real tokens, then the newest of the old ones.
      expect(names).toContain('Okta');
      expect(names).not.toContain('old-1');
    } finally {
      await sql("delete from scim_tokens where name like 'old-%'");
    }
  });

  it('nested read paths: scimTokens reaches only org admins, from every path to the organization', async () => {
    const member = await addMember(ctx.t, ctx.org, 'nestedmember', OrgRole.MEMBER);
    const stranger = await addMember(ctx.t, null, 'nestedstranger', OrgRole.MEMBER);
    const paths = [
      '{ organization(name: "acme") { scimTokens { name } } }',
      '{ organizations { nodes { name scimTokens { name } } } }',
      '{ viewer { user { memberships { nodes { organization { scimTokens { name } } } } } } }',
    ];
    for (const query of paths) {
      for (const caller of [member, stranger]) {
        const res = await gql(ctx.url, query, {}, caller.token);
        expect(JSON.stringify(res.data ?? null)).not.toContain('Okta');
        if (res.errors) expect(codeOf(res)).toBe(caller === member ? 'FORBIDDEN' : 'NOT_FOUND');
      }
    }
    const asAdmin = await gql(ctx.url, paths[0]!, {}, ctx.admin.token);
    expect(JSON.stringify(asAdmin.data)).toContain('Okta');
  });

  it('the audit log shows SCIM changes with the token as actor, to org admins through the API', async () => {
    await ctx.scim.patch(`/Users/${acmeUser}`, [{ op: 'replace', path: 'displayName', value: 'Audited Name' }], {
      'x-request-id': 'idp-req-42',
    });
    const res = await gql(
      ctx.url,
      '{ organization(name: "acme") { auditLog(first: 5, actions: [MEMBER_SCIM_UPDATED]) { nodes { actor { type id ' +
        'label } target { id } metadata } } } }',
      {},
      ctx.admin.token,
    );
    const [event] = res.data!.organization.auditLog.nodes;
    expect(event).toMatchObject({
      actor: { type: 'scim_token', id: ctx.tokenId, label: 'Okta' },
      target: { id: acmeUser },
      metadata: { via: 'scim', idpRequestId: 'idp-req-42', changed: ['name'] },
    });
  });

  it("a personal API key or session is not a SCIM credential, even an admin's (401)", async () => {
    const key = await gql<{ createApiKey: { secret: string } }>(
      ctx.url,
      'mutation { createApiKey(input: { name: "k" }) { secret } }',
      {},
      ctx.admin.token,
    );
    for (const token of [key.data!.createApiKey.secret, ctx.admin.token]) {
      const res = await new ScimClient(ctx.scim.base, token).get('/Users');
      expect(res.status).toBe(401);
    }
  });
});

describe('rate limit (docs/SCIM.md)', () => {
  it('per token: past SCIM_RATE_LIMIT_PER_MINUTE requests get 429 with Retry-After and a SCIM error', async () => {
    const t = await startTestServer({ SCIM_RATE_LIMIT_PER_MINUTE: '3' });
    try {
      const signUp = await gql<{ signUp: { token: string } }>(
        t.url,
        'mutation($i: SignUpInput!) { signUp(input: $i) { token } }',
        {
          i: {
            email: 'alice@example.com',
            username: 'alice',
            name: 'Alice',
            password: 'admin-password-1',
            organizationName: 'orga',
          },
        },
      );
      const { secret } = await createToken(t.url, signUp.data!.signUp.token, 'orga', 'Okta');
      const client = new ScimClient(`${t.url}/scim/v2`, secret);
      const statuses: number[] = [];
      let last = null as Awaited<ReturnType<ScimClient['get']>> | null;
      for (let i = 0; i < 4; i++) {
        last = await client.get('/ServiceProviderConfig');
        statuses.push(last.status);
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
      expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(last!.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
      expect(last!.body.status).toBe('429');
      // Another token of the same organization has its own budget.
      const second = await createToken(t.url, signUp.data!.signUp.token, 'orga', 'Entra');
      expect((await new ScimClient(`${t.url}/scim/v2`, second.secret).get('/Users')).status).toBe(200);
    } finally {
      await t.close();
    }
  });
});
