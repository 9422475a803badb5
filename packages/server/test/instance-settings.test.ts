/**
 * Instance settings through the API (issue 12, item 5): who may read and change them, validation, secrets that are
 * write-only and encrypted at rest (with key rotation), changes that reach every server process without a restart,
 * password sign-in off with its host-side recovery, SMTP picked up live, and instance admins who can never reach zero.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  addMember,
  codeOf,
  countStatements,
  gql,
  inviteByLink,
  instanceWithAdmin,
  ACCEPT,
  ADMIN_PASSWORD,
  type InstanceWithAdmin,
} from './fixtures';
import { startServer, type RosterServer } from '../src/server';
import { testConfig, type TestDatabase } from '../src/testing';
import { createLogger } from '../src/logger';
import { loadConfig } from '../src/config';
import { environmentDefaults } from '../src/modules/settings/settings-environment';
import { runAdminCli } from '../src/cli/admin';
import { keyId, parseSecretsKey } from '../src/crypto/secret-key';
import type { Database } from '../src/db/orm';
import { OrgRole } from '../src/authz/roles';
import { FROM, SMTP_PASSWORD, SMTP_USER, freePort, startSmtp, type FakeSmtp } from './smtp-fixture';

/** A second server process or the CLI beside the server needs a real PostgreSQL (PGlite takes one connection). */
const MANY_CONNECTIONS = !!process.env.DATABASE_URL;
const KEY_A = randomBytes(32).toString('base64');
const KEY_B = randomBytes(32).toString('hex');
const CLIENT_SECRET = `cs-${randomBytes(12).toString('hex')}`;
const BIND_PASSWORD = `bind-${randomBytes(12).toString('hex')}`;
const SMTP_SECRET_MARK = SMTP_PASSWORD;

const SETTINGS_FIELDS = `version passwordSignIn ssoProvisioning defaultOrganization defaultOrgRole invitationTtlDays
  sessionTtlHours smtpConfigured smtpUrl smtpUsername smtpPasswordSet smtpFrom overridden secretsKeyConfigured
  ssoProviders { name label kind source oidc { issuer clientId clientAuth clientSecretSet privateKeyJwkSet extraScopes
  groupsClaim } ldap { url startTls bindDnTemplate serviceBindDn serviceBindPasswordSet userSearchBase
  userSearchAttribute usernameAttribute emailAttribute nameAttribute groupAllowList groupSource groupSearchBase
  groupMemberAttribute } } groupMappings { group organization team role }`;
const READ = `{ instanceSettings { ${SETTINGS_FIELDS} } }`;
const settingsMutation = (name: string) =>
  `mutation($i: ${name[0]!.toUpperCase()}${name.slice(1)}Input!) { ${name}(input: $i) { settings { ` +
  `${SETTINGS_FIELDS} } } }`;
const UPDATE = settingsMutation('updateInstanceSettings');
const CREATE_OIDC = settingsMutation('createOidcProvider');
const UPDATE_OIDC = settingsMutation('updateOidcProvider');
const CREATE_LDAP = settingsMutation('createLdapProvider');
const DELETE = 'mutation($i: DeleteSsoProviderInput!) { deleteSsoProvider(input: $i) { settings { version } } }';
const MAPPINGS =
  'mutation($i: SetGroupMappingsInput!) { setGroupMappings(input: $i) { settings { groupMappings { group team ' +
  'role } } } }';
const ADMIN_CHANGE = (name: string) =>
  `mutation($i: ${name[0]!.toUpperCase()}${name.slice(1)}Input!) { ${name}(input: $i) { changed user { username ` +
  'instanceAdmin } } }';
const GRANT = ADMIN_CHANGE('grantInstanceAdmin');
const REVOKE = ADMIN_CHANGE('revokeInstanceAdmin');
const LOG_IN = 'mutation($i: LogInInput!) { logIn(input: $i) { token } }';

const okta = (name = 'okta') => ({
  name,
  label: 'Sign in with Okta',
  issuer: 'https://example.okta.com',
  clientId: 'roster-client',
  clientSecret: CLIENT_SECRET,
  extraScopes: ['groups'],
  groupsClaim: 'groups',
});

async function cli(db: TestDatabase, args: string[], env: Record<string, string> = {}) {
  const saved = { ...process.env };
  Object.assign(process.env, {
    DATABASE_URL: db.url,
    DATABASE_POOL_MAX: String(db.poolMax),
    LOG_LEVEL: 'silent',
    ...env,
  });
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    return { code: await runAdminCli(args), out: lines.join('') };
  } finally {
    spy.mockRestore();
    process.env = saved;
  }
}

