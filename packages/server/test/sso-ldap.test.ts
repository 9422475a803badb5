/**
 * LDAP sign-in through logIn against a throw-away OpenLDAP (Debian slapd on a free port): direct bind and
 * search-then-bind, memberOf and group search, the group allow-list, wrong and empty passwords, filter and DN
 * injection, throttled guessing, and the fallback order when `provider` is omitted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instanceWithAdmin, ADMIN_PASSWORD, gql, type InstanceWithAdmin } from './fixtures';
import { SLAPD_AVAILABLE, startDirectory, type TestDirectory } from './ldap-fixture';
import type { SsoSettings } from '../src/modules/sso/sso-settings';
import { User } from '../src/modules/accounts/user.entity';
import { Membership } from '../src/modules/organizations/membership.entity';
import { TeamMembership } from '../src/modules/teams/team-membership.entity';
import { AuditEvent } from '../src/modules/audit/audit-event.entity';
import { AuditAction } from '../src/modules/audit/audit.service';
import { escapeDnValue, firstRdnValue } from '../src/modules/sso/ldap';
import { MemberStatus, OrgRole } from '../src/authz/roles';

const LOG_IN = 'mutation($i: LogInInput!) { logIn(input: $i) { token user { username email name } } }';

let ctx: InstanceWithAdmin;
let directory: TestDirectory;
let settings: SsoSettings;
const em = () => ctx.t.server.db.orm.em.fork();
const logIn = (login: string, password: string, provider?: string) =>
  gql(ctx.url, LOG_IN, { i: { login, password, ...(provider ? { provider } : {}) } });
const codeOf = (res: { errors?: Array<{ extensions?: Record<string, unknown> }> }) => res.errors?.[0]?.extensions?.code;

describe('DN and filter helpers', () => {
  it('escapes DN values and reads group names from DNs', () => {
    expect(escapeDnValue('x,ou=admins')).toBe('x\\,ou\\=admins');
    expect(escapeDnValue('#lead ')).toBe('\\#lead\\ ');
    expect(firstRdnValue('cn=ml\\,research,ou=groups,dc=example,dc=org')).toBe('ml,research');
  });
});

describe.runIf(SLAPD_AVAILABLE)('LDAP sign-in through logIn, against slapd', () => {
  beforeAll(async () => {
    directory = await startDirectory();
    settings = {
      providers: [
        directory.directBind('corp-ldap'),
        directory.searchBind('corp-search'),
        directory.directBind('vision-only', { groupAllowList: ['vision'] }),
      ],
      provisioning: true,
      defaultOrganization: 'acme',
      defaultRole: 'MEMBER',
      groupMappings: [
        { group: 'ml-research', organization: 'acme', team: 'research', role: 'MEMBER' },
        { group: 'vision', organization: 'acme', team: 'vision', role: 'ADMIN' },
      ],
      passwordSignIn: true,
    };
    ctx = await instanceWithAdmin(
      { SIGN_IN_MAX_FAILURES_PER_ACCOUNT: '3' },
      { ssoSettings: { current: async () => structuredClone(settings) } },
    );
    for (const name of ['research', 'vision'])
      await gql(
        ctx.url,
        'mutation($i: CreateTeamInput!) { createTeam(input: $i) { team { name } } }',
        {
          i: { organization: 'acme', name },
        },
        ctx.admin.token,
      );
  });

  afterAll(async () => {
    await ctx?.t.close();
    await directory?.stop();
  });

  it('lists LDAP providers without a login path', async () => {
    const res = await gql(ctx.url, '{ ssoProviders { name kind loginPath } }');
    expect(res.data!.ssoProviders[0]).toEqual({ name: 'corp-ldap', kind: 'LDAP', loginPath: null });
  });

  it('direct bind: the first sign-in provisions from the directory and syncs memberOf groups to teams', async () => {
    const res = await logIn('ada', 'ada-secret', 'corp-ldap');
    expect(res.errors).toBeUndefined();
    expect(res.data!.logIn.user).toEqual({ username: 'ada', email: 'ada@example.com', name: 'Ada Lovelace' });
    const e = em();
    const user = await e.findOneOrFail(User, { username: 'ada' });
    const m = await e.findOneOrFail(Membership, { user: user.id, organization: ctx.org.id });
    expect([m.role, m.status]).toEqual([OrgRole.MEMBER, MemberStatus.ACTIVE]);
    const teams = await e.find(
      TeamMembership,
      { user: user.id },
      { populate: ['team'], orderBy: { team: { name: 'asc' } } },
    );
    expect(teams.map((t) => [t.team.getEntity().name, t.role, t.managedByIdp])).toEqual([
      ['research', 'MEMBER', true],
      ['vision', 'ADMIN', true],
    ]);
    // The second sign-in is the same user.
    const again = await logIn('ada', 'ada-secret', 'corp-ldap');
    expect(again.data!.logIn.user.username).toBe('ada');
    expect(await em().count(User, { email: 'ada@example.com' })).toBe(1);
    expect(await em().count(AuditEvent, { action: AuditAction.USER_SSO_SIGNED_IN, actorId: user.id })).toBe(2);
  });

  it('search-then-bind with a group search signs in by email; leaving the group removes the membership', async () => {
    const res = await logIn('bob@example.com', 'bob-secret', 'corp-search');
    expect(res.errors).toBeUndefined();
    expect(res.data!.logIn.user.username).toBe('bob');
    const teamsOfBob = async () =>
      (await em().find(TeamMembership, { user: { username: 'bob' } }, { populate: ['team'] })).map(
        (t) => t.team.getEntity().name,
      );
    expect(await teamsOfBob()).toEqual(['research']);
    await directory.modify(`dn: cn=ml-research,ou=groups,dc=example,dc=org
changetype: modify
delete: member
member: uid=bob,ou=people,dc=example,dc=org
`);
    expect(codeOf(await logIn('bob@example.com', 'bob-secret', 'corp-search'))).toBeUndefined();
    expect(await teamsOfBob()).toEqual([]);
  });

  it('refuses a wrong password, an unknown login, and injection attempts with INVALID_CREDENTIALS', async () => {
    for (const [login, password, provider] of [
      ['grace', 'wrong', 'corp-ldap'],
      ['nobody', 'x', 'corp-ldap'],
      ['*', 'grace-secret', 'corp-search'],
      ['grace@example.com)(mail=*', 'grace-secret', 'corp-search'],
      ['grace,ou=people', 'grace-secret', 'corp-ldap'],
    ]) {
      const res = await logIn(login!, password!, provider);
      expect([login, codeOf(res)]).toEqual([login, 'INVALID_CREDENTIALS']);
    }
    expect(await em().count(User, { email: 'grace@example.com' })).toBe(0);
  });

  it('refuses an empty password before binding', async () => {
    const res = await logIn('grace', '', 'corp-ldap');
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
  });

  it('refuses people outside the group allow-list with SSO_GROUP_NOT_ALLOWED', async () => {
    const res = await logIn('grace', 'grace-secret', 'vision-only');
    expect(codeOf(res)).toBe('SSO_GROUP_NOT_ALLOWED');
    expect(await em().count(User, { email: 'grace@example.com' })).toBe(0);
    const ok = await logIn('ada', 'ada-secret', 'vision-only');
    expect(codeOf(ok)).toBeUndefined();
  });

  it('throttles password guessing: locked after the limit, even with the right password, and audited', async () => {
    await directory.add(`dn: uid=gus,ou=people,dc=example,dc=org
objectClass: inetOrgPerson
uid: gus
cn: Gus
sn: Gus
mail: gus@example.com
userPassword: gus-secret
`);
    for (let i = 0; i < 3; i++)
      expect(codeOf(await logIn('gus', `guess-${i}`, 'corp-ldap'))).toBe('INVALID_CREDENTIALS');
    const locked = await logIn('gus', 'gus-secret', 'corp-ldap');
    expect(codeOf(locked)).toBe('RATE_LIMITED');
    expect(locked.headers.get('retry-after')).toBeTruthy();
    expect(await em().count(AuditEvent, { action: AuditAction.USER_LOGIN_LOCKED })).toBeGreaterThan(0);
  });

  it('refuses unknown and OIDC provider names as BAD_USER_INPUT', async () => {
    const res = await logIn('ada', 'ada-secret', 'nope');
    expect([codeOf(res), res.errors![0]!.extensions!.field]).toEqual(['BAD_USER_INPUT', 'provider']);
  });

  it('without provider: the local password first, then each LDAP provider in order', async () => {
    const local = await logIn('admin', ADMIN_PASSWORD);
    expect(local.data!.logIn.user.username).toBe('admin');
    const viaLdap = await logIn('ada', 'ada-secret');
    expect(viaLdap.data!.logIn.user.username).toBe('ada');
    expect(codeOf(await logIn('ada', 'wrong'))).toBe('INVALID_CREDENTIALS');
  });

  it('with provisioning off, a directory user without an account or invitation is refused', async () => {
    settings.provisioning = false;
    try {
      const res = await logIn('grace', 'grace-secret', 'corp-ldap');
      expect(codeOf(res)).toBe('SSO_NOT_PROVISIONED');
      expect(await em().count(User, { email: 'grace@example.com' })).toBe(0);
    } finally {
      settings.provisioning = true;
    }
  });

  it('an unreachable directory is SSO_FAILED, not a wrong password', async () => {
    const saved = settings.providers;
    settings.providers = [{ ...directory.directBind('down'), url: 'ldap://127.0.0.1:1' }];
    try {
      expect(codeOf(await logIn('zed', 'zed-secret', 'down'))).toBe('SSO_FAILED');
    } finally {
      settings.providers = saved;
    }
  });
});
