import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../src/server';
import { createLogger } from '../src/logger';
import { testConfig } from '../src/testing';
import { InstanceState } from '../src/modules/instance/instance-state';
import { instanceWithAdmin, addMember, countStatements, gql, type InstanceWithAdmin, type Actor } from './fixtures';
import { startTestServer } from '../src/testing';

const CREATE = 'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret apiKey { id } } }';
const WHO = '{ viewer { authenticatedWith user { username } } }';
const isApiKeyWrite = (sql: string) => /update "?api_keys"?/i.test(sql);

describe('hot paths: no table reads or repeated writes per request (issue 10, goal 6)', () => {
  let ctx: InstanceWithAdmin;
  let member: Actor;
  beforeAll(async () => {
    ctx = await instanceWithAdmin();
    member = await addMember(ctx.t, ctx.org, 'hana');
  });
  afterAll(() => ctx?.t.close());

  it('answers instance { needsBootstrap } after bootstrap without any SQL, however many ask at once', async () => {
    const { result, statements } = await countStatements(ctx.t, () =>
      Promise.all(Array.from({ length: 25 }, () => gql(ctx.url, '{ instance { needsBootstrap version } }'))),
    );
    for (const res of result) expect(res.data!.instance.needsBootstrap).toBe(false);
    expect(statements).toEqual([]);
  });

  // Another process needs a second connection: PGlite has one.
  it.skipIf(!process.env.DATABASE_URL)(
    'sees the first sign-up made through another process, then stops asking',
    async () => {
      const t = await startTestServer();
      try {
        // "Another process": its own state and its own pool on the same database.
        const other = await t.openExtraDatabase();
        try {
          const state = new InstanceState();
          expect(await state.needsBootstrap(other.orm.em.fork())).toBe(true);
          const signUp = await gql(t.url, 'mutation($i: SignUpInput!) { signUp(input: $i) { token } }', {
            i: { email: 'first@example.com', username: 'first', name: 'First', password: 'first-password-1' },
          });
          expect(signUp.data!.signUp.token).toBeTruthy();
          // The process that signed up knows at once.
          const local = await countStatements(t, () => gql(t.url, '{ instance { needsBootstrap } }'));
          expect(local.result.data!.instance.needsBootstrap).toBe(false);
          expect(local.statements).toEqual([]);
          // The other one reads the database once, then answers from memory.
          const knex = other.orm.em.getConnection().getKnex();
          const seen: string[] = [];
          const listener = (q: { sql: string }) => seen.push(q.sql);
          knex.on('query', listener);
          expect(await state.needsBootstrap(other.orm.em.fork())).toBe(false);
          expect(await state.needsBootstrap(other.orm.em.fork())).toBe(false);
          knex.off('query', listener);
          expect(seen).toHaveLength(1);
        } finally {
          await other.close();
        }
      } finally {
        await t.close();
      }
    },
  );

  it('writes a new API key lastUsedAt once for 20 concurrent requests', async () => {
    const { secret } = (await gql(ctx.url, CREATE, { i: { name: 'first-burst' } }, member.token)).data!.createApiKey;
    const before = ctx.t.server.apiKeyUsage.writes;
    const { result, statements } = await countStatements(ctx.t, () =>
      Promise.all(Array.from({ length: 20 }, () => gql(ctx.url, WHO, {}, secret))),
    );
    for (const res of result) expect(res.data!.viewer.authenticatedWith).toBe('API_KEY');
    expect(statements.filter(isApiKeyWrite)).toHaveLength(1);
    expect(ctx.t.server.apiKeyUsage.writes - before).toBe(1);
  });

  it.skipIf(!process.env.DATABASE_URL)(
    'writes an API key lastUsedAt once for 20 concurrent requests on a fresh server process',
    async () => {
      const { secret } = (await gql(ctx.url, CREATE, { i: { name: 'burst' } }, member.token)).data!.createApiKey;
      const config = testConfig(ctx.t.database);
      const fresh = await startServer({ config, logger: createLogger(config.logLevel) });
      try {
        const knex = fresh.db.orm.em.getConnection().getKnex();
        const writes: string[] = [];
        const listener = (q: { sql: string }) => isApiKeyWrite(q.sql) && writes.push(q.sql);
        knex.on('query', listener);
        const results = await Promise.all(Array.from({ length: 20 }, () => gql(fresh.url, WHO, {}, secret)));
        knex.off('query', listener);
        for (const res of results)
          expect(res.data!.viewer).toEqual({ authenticatedWith: 'API_KEY', user: { username: 'hana' } });
        expect(writes).toHaveLength(1);
        expect(fresh.apiKeyUsage.writes).toBe(1);
        const rows = await fresh.db.orm.em
          .fork()
          .getConnection()
          .execute<Array<{ last_used_at: Date | null }>>('select last_used_at from api_keys where name = ?', ['burst']);
        expect(rows[0]!.last_used_at).not.toBeNull();
        // Later requests within the interval write nothing.
        const again = await countStatements({ ...ctx.t, server: fresh }, () => gql(fresh.url, WHO, {}, secret));
        expect(again.statements.filter(isApiKeyWrite)).toEqual([]);
      } finally {
        await fresh.close();
      }
    },
  );
  it('serves a members page with teams and totalCount in 3 statements: session, org + membership, page', async () => {
    // The page's statement reads each row's visible teams and the count too, however the document selects them.
    const PAGES = [
      'query($org: String!) { organization(name: $org) { name members(first: 50) { totalCount ' +
        'pageInfo { endCursor } nodes { username role teams { name } } } } }',
      'query($org: String!) { organization(name: $org) { name members(first: 50) { ...C } } } ' +
        'fragment C on OrganizationMemberConnection { n: totalCount edges { node { ... on OrganizationMember { ' +
        'username role teams { name } } } } }',
    ];
    for (const caller of [ctx.admin, member]) {
      for (const PAGE of PAGES) {
        const { result, statements } = await countStatements(ctx.t, () =>
          gql(ctx.url, PAGE, { org: ctx.org!.name }, caller.token),
        );
        expect(result.errors).toBeUndefined();
        const reads = statements.filter((q) => !/outbox_emails|daily_activity|last_active_at = /.test(q));
        expect(reads, reads.join('\n')).toHaveLength(3);
        expect(reads[0]).toMatch(/from sessions s join users u/);
        expect(reads[1]).toMatch(/from organizations o left join org_memberships m/);
        expect(reads[2]).toMatch(/as teams from .* as "total_count"|"total_count".* as teams from/s);
      }
    }
  });

  it('sends the per-request lookups as named prepared statements with parameters, not values in the text', async () => {
    const knex = ctx.t.server.db.orm.em.getConnection().getKnex();
    const sent: Array<{ sql: string; bindings: unknown[]; name: unknown }> = [];
    const listener = (q: { sql: string; bindings?: unknown[]; options?: { name?: unknown } }) =>
      sent.push({ sql: q.sql, bindings: q.bindings ?? [], name: q.options?.name });
    const secret = (
      await gql<{ createApiKey: { secret: string } }>(ctx.url, CREATE, { i: { name: 'prep' } }, member.token)
    ).data!.createApiKey.secret;
    knex.on('query', listener);
    try {
      // Twice each: the second request on a connection runs the statement it prepared.
      for (let i = 0; i < 2; i++) {
        for (const credential of [member.token, secret]) {
          const res = await gql(ctx.url, '{ organization(name: "acme") { name } }', {}, credential);
          expect(res.errors).toBeUndefined();
        }
      }
    } finally {
      knex.off('query', listener);
    }
    const named = (name: string) => sent.filter((q) => q.name === name);
    expect(named('roster_session_by_token')).toHaveLength(2);
    expect(named('roster_api_key_by_hash')).toHaveLength(2);
    expect(named('roster_organization_with_membership')).toHaveLength(4);
    for (const q of sent.filter((q) => typeof q.name === 'string')) {
      expect(q.bindings.length, q.sql).toBeGreaterThan(0);
      // The values travel as parameters: no quoted literal in the text.
      expect(q.sql, q.sql).not.toMatch(/'/);
    }
    // PostgreSQL holds them as prepared statements of the pool's connections.
    const raw = (await knex.client.acquireConnection()) as {
      query(sql: string): Promise<{ rows: Array<{ name: string }> }>;
    };
    try {
      const { rows } = await raw.query('select name from pg_prepared_statements');
      // At least on the connection handed out here, if it served one of the requests; on every connection, only these.
      for (const { name } of rows) expect(name).toMatch(/^roster_/);
    } finally {
      await knex.client.releaseConnection(raw);
    }
  });
});
