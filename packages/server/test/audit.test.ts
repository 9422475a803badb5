import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  instanceWithAdmin,
  addMember,
  gql,
  codeOf,
  inviteByLink,
  acceptAsNewUser,
  ADMIN_PASSWORD,
  type InstanceWithAdmin,
  outcomeOf,
} from './fixtures';
import { MemberStatus, OrgRole } from '../src/authz/roles';

const LOG =
  `query($first: Int, $after: String, $actions: [AuditAction!], $actor: String, $since: DateTime, $until: ` +
  `DateTime) {
  organization(name: "acme") { auditLog(first: $first, after: $after, actions: $actions, actor: $actor, since: ` +
  `$since, until: $until) {
    totalCount pageInfo { hasNextPage endCursor } nodes { id action actor { type label } target { type label } ` +
  `metadata clientAddress createdAt } } } }`;

describe('audit log', () => {
  let ctx: InstanceWithAdmin;
  const secrets: string[] = [];
  beforeAll(async () => {
    ctx = await instanceWithAdmin();
    const url = ctx.url;
    const admin = ctx.admin.token;
    // One of each state change of this issue and the foundation.
    const login = await gql(
      url,
      'mutation { logIn(input: { login: "admin", password: "admin-password-1" }) { token } }',
    );
    secrets.push(login.data!.logIn.token, ADMIN_PASSWORD);
    const key = await gql(
      url,
      'mutation { createApiKey(input: { name: "audit" }) { secret apiKey { id } } }',
      {},
      admin,
    );
    secrets.push(key.data!.createApiKey.secret);
    await gql(
      url,
      'mutation($i: RevokeApiKeyInput!) { revokeApiKey(input: $i) { apiKey { id } } }',
      { i: { id: key.data!.createApiKey.apiKey.id } },
      admin,
    );
    await gql(
      url,
      'mutation { updateOrganization(input: { organization: "acme", displayName: "Acme" }) { organization { name } } }',
      {},
      admin,
    );
    const inv = await inviteByLink(url, admin, 'acme', 'ivy@example.com');
    secrets.push(inv.token);
    await gql(
      url,
      'mutation($i: ResendInvitationInput!) { resendInvitation(input: $i) { acceptUrl } }',
      { i: { id: inv.id, sendEmail: false } },
      admin,
    ).then((r) => secrets.push(new URL(r.data!.resendInvitation.acceptUrl).searchParams.get('token')!));
    await gql(
      url,
      'mutation($i: RevokeInvitationInput!) { revokeInvitation(input: $i) { invitation { id } } }',
      { i: { id: inv.id } },
      admin,
    );
    const inv2 = await inviteByLink(url, admin, 'acme', 'jon@example.com');
    secrets.push(inv2.token);
    const jon = await acceptAsNewUser(url, inv2.token, 'jon');
    secrets.push(jon.token);
    await gql(
      url,
      'mutation { updateMemberRole(input: { organization: "acme", user: "jon", role: ADMIN }) { member { role } } }',
      {},
      admin,
    );
    await gql(
      url,
      'mutation { deactivateMember(input: { organization: "acme", user: "jon" }) { member { status } } }',
      {},
      admin,
    );
    await gql(
      url,
      'mutation { reactivateMember(input: { organization: "acme", user: "jon" }) { member { status } } }',
      {},
      admin,
    );
    await gql(
      url,
      'mutation { removeMember(input: { organization: "acme", user: "jon" }) { user { username } } }',
      {},
      admin,
    );
    await gql(url, 'mutation { logOut { sessionId } }', {}, login.data!.logIn.token);
  });
  afterAll(() => ctx?.t.close());

  it('records every state change with actor, target, organization, time and client address', async () => {
    const res = await gql(ctx.url, LOG, { first: 100 }, ctx.admin.token);
    const nodes = res.data!.organization.auditLog.nodes as Array<{
      action: string;
      actor: { type: string; label: string };
      target: { label: string };
      clientAddress: string;
      createdAt: string;
    }>;
    expect(nodes.map((n) => n.action).reverse()).toEqual([
      'USER_SIGNED_UP',
      'ORGANIZATION_CREATED',
      // The admin's own sign-in and personal key: organization-less events of a member (issue 13).
      'USER_LOGGED_IN',
      'API_KEY_CREATED',
      'API_KEY_REVOKED',
      'ORGANIZATION_UPDATED',
      'MEMBER_INVITED',
      'MEMBER_INVITE_RESENT',
      'MEMBER_INVITE_REVOKED',
      'MEMBER_INVITED',
      'USER_SIGNED_UP',
      'MEMBER_INVITE_ACCEPTED',
      'MEMBER_ROLE_CHANGED',
      'MEMBER_DEACTIVATED',
      'MEMBER_REACTIVATED',
      'MEMBER_REMOVED',
      'USER_LOGGED_OUT',
    ]);
    for (const n of nodes) {
      expect(n.actor.type).toBe('user');
      expect(n.clientAddress).toMatch(/127\.0\.0\.1/);
      expect(Date.parse(n.createdAt)).toBeGreaterThan(Date.now() - 120_000);
    }
    const accepted = nodes.find((n) => n.action === 'MEMBER_INVITE_ACCEPTED')!;
    expect(accepted).toMatchObject({ actor: { label: 'jon' }, target: { label: 'jon' } });
  });

  it('keeps instance-level events (login, logout, API keys) in the table, and no secret anywhere', async () => {
    const rows: Array<{ action: string }> = await ctx.t.server.db.orm.em
      .fork()
      .getConnection()
      .execute('select * from audit_events order by id');
    const actions = rows.map((r) => r.action);
    for (const a of ['user.logged_in', 'user.logged_out', 'api_key.created', 'api_key.revoked'])
      expect(actions).toContain(a);
    const dump = JSON.stringify(rows);
    for (const secret of secrets) {
      expect(dump).not.toContain(secret);
      expect(dump).not.toContain(secret.slice(4, 24));
    }
  });

  it('filters by action, actor and time range, and pages with a cursor', async () => {
    const byAction = await gql(ctx.url, LOG, { actions: ['MEMBER_INVITED'] }, ctx.admin.token);
    expect(byAction.data!.organization.auditLog.totalCount).toBe(2);
    const byActor = await gql(ctx.url, LOG, { actor: 'jon' }, ctx.admin.token);
    expect(byActor.data!.organization.auditLog.nodes.map((n: { action: string }) => n.action).sort()).toEqual([
      'MEMBER_INVITE_ACCEPTED',
      'USER_SIGNED_UP',
    ]);
    const future = await gql(ctx.url, LOG, { since: new Date(Date.now() + 60_000).toISOString() }, ctx.admin.token);
    expect(future.data!.organization.auditLog.totalCount).toBe(0);
    const past = await gql(ctx.url, LOG, { until: new Date(Date.now() - 3_600_000).toISOString() }, ctx.admin.token);
    expect(past.data!.organization.auditLog.totalCount).toBe(0);
    const all = (await gql(ctx.url, LOG, { first: 100 }, ctx.admin.token)).data!.organization.auditLog.nodes.map(
      (n: { id: string }) => n.id,
    );
    const paged: string[] = [];
    let after: string | null = null;
    for (;;) {
      // biome-ignore lint/suspicious/noExplicitAny: the paging loop reads its own query's fields.
      const page: any = await gql(ctx.url, LOG, { first: 5, after }, ctx.admin.token);
      paged.push(...page.data.organization.auditLog.nodes.map((n: { id: string }) => n.id));
      if (!page.data.organization.auditLog.pageInfo.hasNextPage) break;
      after = page.data.organization.auditLog.pageInfo.endCursor;
    }
    expect(paged).toEqual(all);
  });

  it('is for org admins only', async () => {
    const member = await addMember(ctx.t, ctx.org, 'mo', OrgRole.MEMBER);
    const viewer = await addMember(ctx.t, ctx.org, 'vi', OrgRole.VIEWER);
    const deactivated = await addMember(ctx.t, ctx.org, 'da', OrgRole.ADMIN, MemberStatus.DEACTIVATED);
    const outsider = await addMember(ctx.t, null, 'ou');
    expect(codeOf(await gql(ctx.url, LOG, {}, member.token))).toBe('FORBIDDEN');
    expect(codeOf(await gql(ctx.url, LOG, {}, viewer.token))).toBe('FORBIDDEN');
    expect(outcomeOf(await gql(ctx.url, LOG, {}, deactivated.token))).toBe('absent');
    expect(outcomeOf(await gql(ctx.url, LOG, {}, outsider.token))).toBe('absent');
    expect(codeOf(await gql(ctx.url, LOG, {}))).toBe('UNAUTHENTICATED');
    expect(codeOf(await gql(ctx.url, LOG, { actions: ['x'.repeat(65)] }, ctx.admin.token))).toBe('BAD_USER_INPUT');
  });
});
