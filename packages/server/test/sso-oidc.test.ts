/**
 * OIDC single sign-on against a real OpenID provider (oidc-provider, in-process), driven through Roster's own
 * routes with fetch and cookies: provisioning, matching by subject, unverified emails, provisioning off with
 * invitations, seats, deactivation, group-to-team sync, replayed callbacks, redirect checks, client authentication.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instanceWithAdmin, addMember, gql, inviteByLink, type InstanceWithAdmin } from './fixtures';
import { Browser, freePort, oidcSignIn, startIdp, type TestIdp } from './oidc-fixture';
import type { SsoSettings } from '../src/modules/sso/sso-settings';
import { User } from '../src/modules/accounts/user.entity';
import { Membership } from '../src/modules/organizations/membership.entity';
import { TeamMembership } from '../src/modules/teams/team-membership.entity';
import { SsoIdentity } from '../src/modules/sso/sso-identity.entity';
import { AuditEvent } from '../src/modules/audit/audit-event.entity';
import { MemberStatus, OrgRole } from '../src/authz/roles';
import { AuditAction } from '../src/modules/audit/audit.service';

let ctx: InstanceWithAdmin;
let idp: TestIdp;
let settings: SsoSettings;

const viewer = (browser: Browser) =>
  fetch(`${ctx.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: browser.cookieHeader() },
    body: JSON.stringify({ query: '{ viewer { user { username email } } }' }),
  }).then((r) => r.json() as Promise<{ data: { viewer: { user: { username: string; email: string } } | null } }>);

const em = () => ctx.t.server.db.orm.em.fork();
const must = async (query: string, variables: Record<string, unknown> = {}) => {
  const res = await gql(ctx.url, query, variables, ctx.admin.token);
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data!;
};

function idpUser(sub: string, groups: string[] = [], extra: Partial<{ email: string; email_verified: boolean }> = {}) {
  idp.users.set(sub, {
    sub,
    email: extra.email ?? `${sub}@corp.example`,
    email_verified: extra.email_verified ?? true,
    name: `${sub[0]!.toUpperCase()}${sub.slice(1)} Person`,
    preferred_username: sub,
    groups,
  });
}

beforeAll(async () => {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  idp = await startIdp(`${publicUrl}/auth/oidc/callback`);
  settings = {
    providers: [
      idp.settings('corp'),
      idp.settings('corp-post', 'client_secret_post'),
      idp.settings('corp-jwt', 'private_key_jwt'),
    ],
    provisioning: true,
    defaultOrganization: 'acme',
    defaultRole: 'MEMBER',
    groupMappings: [
      { group: 'ml-research', organization: 'acme', team: 'research', role: 'MEMBER' },
      { group: 'research-leads', organization: 'acme', team: 'research', role: 'ADMIN' },
      { group: 'vision', organization: 'acme', team: 'vision', role: 'MEMBER' },
      { group: 'solo', organization: 'acme', team: 'solo', role: 'ADMIN' },
    ],
    passwordSignIn: true,
  };
  ctx = await instanceWithAdmin(
    { PORT: String(port), PUBLIC_URL: publicUrl },
    { ssoSettings: { current: async () => structuredClone(settings) } },
  );
  for (const name of ['research', 'vision', 'solo'])
    await must('mutation($i: CreateTeamInput!) { createTeam(input: $i) { team { name } } }', {
      i: { organization: 'acme', name },
    });
  // The creator is a team's first admin; "solo" gets its admins from the IdP only.
  await must('mutation($i: RemoveTeamMemberInput!) { removeTeamMember(input: $i) { removedTeamMemberId } }', {
    i: { organization: 'acme', team: 'solo', user: 'admin' },
  });
});

afterAll(async () => {
  await ctx?.t.close();
  await idp?.close();
});

describe('OIDC sign-in', () => {
  it('lists the providers publicly (name, label, kind, login path)', async () => {
    const res = await gql(ctx.url, '{ ssoProviders { name label kind loginPath } }');
    expect(res.data!.ssoProviders[0]).toEqual({
      name: 'corp',
      label: 'Sign in with corp',
      kind: 'OIDC',
      loginPath: '/auth/oidc/login?provider=corp',
    });
    expect(JSON.stringify(res.data)).not.toContain('secret');
  });

  it('first sign-in provisions an ACTIVE MEMBER of the default organization, in the mapped teams', async () => {
    idpUser('ada', ['ml-research', 'vision', 'unmapped']);
    const browser = new Browser();
    const out = await oidcSignIn(browser, ctx.url, 'corp', 'ada', { redirect: '/graphql?from=sso' });
    expect(out.status).toBe(302);
    expect(out.location).toBe('/graphql?from=sso');
    expect(browser.jar.get('roster_session')).toBeTruthy();
    expect(browser.jar.has('roster_oidc_state')).toBe(false);
    const me = await viewer(browser);
    expect(me.data.viewer!.user).toEqual({ username: 'ada', email: 'ada@corp.example' });
    const e = em();
    const user = await e.findOneOrFail(User, { username: 'ada' });
    const membership = await e.findOneOrFail(Membership, { user: user.id, organization: ctx.org.id });
    expect([membership.role, membership.status]).toEqual([OrgRole.MEMBER, MemberStatus.ACTIVE]);
    const teams = await e.find(
      TeamMembership,
      { user: user.id },
      { populate: ['team'], orderBy: { team: { name: 'asc' } } },
    );
    expect(teams.map((t) => [t.team.getEntity().name, t.role, t.managedByIdp])).toEqual([
      ['research', 'MEMBER', true],
      ['vision', 'MEMBER', true],
    ]);
    expect(await e.count(SsoIdentity, { provider: 'corp', subject: 'ada', user: user.id })).toBe(1);
    const actions = (await e.find(AuditEvent, { actorId: user.id })).map((a) => a.action);
    expect(actions).toEqual(
      expect.arrayContaining(['user.sso_provisioned', 'user.sso_signed_in', 'team.member_added']),
    );
    // managedByIdp is readable where team members are shown.
    const members = await must(
      '{ team(organization: "acme", name: "research") { members { nodes { user { username } managedByIdp } } } }',
    );
    expect(members.team.members.nodes).toEqual([
      { user: { username: 'ada' }, managedByIdp: true },
      { user: { username: 'admin' }, managedByIdp: false },
    ]);
  });

  it('the second sign-in finds the same user by subject, and a changed email follows them', async () => {
    idp.users.get('ada')!.email = 'ada.lovelace@corp.example';
    const browser = new Browser();
    const out = await oidcSignIn(browser, ctx.url, 'corp', 'ada');
    expect([out.status, out.location]).toEqual([302, '/']);
    expect((await viewer(browser)).data.viewer!.user).toEqual({ username: 'ada', email: 'ada.lovelace@corp.example' });
    expect(await em().count(User, { username: { $like: 'ada%' } })).toBe(1);
  });

  it('a second provider (client_secret_post, private_key_jwt) signs the same person in by verified email', async () => {
    for (const provider of ['corp-post', 'corp-jwt']) {
      const browser = new Browser();
      const out = await oidcSignIn(browser, ctx.url, provider, 'ada');
      expect([provider, out.status, out.errorCode]).toEqual([provider, 302, null]);
      expect((await viewer(browser)).data.viewer!.user.username).toBe('ada');
    }
    expect(await em().count(SsoIdentity, { subject: 'ada' })).toBe(3);
  });

  it('group sync adds, changes and removes only managed memberships; hand-added ones stay', async () => {
    idpUser('bea', ['ml-research']);
    await oidcSignIn(new Browser(), ctx.url, 'corp', 'bea');
    // A hand-added membership in "vision", which bea's groups do not name yet.
    await must('mutation($i: AddTeamMemberInput!) { addTeamMember(input: $i) { member { role } } }', {
      i: { organization: 'acme', team: 'vision', user: 'bea', role: 'VIEW_ONLY' },
    });
    // Hand changes to a managed membership are refused, naming the way out.
    const change = await gql(
      ctx.url,
      'mutation($i: UpdateTeamMemberRoleInput!) { updateTeamMemberRole(input: $i) { member { role } } }',
      { i: { organization: 'acme', team: 'research', user: 'bea', role: 'VIEW_ONLY' } },
      ctx.admin.token,
    );
    expect(change.errors![0]!.extensions!.code).toBe('IDP_MANAGED_MEMBERSHIP');
    expect(change.errors![0]!.message).toContain('identity provider');
    const remove = await gql(
      ctx.url,
      'mutation($i: RemoveTeamMemberInput!) { removeTeamMember(input: $i) { removedTeamMemberId } }',
      { i: { organization: 'acme', team: 'research', user: 'bea' } },
      ctx.admin.token,
    );
    expect(remove.errors![0]!.extensions!.code).toBe('IDP_MANAGED_MEMBERSHIP');

    // Now a lead in research, and in vision by group (but the hand-added row is not the IdP's), no longer ml-research.
    idp.users.get('bea')!.groups = ['research-leads', 'vision'];
    await oidcSignIn(new Browser(), ctx.url, 'corp', 'bea');
    const rows = async () =>
      (
        await em().find(
          TeamMembership,
          { user: { username: 'bea' } },
          { populate: ['team'], orderBy: { team: { name: 'asc' } } },
        )
      ).map((t) => [t.team.getEntity().name, t.role, t.managedByIdp]);
    expect(await rows()).toEqual([
      ['research', 'ADMIN', true],
      ['vision', 'VIEW_ONLY', false],
    ]);
    // Group removed at the IdP: the managed membership goes, the hand-added one stays.
    idp.users.get('bea')!.groups = [];
    // research has another admin (its creator), so bea's ADMIN row may go.
    await oidcSignIn(new Browser(), ctx.url, 'corp', 'bea');
    expect(await rows()).toEqual([['vision', 'VIEW_ONLY', false]]);
  });

  it("sync never removes a team's last admin: the membership is kept and an audit event says so", async () => {
    idpUser('sol', ['solo']);
    await oidcSignIn(new Browser(), ctx.url, 'corp', 'sol');
    idp.users.get('sol')!.groups = [];
    const out = await oidcSignIn(new Browser(), ctx.url, 'corp', 'sol');
    expect(out.status).toBe(302);
    const e = em();
    const tm = await e.findOneOrFail(TeamMembership, { user: { username: 'sol' } }, { populate: ['team'] });
    expect([tm.team.getEntity().name, tm.role, tm.managedByIdp]).toEqual(['solo', 'ADMIN', true]);
    expect(await e.count(AuditEvent, { action: AuditAction.SSO_SYNC_KEPT_LAST_ADMIN, targetLabel: 'sol' })).toBe(1);
  });

  it('refuses an unverified email with a clear page, creating nothing', async () => {
    idpUser('una', [], { email_verified: false });
    const out = await oidcSignIn(new Browser(), ctx.url, 'corp', 'una');
    expect([out.status, out.errorCode]).toEqual([403, 'SSO_EMAIL_NOT_VERIFIED']);
    expect(out.html).toContain('not verified');
    expect(await em().count(User, { email: 'una@corp.example' })).toBe(0);
    // In the default organization's audit log, for its admins (and instance admins).
    const log = await must(
      '{ organization(name: "acme") { auditLog(actions: [USER_SSO_REFUSED], first: 10) { nodes { target { label } ' +
        'metadata } } } }',
    );
    expect(log.organization.auditLog.nodes[0]).toEqual({
      target: { label: 'una@corp.example' },
      metadata: { provider: 'corp', code: 'SSO_EMAIL_NOT_VERIFIED' },
    });
  });

  it("treats the provider's claims as input: hostile names and groups are dropped or cut, never a 500", async () => {
    const groups = [
      'vision',
      'x'.repeat(300),
      'bad\u0000group',
      ...Array.from({ length: 5000 }, (_, i) => `noise-${i}`),
    ];
    idp.users.set('hostile', {
      sub: 'hostile',
      email: 'hostile@corp.example',
      email_verified: true,
      name: `${'N'.repeat(400)}\u0000`,
      preferred_username: 'host\u0000ile',
      groups,
    });
    const out = await oidcSignIn(new Browser(), ctx.url, 'corp', 'hostile');
    expect([out.status, out.errorCode]).toEqual([302, null]);
    const user = await em().findOneOrFail(User, { email: 'hostile@corp.example' });
    // A name with a NUL byte cannot be stored: treated as absent (the name falls back to the username, derived from
    // what is left: the email).
    expect(user.name).toBe(user.username);
    expect(user.username).toMatch(/^[a-z0-9_-]+$/);
    // The one mapped group among 5,000 still counts (the first 1,000 storable names are read).
    const teams = await must(
      '{ team(organization: "acme", name: "vision") { members(first: 50) { nodes { user { username } } } } }',
    );
    expect(teams.team.members.nodes.map((n: { user: { username: string } }) => n.user.username)).toContain(
      user.username,
    );
  });

  it('refuses a subject it cannot store with SSO_FAILED, creating nothing', async () => {
    const sub = `s${'u'.repeat(300)}`;
    idpUser(sub);
    const out = await oidcSignIn(new Browser(), ctx.url, 'corp', sub);
    expect(out.errorCode).toBe('SSO_FAILED');
    expect(out.html).toContain('cannot store');
    expect(await em().count(User, { email: `${sub}@corp.example` })).toBe(0);
  });

  it('treats an email claim that is not an address as absent', async () => {
    idpUser('noaddr', [], { email: 'not an address\u0000' });
    const out = await oidcSignIn(new Browser(), ctx.url, 'corp', 'noaddr');
    expect(out.status).toBeLessThan(500);
    expect(out.errorCode).not.toBe('INTERNAL_SERVER_ERROR');
    expect(await em().count(User, { username: 'noaddr' })).toBe(0);
  });

  it('refuses a deactivated user with a message that says so', async () => {
    await addMember(ctx.t, ctx.org, 'dora', OrgRole.MEMBER, MemberStatus.DEACTIVATED);
    idpUser('dora-sub', ['ml-research'], { email: 'dora@example.com' });
    const browser = new Browser();
    const out = await oidcSignIn(browser, ctx.url, 'corp', 'dora-sub');
    expect([out.status, out.errorCode]).toEqual([403, 'ACCESS_DEACTIVATED']);
    expect(out.html).toContain('deactivated');
    expect(browser.jar.has('roster_session')).toBe(false);
    expect(await em().count(SsoIdentity, { subject: 'dora-sub' })).toBe(0);
  });

  it('refuses a stranger when the default organization has no free seat, leaving nothing half-made', async () => {
    const seats = await must('{ organization(name: "acme") { seats { used } } }');
    await must('mutation($i: UpdateOrganizationInput!) { updateOrganization(input: $i) { organization { name } } }', {
      i: { organization: 'acme', seatLimit: seats.organization.seats.used },
    });
    try {
      idpUser('sean', ['ml-research']);
      const out = await oidcSignIn(new Browser(), ctx.url, 'corp', 'sean');
      expect([out.status, out.errorCode]).toEqual([403, 'SEAT_LIMIT_REACHED']);
      expect(await em().count(User, { email: 'sean@corp.example' })).toBe(0);
      expect(await em().count(SsoIdentity, { subject: 'sean' })).toBe(0);
    } finally {
      await must('mutation($i: UpdateOrganizationInput!) { updateOrganization(input: $i) { organization { name } } }', {
        i: { organization: 'acme', seatLimit: null },
      });
    }
  });

  it('concurrent first sign-ins take the last free seat exactly once (the organization row lock)', async () => {
    const seats = await must('{ organization(name: "acme") { seats { used } } }');
    await must('mutation($i: UpdateOrganizationInput!) { updateOrganization(input: $i) { organization { name } } }', {
      i: { organization: 'acme', seatLimit: seats.organization.seats.used + 1 },
    });
    try {
      const names = ['race-a', 'race-b', 'race-c'];
      for (const n of names) idpUser(n);
      // Each browser reaches the provider first; then the callbacks race.
      const browsers = names.map(() => new Browser());
      const pending = await Promise.all(
        names.map((n, i) => oidcSignIn(browsers[i]!, ctx.url, 'corp', n, { stopAtCallback: true })),
      );
      const results = await Promise.all(pending.map((p, i) => browsers[i]!.fetch(p.callbackUrl)));
      const outcomes = results.map((r) => r.headers.get('x-roster-error-code') ?? String(r.status)).sort();
      expect(outcomes).toEqual(['302', 'SEAT_LIMIT_REACHED', 'SEAT_LIMIT_REACHED']);
      expect(await em().count(User, { username: { $in: names } })).toBe(1);
    } finally {
      await must('mutation($i: UpdateOrganizationInput!) { updateOrganization(input: $i) { organization { name } } }', {
        i: { organization: 'acme', seatLimit: null },
      });
    }
  });

  it('with provisioning off, refuses strangers and accepts invitees (accepting the invitation)', async () => {
    settings.provisioning = false;
    try {
      idpUser('stan');
      const refused = await oidcSignIn(new Browser(), ctx.url, 'corp', 'stan');
      expect([refused.status, refused.errorCode]).toEqual([403, 'SSO_NOT_PROVISIONED']);
      expect(await em().count(User, { email: 'stan@corp.example' })).toBe(0);

      await inviteByLink(ctx.url, ctx.admin.token, 'acme', 'ivy@corp.example', 'VIEWER');
      idpUser('ivy');
      const browser = new Browser();
      const accepted = await oidcSignIn(browser, ctx.url, 'corp', 'ivy');
      expect(accepted.status).toBe(302);
      expect((await viewer(browser)).data.viewer!.user.username).toBe('ivy');
      const e = em();
      const m = await e.findOneOrFail(
        Membership,
        { user: { username: 'ivy' }, organization: ctx.org.id },
        {
          populate: ['invitation'],
        },
      );
      expect([m.role, m.status, m.invitation?.getEntity().status]).toEqual([
        OrgRole.VIEWER,
        MemberStatus.ACTIVE,
        'ACCEPTED',
      ]);
    } finally {
      settings.provisioning = true;
    }
  });

  it('a replayed callback, an IdP error, a callback from another browser: a clear page, nothing changed', async () => {
    idpUser('rex');
    const browser = new Browser();
    const first = await oidcSignIn(browser, ctx.url, 'corp', 'rex', { stopAtCallback: true });
    const ok = await browser.fetch(first.callbackUrl);
    expect(ok.status).toBe(302);
    const sessions = async () =>
      Number((await em().getConnection().execute('select count(*) as n from sessions'))[0]!.n);
    const before = await sessions();
    // Refused callbacks count against the client address, like wrong passwords (shared SignInThrottle).
    const addressFailures = async () =>
      Number(
        (
          await em()
            .getConnection()
            .execute(`select coalesce(sum(points), 0) as n from sign_in_throttle where key like 'address:%'`)
        )[0]!.n,
      );
    const failuresBefore = await addressFailures();
    const replay = await browser.fetch(first.callbackUrl);
    expect([replay.status, replay.headers.get('x-roster-error-code')]).toEqual([403, 'SSO_FAILED']);
    expect(await replay.text()).toContain('already used');

    // Another browser holding the link (login CSRF): refused even though the state is fresh.
    const victim = new Browser();
    const started = await oidcSignIn(browser, ctx.url, 'corp', 'rex', { stopAtCallback: true });
    const stolen = await victim.fetch(started.callbackUrl);
    expect([stolen.status, stolen.headers.get('x-roster-error-code')]).toEqual([403, 'SSO_FAILED']);
    expect(victim.jar.has('roster_session')).toBe(false);

    // The provider answers with an error instead of a code.
    const b2 = new Browser();
    const start = await b2.fetch(`${ctx.url}/auth/oidc/login?provider=corp`);
    const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
    const error = await b2.fetch(
      `${ctx.url}/auth/oidc/callback?error=access_denied&error_description=${encodeURIComponent('<b>no</b>')}` +
        `&state=${state}`,
    );
    expect([error.status, error.headers.get('x-roster-error-code')]).toEqual([403, 'SSO_FAILED']);
    const html = await error.text();
    expect(html).toContain('access_denied');
    expect(html).not.toContain('<b>no</b>');
    expect(await sessions()).toBe(before);
    expect((await addressFailures()) - failuresBefore).toBe(3);
  });

  it('limits redirects to paths on this server', async () => {
    for (const redirect of ['https://evil.example/', '//evil.example/x', '/\\evil.example', 'relative']) {
      const res = await fetch(`${ctx.url}/auth/oidc/login?provider=corp&redirect=${encodeURIComponent(redirect)}`, {
        redirect: 'manual',
      });
      expect([redirect, res.status, res.headers.get('x-roster-error-code')]).toEqual([redirect, 400, 'BAD_USER_INPUT']);
    }
    const unknown = await fetch(`${ctx.url}/auth/oidc/login?provider=nope`, { redirect: 'manual' });
    expect(unknown.status).toBe(400);
  });

  it('beginOidcSignIn returns the authorization URL for single-page apps and sets the state cookie', async () => {
    const res = await fetch(`${ctx.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'mutation($i: BeginOidcSignInInput!) { beginOidcSignIn(input: $i) { authorizationUrl expiresAt } }',
        variables: { i: { provider: 'corp', redirect: '/after' } },
      }),
    });
    const body = (await res.json()) as { data: { beginOidcSignIn: { authorizationUrl: string } } };
    const url = new URL(body.data.beginOidcSignIn.authorizationUrl);
    expect(url.origin).toBe(idp.issuer);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('scope')).toBe('openid profile email groups');
    expect(url.searchParams.get('nonce')).toBeTruthy();
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('roster_oidc_state='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/Path=\/auth\/oidc/);
    expect(cookie.split(';')[0]).toBe(`roster_oidc_state=${url.searchParams.get('state')}`);
  });

  it('serves a sign-in page that lists the SSO buttons', async () => {
    const res = await fetch(`${ctx.url}/sign-in`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self' 'sha256-");
    expect(await res.text()).toContain('ssoProviders');
  });
});
