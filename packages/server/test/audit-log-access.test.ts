import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  instanceWithAdmin,
  addMember,
  gql,
  codeOf,
  countStatements,
  type InstanceWithAdmin,
  type Actor,
} from './fixtures';
import { OrgRole } from '../src/authz/roles';
import { authenticate } from '../src/auth/authenticate';
import { ApiKeyUsage } from '../src/auth/api-key-usage';
import { Organization } from '../src/modules/organizations/organization.entity';

const INSTANCE_LOG = `query($organization: String, $first: Int, $after: String, $actions: [AuditAction!],
  $actor: String, $target: String, $targetType: String, $since: DateTime, $until: DateTime) {
  auditLog(organization: $organization, first: $first, after: $after, actions: $actions, actor: $actor,
    target: $target, targetType: $targetType, since: $since, until: $until) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id action actor { type label } target { type id label } organizationId metadata } } }`;
const ORG_LOG = `query($org: String!, $actions: [AuditAction!], $first: Int) { organization(name: $org) {
  auditLog(first: $first, actions: $actions) { totalCount nodes { action actor { label } target { type label } } } } }`;

interface Node {
  id: string;
  action: string;
  actor: { type: string; label: string | null };
  target: { type: string; id: string; label: string | null } | null;
  organizationId: string | null;
}