/** Every row of every table of the database, as text: a secret must not appear in it. */
async function dumpDatabase(db: Database): Promise<string> {
  const conn = db.orm.em.fork().getConnection();
  const tables = await conn.execute<Array<{ t: string }>>(
    "select table_name as t from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'",
  );
  const parts: string[] = [];
  for (const { t } of tables) {
    const rows = await conn.execute<Array<{ j: string }>>(`select row_to_json(x)::text as j from "${t}" x`);
    parts.push(...rows.map((r) => r.j));
  }
  return parts.join('\n');
}

/** Another server process on the same database (its own pool), with its own environment. */
async function secondServer(
  ctx: InstanceWithAdmin,
  env: Record<string, string>,
  logger = createLogger('silent'),
): Promise<{ server: RosterServer; db: Database }> {
  const db = await ctx.t.openExtraDatabase();
  const config = testConfig(ctx.t.database, env);
  const server = await startServer({ config, logger, database: db });
  return { server, db };
}

describe('instance settings', () => {
  let ctx: InstanceWithAdmin;
  const extra: Array<{ server: RosterServer; db: Database }> = [];
  const as =
    (token: string) =>
    (query: string, variables: Record<string, unknown> = {}) =>
      gql(ctx.url, query, variables, token);
  beforeAll(async () => {
    ctx = await instanceWithAdmin({ SECRETS_KEY: KEY_A });
  });
  afterAll(async () => {
    for (const e of extra) {
      await e.server.close();
      await e.db.close();
    }
    await ctx?.t.close();
  });

  it('reads the environment defaults, and refuses everyone but instance admins', async () => {
    const admin = as(ctx.admin.token);
    const res = await admin(READ);
    expect(res.errors).toBeUndefined();
    expect(res.data!.instanceSettings).toMatchObject({
      passwordSignIn: true,
      ssoProvisioning: true,
      defaultOrgRole: 'MEMBER',
      invitationTtlDays: 7,
      sessionTtlHours: 336,
      overridden: [],
      ssoProviders: [],
      secretsKeyConfigured: true,
    });
    const orgAdmin = await addMember(ctx.t, ctx.org, 'orgboss', OrgRole.ADMIN);
    const key = await gql(ctx.url, 'mutation { createApiKey(input: { name: "k" }) { secret } }', {}, orgAdmin.token);
    for (const token of [orgAdmin.token, key.data!.createApiKey.secret as string]) {
      expect(codeOf(await gql(ctx.url, READ, {}, token))).toBe('FORBIDDEN');
      expect(codeOf(await gql(ctx.url, UPDATE, { i: { sessionTtlHours: 1 } }, token))).toBe('FORBIDDEN');
      expect(codeOf(await gql(ctx.url, GRANT, { i: { user: 'orgboss' } }, token))).toBe('FORBIDDEN');
    }
    expect(codeOf(await gql(ctx.url, READ))).toBe('UNAUTHENTICATED');
    const old = await gql(ctx.url, '{ instance { settings { sessionTtlHours } } }', {}, orgAdmin.token);
    expect(old.data!.instance.settings).toBeNull();
  });

  it('updates general settings, audits the field names, and resets them to the environment', async () => {
    const admin = as(ctx.admin.token);
    const res = await admin(UPDATE, {
      i: {
        sessionTtlHours: 2,
        invitationTtlDays: 3,
        ssoProvisioning: false,
        defaultOrganization: 'ACME',
        defaultOrgRole: 'VIEWER',
      },
    });
    expect(res.errors).toBeUndefined();
    const s = res.data!.updateInstanceSettings.settings;
    expect(s).toMatchObject({
      sessionTtlHours: 2,
      invitationTtlDays: 3,
      ssoProvisioning: false,
      defaultOrganization: 'acme',
    });
    expect([...s.overridden].sort()).toEqual(
      [
        'DEFAULT_ORGANIZATION',
        'DEFAULT_ORG_ROLE',
        'INVITATION_TTL_DAYS',
        'SESSION_TTL_HOURS',
        'SSO_PROVISIONING',
      ].sort(),
    );
    // Applied: a new session lives 2 hours, a new invitation 3 days; sign-in reads provisioning and the default org.
    const login = await gql(ctx.url, LOG_IN, { i: { login: 'admin', password: ADMIN_PASSWORD } });
    const sessions = await ctx.t.server.db.orm.em
      .fork()
      .getConnection()
      .execute<Array<{ hours: number }>>(
        'select extract(epoch from (expires_at - created_at)) / 3600 as hours from sessions ' +
          'order by created_at desc limit 1',
      );
    expect(login.errors).toBeUndefined();
    expect(Math.round(Number(sessions[0]!.hours))).toBe(2);
    const inv = await inviteByLink(ctx.url, ctx.admin.token, 'acme', 'ttl@example.com');
    const exp = await ctx.t.server.db.orm.em
      .fork()
      .getConnection()
      .execute<Array<{ days: number }>>(
        'select extract(epoch from (expires_at - created_at)) / 86400 as days from invitations where id = ?',
        [inv.id],
      );
    expect(Math.round(Number(exp[0]!.days))).toBe(3);
    expect(await ctx.t.server.ssoSettings.current()).toMatchObject({
      provisioning: false,
      defaultOrganization: 'acme',
      defaultRole: 'VIEWER',
    });
    const audit = await ctx.t.server.db.orm.em
      .fork()
      .getConnection()
      .execute<Array<{ metadata: { changed: string[] } }>>(
        "select metadata from audit_events where action = 'instance_settings.updated' order by created_at desc limit 1",
      );
    expect(audit[0]!.metadata.changed.sort()).toEqual(
      ['defaultOrgRole', 'defaultOrganization', 'invitationTtlDays', 'sessionTtlHours', 'ssoProvisioning'].sort(),
    );
    const reset = await admin(UPDATE, {
      i: {
        reset: [
          'SESSION_TTL_HOURS',
          'INVITATION_TTL_DAYS',
          'SSO_PROVISIONING',
          'DEFAULT_ORGANIZATION',
          'DEFAULT_ORG_ROLE',
        ],
      },
    });
    expect(reset.data!.updateInstanceSettings.settings).toMatchObject({ sessionTtlHours: 336, overridden: [] });
  });

  it('refuses bad input with the field that is wrong', async () => {
    const admin = as(ctx.admin.token);
    const cases: Array<[string, Record<string, unknown>, string, string]> = [
      [UPDATE, { i: { sessionTtlHours: 0 } }, 'BAD_USER_INPUT', 'sessionTtlHours'],
      [UPDATE, { i: { defaultOrganization: 'nowhere' } }, 'NOT_FOUND', 'defaultOrganization'],
      [UPDATE, { i: { smtpUrl: 'smtp://u:p@mail.example.com:587' } }, 'BAD_USER_INPUT', 'smtpUrl'],
      [CREATE_OIDC, { i: { ...okta(), name: 'Bad Name' } }, 'BAD_USER_INPUT', 'name'],
      [CREATE_OIDC, { i: { ...okta('a'.repeat(41)) } }, 'BAD_USER_INPUT', 'name'],
      [CREATE_OIDC, { i: { ...okta('plain'), issuer: 'http://idp.example.com' } }, 'BAD_USER_INPUT', 'issuer'],
      [CREATE_OIDC, { i: { ...okta('nosecret'), clientSecret: undefined } }, 'BAD_USER_INPUT', 'clientSecret'],
      [
        CREATE_OIDC,
        {
          i: { ...okta('jwt'), clientSecret: undefined, clientAuth: 'PRIVATE_KEY_JWT', privateKeyJwk: '{"kty":"RSA"}' },
        },
        'BAD_USER_INPUT',
        'privateKeyJwk',
      ],
      [
        CREATE_LDAP,
        { i: { name: 'dir', label: 'Directory', url: 'http://ldap.example.com' } },
        'BAD_USER_INPUT',
        'url',
      ],
      [
        CREATE_LDAP,
        { i: { name: 'dir', label: 'Directory', url: 'ldap://ldap.example.com:389', bindDnTemplate: 'uid=x,dc=org' } },
        'BAD_USER_INPUT',
        'bindDnTemplate',
      ],
      [
        CREATE_LDAP,
        {
          i: {
            name: 'dir',
            label: 'Directory',
            url: 'ldap://ldap.example.com',
            serviceBindDn: 'cn=svc,dc=example,dc=org',
          },
        },
        'BAD_USER_INPUT',
        'userSearchBase',
      ],
      [
        MAPPINGS,
        { i: { mappings: [{ group: 'ml', organization: 'acme', team: 'no-such-team', role: 'MEMBER' }] } },
        'NOT_FOUND',
        'mappings.0.team',
      ],
      [UPDATE, { i: { passwordSignIn: false } }, 'SSO_PROVIDER_REQUIRED', 'passwordSignIn'],
      [DELETE, { i: { name: 'ghost' } }, 'NOT_FOUND', ''],
    ];
    for (const [query, variables, code, field] of cases) {
      const res = await admin(query, variables);
      expect(
        [res.errors?.[0]?.extensions?.code, res.errors?.[0]?.extensions?.field ?? ''],
        JSON.stringify(variables),
      ).toEqual([code, field]);
    }
    expect((await admin(READ)).data!.instanceSettings.ssoProviders).toEqual([]);
  });

  it('keeps provider secrets write-only: flags in responses, ciphertext at rest, plaintext in memory', async () => {
    const admin = as(ctx.admin.token);
    const created = await admin(CREATE_OIDC, { i: okta() });
    expect(created.errors).toBeUndefined();
    expect(JSON.stringify(created)).not.toContain(CLIENT_SECRET);
    expect(created.data!.createOidcProvider.settings.ssoProviders).toEqual([
      {
        name: 'okta',
        label: 'Sign in with Okta',
        kind: 'OIDC',
        source: 'API',
        oidc: {
          issuer: 'https://example.okta.com',
          clientId: 'roster-client',
          clientAuth: 'CLIENT_SECRET_BASIC',
          clientSecretSet: true,
          privateKeyJwkSet: false,
          extraScopes: ['groups'],
          groupsClaim: 'groups',
        },
        ldap: null,
      },
    ]);
    const ldap = await admin(CREATE_LDAP, {
      i: {
        name: 'corp-ldap',
        label: 'Corporate directory',
        url: 'ldap://127.0.0.1:3389',
        serviceBindDn: 'cn=svc,dc=example,dc=org',
        serviceBindPassword: BIND_PASSWORD,
        userSearchBase: 'ou=people,dc=example,dc=org',
        userSearchAttribute: 'uid',
        groupAllowList: ['ml'],
        groupSource: 'SEARCH',
        groupSearchBase: 'ou=groups,dc=example,dc=org',
        groupMemberAttribute: 'member',
      },
    });
    expect(ldap.errors).toBeUndefined();
    expect(JSON.stringify(ldap)).not.toContain(BIND_PASSWORD);
    // An update without the secret keeps it; a conflicting create is refused.
    const renamed = await admin(UPDATE_OIDC, { i: { name: 'okta', label: 'Okta' } });
    expect(renamed.data!.updateOidcProvider.settings.ssoProviders[0].oidc.clientSecretSet).toBe(true);
    expect(codeOf(await admin(CREATE_OIDC, { i: okta() }))).toBe('CONFLICT');
    const sso = await ctx.t.server.ssoSettings.current();
    expect(sso.providers.map((p) => p.name)).toEqual(['okta', 'corp-ldap']);
    expect(sso.providers[0]).toMatchObject({ kind: 'OIDC', clientSecret: CLIENT_SECRET, label: 'Okta' });
    expect(sso.providers[1]).toMatchObject({ kind: 'LDAP', serviceBindPassword: BIND_PASSWORD, groupSource: 'search' });
    const dump = await dumpDatabase(ctx.t.server.db);
    expect(dump).toContain('corp-ldap');
    expect(dump).not.toContain(CLIENT_SECRET);
    expect(dump).not.toContain(BIND_PASSWORD);
    expect(dump).toContain(`v1:${keyId(parseSecretsKey(KEY_A)!)}:`);
    const events = await ctx.t.server.db.orm.em
      .fork()
      .getConnection()
      .execute<Array<{ action: string; metadata: { changed: string[] } }>>(
        "select action, metadata from audit_events where action like 'instance_settings.sso_provider%' " +
          'order by created_at',
      );
    expect(events.map((e) => e.action)).toEqual([
      'instance_settings.sso_provider_created',
      'instance_settings.sso_provider_created',
      'instance_settings.sso_provider_updated',
    ]);
    expect(events[0]!.metadata.changed).toContain('clientSecret');
    expect(events[2]!.metadata.changed).toEqual(['label']);
  });

  it('sets group mappings to existing teams only', async () => {
    const admin = as(ctx.admin.token);
    await admin('mutation { createTeam(input: { organization: "acme", name: "ml-team" }) { team { name } } }');
    const res = await admin(MAPPINGS, {
      i: { mappings: [{ group: 'ml', organization: 'acme', team: 'ML-Team', role: 'ADMIN' }] },
    });
    expect(res.errors).toBeUndefined();
    expect(res.data!.setGroupMappings.settings.groupMappings).toEqual([
      { group: 'ml', team: 'ml-team', role: 'ADMIN' },
    ]);
    expect((await ctx.t.server.ssoSettings.current()).groupMappings).toEqual([
      { group: 'ml', organization: 'acme', team: 'ml-team', role: 'ADMIN' },
    ]);
  });

  it('checks 1,000 mappings in a constant number of statements, and names the first bad one', async () => {
    const admin = as(ctx.admin.token);
    await admin('mutation { createTeam(input: { organization: "acme", name: "many" }) { team { name } } }');
    const mappings = Array.from({ length: 1000 }, (_, i) => ({
      group: `g${i}`,
      organization: 'acme',
      team: i % 2 ? 'ML-Team' : 'many',
      role: 'MEMBER',
    }));
    const { result, statements } = await countStatements(ctx.t, () => admin(MAPPINGS, { i: { mappings } }));
    expect(result.errors).toBeUndefined();
    expect(result.data!.setGroupMappings.settings.groupMappings).toHaveLength(1000);
    expect(statements.filter((q) => /from unnest/.test(q))).toHaveLength(1);
    expect(statements.length).toBeLessThan(15);
    const bad = await admin(MAPPINGS, {
      i: { mappings: [...mappings.slice(0, 5), { group: 'x', organization: 'acme', team: 'nope', role: 'MEMBER' }] },
    });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'mappings.5.team' });
    const noOrg = await admin(MAPPINGS, {
      i: { mappings: [{ group: 'x', organization: 'nope', team: 'many', role: 'MEMBER' }] },
    });
    expect(noOrg.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'mappings.0.organization' });
    await admin(MAPPINGS, { i: { reset: true } });
  });

  it('null clears an optional provider field and returns a general setting to the environment', async () => {
    const admin = as(ctx.admin.token);
    const direct = await admin(settingsMutation('updateLdapProvider'), {
      i: {
        name: 'corp-ldap',
        bindDnTemplate: 'uid={username},ou=people,dc=example,dc=org',
        serviceBindDn: null,
        userSearchBase: null,
        userSearchAttribute: null,
      },
    });
    expect(direct.errors).toBeUndefined();
    const ldap = direct.data!.updateLdapProvider.settings.ssoProviders.find(
      (p: { name: string }) => p.name === 'corp-ldap',
    ).ldap;
    expect(ldap).toMatchObject({ serviceBindDn: null, serviceBindPasswordSet: false, userSearchBase: null });
    expect(
      JSON.stringify(
        await ctx.t.server.db.orm.em.fork().getConnection().execute('select secrets from instance_settings'),
      ),
    ).not.toContain('corp-ldap:serviceBindPassword');
    expect(codeOf(await admin(settingsMutation('updateLdapProvider'), { i: { name: 'corp-ldap', label: null } }))).toBe(
      'BAD_USER_INPUT',
    );
    await admin(UPDATE, { i: { invitationTtlDays: 9 } });
    const back = await admin(UPDATE, { i: { invitationTtlDays: null } });
    expect(back.data!.updateInstanceSettings.settings).toMatchObject({ invitationTtlDays: 7 });
    expect(back.data!.updateInstanceSettings.settings.overridden).not.toContain('INVITATION_TTL_DAYS');
  });

  it.skipIf(!MANY_CONNECTIONS)('writes no secret to the logs, even when SMTP login fails', async () => {
    const lines: string[] = [];
    const logger = createLogger('trace', { write: (line: string) => void lines.push(line) });
    const traced = await secondServer(ctx, { SECRETS_KEY: KEY_A }, logger);
    extra.push(traced);
    const secret = `log-${randomBytes(8).toString('hex')}`;
    const port = await freePort();
    const smtp = await startSmtp(port);
    try {
      const url = traced.server.url;
      expect(
        codeOf(await gql(url, CREATE_OIDC, { i: { ...okta('traced'), clientSecret: secret } }, ctx.admin.token)),
      ).toBe(undefined);
      await gql(
        url,
        UPDATE,
        { i: { smtpUrl: `smtp://127.0.0.1:${port}`, smtpUsername: SMTP_USER, smtpPassword: secret, smtpFrom: FROM } },
        ctx.admin.token,
      );
      await gql(
        url,
        'mutation($i: InviteUserInput!) { inviteUser(input: $i) { invitation { id } } }',
        { i: { organization: 'acme', email: 'traced@example.com' } },
        ctx.admin.token,
      );
      await traced.server.mail.runOnce();
      expect(smtp.logins).toEqual([]);
      const text = lines.join('');
      // The refused SMTP login was logged (with the server's answer), the secrets were not.
      expect(text).toMatch(/Invalid username or password/);
      expect(text).not.toContain(secret);
      await gql(url, DELETE, { i: { name: 'traced' } }, ctx.admin.token);
      await gql(
        url,
        UPDATE,
        { i: { reset: ['SMTP_URL', 'SMTP_USERNAME', 'SMTP_PASSWORD', 'SMTP_FROM'] } },
        ctx.admin.token,
      );
    } finally {
      await smtp.close();
    }
  });

  it.skipIf(!MANY_CONNECTIONS)(
    'applies a change in another server process within SETTINGS_REFRESH_MS, without a restart',
    async () => {
      const other = await secondServer(ctx, { SECRETS_KEY: KEY_A });
      extra.push(other);
      expect((await other.server.ssoSettings.current()).providers.map((p) => p.name)).toEqual(['okta', 'corp-ldap']);
      const changedAt = Date.now();
      await as(ctx.admin.token)(UPDATE, { i: { sessionTtlHours: 5 } });
      let seen = 0;
      while (Date.now() - changedAt < 5000) {
        const res = await gql(other.server.url, READ, {}, ctx.admin.token);
        if (res.data?.instanceSettings.sessionTtlHours === 5) {
          seen = Date.now() - changedAt;
          break;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(seen).toBeGreaterThan(0);
      expect(seen).toBeLessThan(3000);
      // Sign-in in the other process reads the change too.
      await as(ctx.admin.token)(DELETE, { i: { name: 'corp-ldap' } });
      await new Promise((r) => setTimeout(r, 2100));
      expect((await other.server.ssoSettings.current()).providers.map((p) => p.name)).toEqual(['okta']);
      await as(ctx.admin.token)(UPDATE, { i: { reset: ['SESSION_TTL_HOURS'] } });
    },
  );

  it.skipIf(!MANY_CONNECTIONS)('loses no change when admins write at once through two processes', async () => {
    const other = extra[0]!.server;
    const before = (await as(ctx.admin.token)(READ)).data!.instanceSettings.version as number;
    const names = Array.from({ length: 10 }, (_, n) => `race-${n}`);
    const results = await Promise.all(
      names.map((name, n) => gql(n % 2 ? other.url : ctx.url, CREATE_OIDC, { i: okta(name) }, ctx.admin.token)),
    );
    expect(results.map((r) => r.errors)).toEqual(names.map(() => undefined));
    // This process saw its own writes at once; the other's within SETTINGS_REFRESH_MS.
    await new Promise((r) => setTimeout(r, 2100));
    const after = (await as(ctx.admin.token)(READ)).data!.instanceSettings;
    expect(after.version).toBe(before + 10);
    expect(after.ssoProviders.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(names));
    for (const name of names) await as(ctx.admin.token)(DELETE, { i: { name } });
  });

  it('validates SSO_PROVIDERS when the server starts', () => {
    const env = (extra: Record<string, string>) => loadConfig({ NODE_ENV: 'test', ...extra });
    expect(() => environmentDefaults(env({ SSO_PROVIDERS: 'not json' }))).toThrow(/SSO_PROVIDERS: is not valid JSON/);
    expect(() =>
      environmentDefaults(
        env({ SSO_PROVIDERS: JSON.stringify([{ ...okta(), kind: 'OIDC', clientSecret: undefined }]) }),
      ),
    ).toThrow(/SSO_PROVIDERS: \[0\.clientSecret\] is required/);
    expect(() =>
      environmentDefaults(env({ SSO_PROVIDERS: JSON.stringify([{ ...okta('Bad Name'), kind: 'OIDC' }]) })),
    ).toThrow(/\[0\.name\]/);
    expect(() => environmentDefaults(env({ SSO_GROUP_MAPPINGS: '[{"group":"g"}]' }))).toThrow(/SSO_GROUP_MAPPINGS/);
  });

  it.skipIf(!MANY_CONNECTIONS)('lists providers from the environment, which the API cannot change', async () => {
    const fromEnv = await secondServer(ctx, {
      SECRETS_KEY: KEY_A,
      SSO_PROVIDERS: JSON.stringify([{ ...okta('env-idp'), kind: 'OIDC', clientAuth: 'client_secret_post' }]),
    });
    extra.push(fromEnv);
    const url = fromEnv.server.url;
    const read = await gql(url, READ, {}, ctx.admin.token);
    expect(read.data!.instanceSettings.ssoProviders[0]).toMatchObject({
      name: 'env-idp',
      source: 'ENVIRONMENT',
      oidc: { clientSecretSet: true, clientAuth: 'CLIENT_SECRET_POST' },
    });
    expect(JSON.stringify(read)).not.toContain(CLIENT_SECRET);
    for (const query of [CREATE_OIDC, UPDATE_OIDC])
      expect(codeOf(await gql(url, query, { i: okta('env-idp') }, ctx.admin.token))).toBe('CONFLICT');
    expect(codeOf(await gql(url, DELETE, { i: { name: 'env-idp' } }, ctx.admin.token))).toBe('CONFLICT');
    await fromEnv.server.close();
  });

  it.skipIf(!MANY_CONNECTIONS)(
    'refuses to store a secret without SECRETS_KEY, and fails clearly under the wrong key',
    async () => {
      const keyless = await secondServer(ctx, {});
      extra.push(keyless);
      const res = await gql(keyless.server.url, CREATE_OIDC, { i: okta('keyless') }, ctx.admin.token);
      expect(codeOf(res)).toBe('SECRETS_KEY_MISSING');
      expect(res.errors![0]!.message).toMatch(/SECRETS_KEY/);
      const read = await gql(keyless.server.url, '{ instance { warnings { code message } } }', {}, ctx.admin.token);
      const warning = read.data!.instance.warnings.find((w: { code: string }) => w.code === 'SECRETS_UNREADABLE');
      expect(warning.message).toContain(`key id ${keyId(parseSecretsKey(KEY_A)!)}`);
      // The provider is still listed with its secret set; sign-in in that process just has no secret for it.
      const settings = await gql(keyless.server.url, READ, {}, ctx.admin.token);
      expect(settings.data!.instanceSettings.ssoProviders[0].oidc.clientSecretSet).toBe(true);
      expect((await keyless.server.ssoSettings.current()).providers[0]).toMatchObject({ clientSecret: undefined });
    },
  );

  it.skipIf(!MANY_CONNECTIONS)(
    'rotates the key: SECRETS_KEY_PREVIOUS decrypts, roster-admin reencrypt-secrets rewrites the values',
    async () => {
      const wrong = await cli(ctx.t.database, ['reencrypt-secrets'], { SECRETS_KEY: KEY_B }).catch((e: Error) => e);
      expect(String(wrong)).toMatch(/key id .* neither SECRETS_KEY/);
      const rotated = await secondServer(ctx, { SECRETS_KEY: KEY_B, SECRETS_KEY_PREVIOUS: KEY_A });
      extra.push(rotated);
      expect((await rotated.server.ssoSettings.current()).providers[0]).toMatchObject({ clientSecret: CLIENT_SECRET });
      const out = await cli(ctx.t.database, ['reencrypt-secrets'], { SECRETS_KEY: KEY_B, SECRETS_KEY_PREVIOUS: KEY_A });
      expect(out.code).toBe(0);
      expect(out.out).toMatch(/1 stored secret\(s\) re-encrypted/);
      const dump = await dumpDatabase(ctx.t.server.db);
      expect(dump).not.toContain(`v1:${keyId(parseSecretsKey(KEY_A)!)}:`);
      expect(dump).toContain(`v1:${keyId(parseSecretsKey(KEY_B)!)}:`);
      expect(dump).not.toContain(CLIENT_SECRET);
      const onlyNew = await secondServer(ctx, { SECRETS_KEY: KEY_B });
      extra.push(onlyNew);
      expect((await onlyNew.server.ssoSettings.current()).providers[0]).toMatchObject({ clientSecret: CLIENT_SECRET });
    },
  );

  it('password sign-in off: logIn and password acceptInvitation refused; roster-admin turns it back on', async () => {
    const admin = as(ctx.admin.token);
    // Down to one SSO provider (the tests before may have left others).
    for (const p of (await admin(READ)).data!.instanceSettings.ssoProviders as Array<{ name: string }>)
      if (p.name !== 'okta') await admin(DELETE, { i: { name: p.name } });
    const off = await admin(UPDATE, { i: { passwordSignIn: false } });
    expect(off.data!.updateInstanceSettings.settings.passwordSignIn).toBe(false);
    const login = await gql(ctx.url, LOG_IN, { i: { login: 'admin', password: ADMIN_PASSWORD } });
    expect(codeOf(login)).toBe('PASSWORD_SIGN_IN_DISABLED');
    const inv = await inviteByLink(ctx.url, ctx.admin.token, 'acme', 'ssoonly@example.com');
    const accept = await gql(ctx.url, ACCEPT, {
      i: { token: inv.token, username: 'ssoonly', name: 'S', password: 'some-password-1' },
    });
    expect(codeOf(accept)).toBe('PASSWORD_SIGN_IN_DISABLED');
    // The last provider cannot go while password sign-in is off.
    expect(codeOf(await admin(DELETE, { i: { name: 'okta' } }))).toBe('SSO_PROVIDER_REQUIRED');
    if (MANY_CONNECTIONS) {
      const recovered = await cli(ctx.t.database, ['enable-password-sign-in'], { SECRETS_KEY: KEY_B });
      expect(recovered.code).toBe(0);
      await new Promise((r) => setTimeout(r, 2100));
    } else {
      // The embedded database takes one connection: the CLI runs with the server stopped (test/admin-cli.test.ts).
      await admin(UPDATE, { i: { passwordSignIn: true } });
    }
    expect(codeOf(await gql(ctx.url, LOG_IN, { i: { login: 'admin', password: ADMIN_PASSWORD } }))).toBeUndefined();
  });

  it('sends email through SMTP settings changed through the API, without a restart', async () => {
    const port = await freePort();
    let smtp: FakeSmtp | undefined = await startSmtp(port);
    try {
      const res = await as(ctx.admin.token)(UPDATE, {
        i: {
          smtpUrl: `smtp://127.0.0.1:${port}`,
          smtpUsername: SMTP_USER,
          smtpPassword: SMTP_PASSWORD,
          smtpFrom: FROM,
        },
      });
      expect(res.errors).toBeUndefined();
      expect(res.data!.updateInstanceSettings.settings).toMatchObject({
        smtpConfigured: true,
        smtpUrl: `smtp://127.0.0.1:${port}`,
        smtpUsername: SMTP_USER,
        smtpPasswordSet: true,
      });
      expect(JSON.stringify(res)).not.toContain(SMTP_SECRET_MARK);
      await gql(
        ctx.url,
        'mutation($i: InviteUserInput!) { inviteUser(input: $i) { invitation { id } } }',
        { i: { organization: 'acme', email: 'mailed@example.com' } },
        ctx.admin.token,
      );
      await ctx.t.server.mail.runOnce();
      expect(smtp.messages.map((m) => m.rcptTo)).toEqual([['mailed@example.com']]);
      expect(smtp.logins).toEqual([SMTP_USER]);
      expect(await dumpDatabase(ctx.t.server.db)).not.toContain(SMTP_SECRET_MARK);
    } finally {
      await smtp.close();
      smtp = undefined;
    }
  });
});