describe('audit log: instance query, organization scope, filters, export', () => {
  let ctx: InstanceWithAdmin;
  let olga: Actor;
  let mia: Actor;
  let vic: Actor;
  let gus: Actor;
  let miaKey: string;
  let serviceKey: string;
  const log = (token: string | undefined, variables: Record<string, unknown> = {}) =>
    gql(ctx.url, INSTANCE_LOG, variables, token);
  const logIn = (login: string, password: string) =>
    gql(ctx.url, 'mutation($i: LogInInput!) { logIn(input: $i) { token } }', { i: { login, password } });
  const exportLog = (query: string, headers: Record<string, string>) =>
    fetch(`${ctx.url}/audit-log.jsonl${query}`, { headers });

  beforeAll(async () => {
    ctx = await instanceWithAdmin();
    olga = await addMember(ctx.t, ctx.org, 'olga', OrgRole.ADMIN);
    mia = await addMember(ctx.t, ctx.org, 'mia', OrgRole.MEMBER, undefined, { password: 'mia-password-1' });
    vic = await addMember(ctx.t, ctx.org, 'vic', OrgRole.VIEWER);
    await gql(
      ctx.url,
      'mutation { createOrganization(input: { name: "globex" }) { organization { id } } }',
      {},
      ctx.admin.token,
    );
    const globex = await ctx.t.server.db.orm.em.fork().findOneOrFail(Organization, { name: 'globex' });
    gus = await addMember(ctx.t, globex, 'gus', OrgRole.ADMIN, undefined, { password: 'gus-password-1' });
    // Sign-in events: an unknown login (instance admins only), a member's wrong password, another org's login.
    expect(codeOf(await logIn('ghost@example.com', 'whatever-1'))).toBe('INVALID_CREDENTIALS');
    expect(codeOf(await logIn('mia', 'wrong-password-1'))).toBe('INVALID_CREDENTIALS');
    expect((await logIn('gus', 'gus-password-1')).errors).toBeUndefined();
    const key = await gql(ctx.url, 'mutation { createApiKey(input: { name: "cli" }) { secret } }', {}, mia.token);
    miaKey = key.data!.createApiKey.secret;
    // Used twice from one address: one event.
    await gql(ctx.url, '{ viewer { user { username } } }', {}, miaKey);
    await gql(ctx.url, '{ viewer { user { username } } }', {}, miaKey);
    const revoked = await gql(
      ctx.url,
      'mutation { revokeSessions(input: { keepCurrent: true }) { revokedCount user { username } } }',
      {},
      mia.token,
    );
    expect(revoked.data!.revokeSessions).toEqual({ revokedCount: 0, user: { username: 'mia' } });
    await gql(
      ctx.url,
      'mutation { createTeam(input: { organization: "acme", name: "vision" }) { team { id } } }',
      {},
      ctx.admin.token,
    );
    const sa = await gql(
      ctx.url,
      'mutation { createServiceAccount(input: { organization: "acme", team: "vision", name: "bot" }) { ' +
        'serviceAccount { id } } }',
      {},
      ctx.admin.token,
    );
    const saKey = await gql(
      ctx.url,
      'mutation($i: CreateServiceAccountKeyInput!) { createServiceAccountKey(input: $i) { secret } }',
      { i: { serviceAccount: sa.data!.createServiceAccount.serviceAccount.id, name: 'ci' } },
      ctx.admin.token,
    );
    serviceKey = saKey.data!.createServiceAccountKey.secret;
  });
  afterAll(() => ctx?.t.close());

  it('shows instance admins every event, failed sign-ins of unknown logins included', async () => {
    const res = await log(ctx.admin.token, { first: 100 });
    expect(res.errors).toBeUndefined();
    const nodes = res.data!.auditLog.nodes as Node[];
    const failed = nodes.filter((n) => n.action === 'USER_LOGIN_FAILED');
    expect(failed.map((n) => n.target!.type).sort()).toEqual(['login', 'user']);
    expect(failed.find((n) => n.target!.type === 'login')).toMatchObject({
      organizationId: null,
      actor: { type: 'anonymous' },
    });
    expect(nodes.filter((n) => n.action === 'API_KEY_USED_FROM_NEW_ADDRESS')).toHaveLength(1);
    expect(nodes.some((n) => n.action === 'USER_SESSIONS_REVOKED')).toBe(true);
    expect(nodes.some((n) => n.action === 'USER_LOGGED_IN' && n.actor.label === 'gus')).toBe(true);
  });

  it('shows an org admin their organization’s events and their members’ sign-ins, not others’', async () => {
    const res = await gql(ctx.url, ORG_LOG, { org: 'acme', first: 100 }, olga.token);
    expect(res.errors).toBeUndefined();
    const nodes = res.data!.organization.auditLog.nodes as Array<{
      action: string;
      actor: { label: string };
      target: { type: string; label: string } | null;
    }>;
    const failed = nodes.filter((n) => n.action === 'USER_LOGIN_FAILED');
    expect(failed).toEqual([
      { action: 'USER_LOGIN_FAILED', actor: { label: null }, target: { type: 'user', label: 'mia' } },
    ]);
    expect(nodes.some((n) => n.action === 'API_KEY_USED_FROM_NEW_ADDRESS' && n.actor.label === 'mia')).toBe(true);
    expect(nodes.some((n) => n.action === 'USER_SESSIONS_REVOKED')).toBe(true);
    expect(nodes.some((n) => n.actor.label === 'gus' || n.target?.label === 'gus')).toBe(false);
    expect(nodes.some((n) => n.target?.type === 'login')).toBe(false);
    // The same view through the instance query with an organization, for an instance admin.
    const same = await log(ctx.admin.token, { organization: 'acme', first: 100 });
    expect(same.data!.auditLog.totalCount).toBe(res.data!.organization.auditLog.totalCount);
  });

  it('keeps what an instance admin who is a member did to the instance out of the organization’s log', async () => {
    // The root admin is an ADMIN of acme; granting instance admin (to acme's ivy) and changing instance settings are
    // the instance's business, not acme's, though actor and target are acme members.
    await addMember(ctx.t, ctx.org, 'ivy');
    const grant = await gql(
      ctx.url,
      'mutation { grantInstanceAdmin(input: { user: "ivy" }) { changed } }',
      {},
      ctx.admin.token,
    );
    expect(grant.errors).toBeUndefined();
    const settings = await gql(
      ctx.url,
      'mutation { updateInstanceSettings(input: { invitationTtlDays: 9 }) { settings { version } } }',
      {},
      ctx.admin.token,
    );
    expect(settings.errors).toBeUndefined();
    const instanceActions = ['USER_INSTANCE_ADMIN_GRANTED', 'INSTANCE_SETTINGS_UPDATED'];
    const all = await log(ctx.admin.token, { actions: instanceActions, first: 10 });
    expect(all.data!.auditLog.totalCount).toBe(2);
    const res = await gql(ctx.url, ORG_LOG, { org: 'acme', actions: instanceActions, first: 10 }, olga.token);
    expect(res.errors).toBeUndefined();
    expect(res.data!.organization.auditLog.nodes).toEqual([]);
  });

  it('refuses the instance log to everyone but instance admins', async () => {
    expect(codeOf(await log(undefined))).toBe('UNAUTHENTICATED');
    for (const token of [olga.token, mia.token, vic.token, gus.token, miaKey, serviceKey]) {
      const res = await log(token);
      expect(codeOf(res)).toBe('FORBIDDEN');
      expect(res.data).toBeNull();
    }
    // Not even one organization's slice of it, through the instance query.
    expect(codeOf(await log(olga.token, { organization: 'acme' }))).toBe('FORBIDDEN');
  });

  it('refuses an organization’s log to members, viewers, service accounts and other orgs’ admins', async () => {
    for (const token of [mia.token, vic.token, miaKey])
      expect(codeOf(await gql(ctx.url, ORG_LOG, { org: 'acme' }, token))).toBe('FORBIDDEN');
    // A service account sees its organization but nothing of its log; another org's admin does not see acme at all.
    expect(codeOf(await gql(ctx.url, ORG_LOG, { org: 'acme' }, serviceKey))).toBe('FORBIDDEN');
    const foreign = await gql(ctx.url, ORG_LOG, { org: 'acme' }, gus.token);
    expect(foreign.data!.organization).toBeNull();
    // Nested: through their own organization gus reaches none of acme's events.
    const own = await gql(ctx.url, ORG_LOG, { org: 'globex', first: 100 }, gus.token);
    const labels = (own.data!.organization.auditLog.nodes as Array<{ actor: { label: string } }>).map(
      (n) => n.actor.label,
    );
    expect(labels.every((l) => l === 'gus' || l === 'admin')).toBe(true);
  });

  it('filters by actions, actor, target, target type and time, and pages with a cursor', async () => {
    const byActions = await log(ctx.admin.token, {
      actions: ['USER_LOGIN_FAILED', 'USER_SESSIONS_REVOKED'],
      first: 100,
    });
    expect(new Set((byActions.data!.auditLog.nodes as Node[]).map((n) => n.action))).toEqual(
      new Set(['USER_LOGIN_FAILED', 'USER_SESSIONS_REVOKED']),
    );
    const byActor = await log(ctx.admin.token, { actor: 'MIA', first: 100 });
    expect((byActor.data!.auditLog.nodes as Node[]).every((n) => n.actor.label === 'mia')).toBe(true);
    expect(byActor.data!.auditLog.totalCount).toBeGreaterThan(0);
    const byTarget = await log(ctx.admin.token, { target: 'mia', targetType: 'user', first: 100 });
    expect(
      (byTarget.data!.auditLog.nodes as Node[]).every((n) => n.target?.label === 'mia' && n.target.type === 'user'),
    ).toBe(true);
    const future = await log(ctx.admin.token, { since: new Date(Date.now() + 3_600_000).toISOString() });
    expect(future.data!.auditLog.totalCount).toBe(0);
    const past = await log(ctx.admin.token, { until: new Date(Date.now() - 3_600_000).toISOString() });
    expect(past.data!.auditLog.totalCount).toBe(0);
    const all = await log(ctx.admin.token, { first: 100 });
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof log>> = await log(ctx.admin.token, { first: 3, after });
      seen.push(...(page.data!.auditLog.nodes as Node[]).map((n) => n.id));
      after = page.data!.auditLog.pageInfo.hasNextPage ? page.data!.auditLog.pageInfo.endCursor : null;
    } while (after);
    expect(seen).toEqual((all.data!.auditLog.nodes as Node[]).map((n) => n.id));
  });

  it('refuses bad filters, cursors, time ranges and page sizes with BAD_USER_INPUT', async () => {
    const now = Date.now();
    for (const variables of [
      { since: new Date(now).toISOString(), until: new Date(now - 1000).toISOString() },
      { after: 'not-a-cursor' },
      { first: 101 },
      { first: 0 },
      { actor: '' },
      { actor: 'x'.repeat(300) },
      { targetType: 'Robert"); drop table' },
      { target: 'a\u0000b' },
    ]) {
      expect(codeOf(await log(ctx.admin.token, variables)), JSON.stringify(variables)).toBe('BAD_USER_INPUT');
    }
    expect(codeOf(await log(ctx.admin.token, { organization: 'no-such-org' }))).toBe('NOT_FOUND');
  });

  it('exports JSON Lines with the same filters, authenticated like the API', async () => {
    const bearer = await exportLog('?actions=USER_LOGIN_FAILED,USER_SESSIONS_REVOKED', {
      authorization: `Bearer ${ctx.admin.token}`,
    });
    expect(bearer.status).toBe(200);
    expect(bearer.headers.get('content-type')).toMatch(/application\/x-ndjson/);
    expect(bearer.headers.get('content-disposition')).toMatch(
      /attachment; filename="audit-log-\d{4}-\d{2}-\d{2}\.jsonl"/,
    );
    const lines = (await bearer.text())
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Node);
    const viaApi = await log(ctx.admin.token, { actions: ['USER_LOGIN_FAILED', 'USER_SESSIONS_REVOKED'], first: 100 });
    expect(lines.map((l) => l.id)).toEqual((viaApi.data!.auditLog.nodes as Node[]).map((n) => n.id));
    expect(lines[0]).toMatchObject({ action: expect.stringMatching(/^(USER_LOGIN_FAILED|USER_SESSIONS_REVOKED)$/) });
    // An org admin exports their organization's log; the export is itself an event.
    const org = await exportLog('?organization=acme', { authorization: `Bearer ${olga.token}` });
    expect(org.status).toBe(200);
    const orgLines = (await org.text())
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Node);
    expect(orgLines[0]!.action).toBe('AUDIT_LOG_EXPORTED');
    expect(orgLines.some((l) => l.target?.type === 'login' || l.actor.label === 'gus')).toBe(false);
    // The session cookie works from the same site, not from another one (CSRF), nor without saying where from: refused
    // with CSRF_REFUSED, as the members download does (http-auth.ts), so the caller learns what to send.
    const cookie = { cookie: `roster_session=${ctx.admin.token}` };
    expect((await exportLog('', { ...cookie, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    for (const res of [
      await exportLog('', { ...cookie, 'sec-fetch-site': 'cross-site' }),
      await exportLog('', cookie),
    ]) {
      expect(res.status).toBe(403);
      const body = (await res.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
      expect(body.errors[0]!.extensions.code).toBe('CSRF_REFUSED');
      expect(body.errors[0]!.message).toContain('x-roster-client');
    }
    expect((await exportLog('', { ...cookie, 'x-roster-client': 'dashboard' })).status).toBe(200);
  });

  it('refuses exports to those who may not read the log, and bad parameters', async () => {
    const denied = async (query: string, token: string | null, status: number, code: string) => {
      const res = await exportLog(query, token ? { authorization: `Bearer ${token}` } : {});
      expect(res.status, `${query} ${status}`).toBe(status);
      expect(
        ((await res.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code,
      ).toBe(code);
    };
    await denied('', null, 401, 'UNAUTHENTICATED');
    await denied('', olga.token, 403, 'FORBIDDEN');
    await denied('?organization=acme', mia.token, 403, 'FORBIDDEN');
    await denied('?organization=acme', miaKey, 403, 'FORBIDDEN');
    await denied('?organization=acme', serviceKey, 403, 'FORBIDDEN');
    await denied('?organization=acme', gus.token, 404, 'NOT_FOUND');
    await denied('?actions=NOPE', ctx.admin.token, 400, 'BAD_USER_INPUT');
    await denied('?since=yesterday', ctx.admin.token, 400, 'BAD_USER_INPUT');
    await denied('?actor=a&actor=b', ctx.admin.token, 400, 'BAD_USER_INPUT');
    await denied('?actor=a%00b', ctx.admin.token, 400, 'BAD_USER_INPUT');
    await denied('?target=%00', ctx.admin.token, 400, 'BAD_USER_INPUT');
    // A misspelt filter would export the whole log.
    await denied('?organisation=acme', ctx.admin.token, 400, 'BAD_USER_INPUT');
    await denied('?since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z', ctx.admin.token, 400, 'BAD_USER_INPUT');
    const bad = await exportLog('', { authorization: 'Bearer not-a-token' });
    expect(bad.status).toBe(401);
  });

  it('records a key’s use from a new address once, whatever the concurrency, and no write afterwards', async () => {
    const key = await gql(
      ctx.url,
      'mutation { createApiKey(input: { name: "burst" }) { secret apiKey { id } } }',
      {},
      mia.token,
    );
    const secret = key.data!.createApiKey.secret as string;
    const id = key.data!.createApiKey.apiKey.id as string;
    const results = await Promise.all(
      Array.from({ length: 20 }, () => gql(ctx.url, '{ viewer { user { username } } }', {}, secret)),
    );
    expect(results.every((r) => !r.errors)).toBe(true);
    const events = await ctx.t.server.db.orm.em
      .fork()
      .getConnection()
      .execute<Array<{ n: string }>>(
        `select count(*) as n from audit_events where action = 'api_key.used_from_new_address' and target_id = ?`,
        [id],
      );
    expect(Number(events[0]!.n)).toBe(1);
    // Steady use from a known address: no statement touches api_key_addresses or audit_events.
    const { statements } = await countStatements(ctx.t, () =>
      gql(ctx.url, '{ viewer { user { username } } }', {}, secret),
    );
    expect(statements.filter((q) => /api_key_addresses|audit_events/.test(q))).toEqual([]);
  });

  it.skipIf(!process.env.DATABASE_URL)(
    'claims a new address once across processes: two processes authenticating the same key at once',
    async () => {
      const key = await gql(
        ctx.url,
        'mutation { createApiKey(input: { name: "two" }) { secret apiKey { id } } }',
        {},
        mia.token,
      );
      const secret = key.data!.createApiKey.secret as string;
      const other = await ctx.t.openExtraDatabase();
      try {
        // Each "process" has its own ApiKeyUsage (its own memory of pairs) and its own connection pool.
        const runs = [ctx.t.server.db.orm, other.orm, ctx.t.server.db.orm, other.orm].map((orm) =>
          authenticate(
            orm.em.fork(),
            { bearer: secret, cookie: null },
            { apiKeyUsage: new ApiKeyUsage(300_000), clientAddress: '10.0.0.1' },
          ),
        );
        await Promise.all(runs);
      } finally {
        await other.close();
      }
      const rows = await ctx.t.server.db.orm.em
        .fork()
        .getConnection()
        .execute<Array<{ n: string }>>(
          `select count(*) as n from audit_events where action = 'api_key.used_from_new_address' and target_id = ? ` +
            `and client_address = '10.0.0.1'`,
          [key.data!.createApiKey.apiKey.id],
        );
      expect(Number(rows[0]!.n)).toBe(1);
    },
  );

  it('streams a large log from a cursor: every row once, newest first', async () => {
    await ctx.t.server.db.orm.em
      .fork()
      .getConnection()
      .execute(
        `insert into audit_events (action, actor_type, actor_label, created_at)
           select 'user.logged_in', 'user', 'bulk', now() from generate_series(1, 25000)`,
      );
    const res = await exportLog('?actor=bulk', { authorization: `Bearer ${ctx.admin.token}` });
    expect(res.status).toBe(200);
    let count = 0;
    let previous = Number.POSITIVE_INFINITY;
    let rest = '';
    const decoder = new TextDecoder();
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      const text = rest + decoder.decode(chunk, { stream: true });
      const parts = text.split('\n');
      rest = parts.pop()!;
      for (const line of parts) {
        const id = Number((JSON.parse(line) as Node).id);
        expect(id).toBeLessThan(previous);
        previous = id;
        count++;
      }
    }
    expect(rest).toBe('');
    expect(count).toBe(25_000);
  });
});