describe('instance admins', () => {
  let ctx: InstanceWithAdmin;
  let second: { server: RosterServer; db: Database } | undefined;
  beforeAll(async () => {
    ctx = await instanceWithAdmin();
  });
  afterAll(async () => {
    await second?.server.close();
    await second?.db.close();
    await ctx?.t.close();
  });

  it('grants and revokes, audited, and never revokes the last one', async () => {
    const peer = await addMember(ctx.t, ctx.org, 'peer');
    const grant = await gql(ctx.url, GRANT, { i: { user: 'peer@example.com' } }, ctx.admin.token);
    expect(grant.data!.grantInstanceAdmin).toEqual({ changed: true, user: { username: 'peer', instanceAdmin: true } });
    expect((await gql(ctx.url, GRANT, { i: { user: 'peer' } }, ctx.admin.token)).data!.grantInstanceAdmin.changed).toBe(
      false,
    );
    // The new admin can read settings with the session they already had.
    expect((await gql(ctx.url, READ, {}, peer.token)).errors).toBeUndefined();
    const revoke = await gql(ctx.url, REVOKE, { i: { user: 'admin' } }, peer.token);
    expect(revoke.data!.revokeInstanceAdmin).toEqual({
      changed: true,
      user: { username: 'admin', instanceAdmin: false },
    });
    expect(codeOf(await gql(ctx.url, REVOKE, { i: { user: 'peer' } }, peer.token))).toBe('LAST_INSTANCE_ADMIN');
    expect(codeOf(await gql(ctx.url, GRANT, { i: { user: 'nobody' } }, peer.token))).toBe('NOT_FOUND');
    expect(codeOf(await gql(ctx.url, GRANT, { i: { user: 'admin' } }, ctx.admin.token))).toBe('FORBIDDEN');
    await gql(ctx.url, GRANT, { i: { user: 'admin' } }, peer.token);
    const actions = await ctx.t.server.db.orm.em
      .fork()
      .getConnection()
      .execute<Array<{ action: string; target_label: string }>>(
        "select action, target_label from audit_events where action like 'user.instance_admin%' order by created_at",
      );
    expect(actions.map((a) => `${a.action} ${a.target_label}`)).toEqual([
      'user.instance_admin_granted peer',
      'user.instance_admin_revoked admin',
      'user.instance_admin_granted admin',
    ]);
    await gql(ctx.url, REVOKE, { i: { user: 'peer' } }, ctx.admin.token);
  });

  it.skipIf(!MANY_CONNECTIONS)(
    'two admins revoking each other at once through two processes, 15 times, always leave exactly one',
    async () => {
      const db = await ctx.t.openExtraDatabase();
      const server = await startServer({
        config: testConfig(ctx.t.database),
        logger: createLogger('silent'),
        database: db,
      });
      second = { server, db };
      const conn = ctx.t.server.db.orm.em.fork().getConnection();
      for (let round = 0; round < 15; round++) {
        const a = await addMember(ctx.t, null, `ra${round}`, OrgRole.MEMBER, undefined, { instanceAdmin: true });
        const b = await addMember(ctx.t, null, `rb${round}`, OrgRole.MEMBER, undefined, { instanceAdmin: true });
        // Only these two are admins now.
        await conn.execute('update users set instance_admin = false where id not in (?, ?)', [a.user.id, b.user.id]);
        const [ra, rb] = await Promise.all([
          gql(ctx.url, REVOKE, { i: { user: b.user.username } }, a.token),
          gql(server.url, REVOKE, { i: { user: a.user.username } }, b.token),
        ]);
        const outcomes = [ra, rb].map((r) => (r.data ? 'ok' : codeOf(r))).sort();
        expect(outcomes[0]).toBe('FORBIDDEN');
        expect(outcomes[1]).toBe('ok');
        const admins = await conn.execute<Array<{ n: number }>>(
          'select count(*)::int as n from users where instance_admin',
        );
        expect(admins[0]!.n).toBe(1);
      }
    },
  );
});
