import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isObjectType } from 'graphql';
import {
  instanceWithAdmin,
  addMember,
  gql,
  inviteByLink,
  ADMIN_PASSWORD,
  type InstanceWithAdmin,
  type Actor,
} from './fixtures';
import { buildRosterSchema } from '../src/graphql/schema';
import { hashSecret } from '../src/auth/secrets';
import { AuditAction } from '../src/modules/audit/audit.service';

/**
 * Issue 13, item 5: every mutation of the schema writes an audit event. Each mutation is executed for real, with
 * valid arguments from the table below, and must add at least one event of its own. A mutation missing from the
 * table fails the test: a new mutation must come with its builder (and its audit event), or be declared exempt here
 * with a reason. The same flow then checks that no secret it produced or used is anywhere in the audit table.
 */
const EXEMPT: Record<string, string> = {
  logRun:
    'Logging a run is the platform’s hot path (thousands per hour per team); runs are recorded with their author and ' +
    'time in the runs table itself and count as activity. Deleting a run is audited (RUN_DELETED).',
  beginOidcSignIn:
    'Starts a browser sign-in before anyone is authenticated: it stores a single-use state row that expires in 10 ' +
    'minutes and changes nothing else. Its outcome is audited when the provider calls back (user.sso_signed_in, ' +
    'user.sso_provisioned, user.sso_refused; refused callbacks also count as failed sign-ins).',
};

interface Call {
  query: string;
  variables?: Record<string, unknown>;
  /** Whose session makes the call; the instance admin's when absent. */
  token?: string;
}

interface World {
  t: InstanceWithAdmin;
  admin: string;
  /** A fresh name for anything this flow creates. */
  name(prefix: string): string;
  /** Runs a GraphQL call that must succeed (a builder's setup step); remembers secrets in its answer. */
  api<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, token?: string): Promise<T>;
  member(role?: string): Promise<Actor & { username: string }>;
}

const m = (name: string, inputType: string, selection: string) =>
  `mutation($i: ${inputType}!) { ${name}(input: $i) { ${selection} } }`;

async function serviceAccount(w: World): Promise<string> {
  const r = await w.api<{ createServiceAccount: { serviceAccount: { id: string } } }>(
    m('createServiceAccount', 'CreateServiceAccountInput', 'serviceAccount { id }'),
    { i: { organization: 'acme', team: 'vision', name: w.name('sa') } },
  );
  return r.createServiceAccount.serviceAccount.id;
}

async function customRole(w: World): Promise<string> {
  const r = await w.api<{ createCustomRole: { customRole: { id: string } } }>(
    m('createCustomRole', 'CreateCustomRoleInput', 'customRole { id }'),
    { i: { organization: 'acme', name: w.name('role'), inheritsFrom: 'VIEW_ONLY', permissions: [] } },
  );
  return r.createCustomRole.customRole.id;
}

async function apiKey(w: World): Promise<string> {
  const r = await w.api<{ createApiKey: { apiKey: { id: string } } }>(
    m('createApiKey', 'CreateApiKeyInput', 'secret apiKey { id }'),
    { i: { name: w.name('key') } },
  );
  return r.createApiKey.apiKey.id;
}

async function teamMember(w: World, role = 'MEMBER'): Promise<Actor & { username: string }> {
  const u = await w.member();
  await w.api(m('addTeamMember', 'AddTeamMemberInput', 'member { role }'), {
    i: { organization: 'acme', team: 'vision', user: u.username, role },
  });
  return u;
}

const settingsCall = (name: string, inputType: string, i: Record<string, unknown>): Call => ({
  query: m(name, inputType, 'settings { version }'),
  variables: { i },
});

/** An OIDC provider stored through the API; its client secret holds `password` so the secret scan covers it. */
async function oidcProvider(w: World): Promise<string> {
  const name = w.name('idp');
  await w.api(m('createOidcProvider', 'CreateOidcProviderInput', 'settings { version }'), {
    i: { name, label: 'Corp', issuer: 'https://idp.example.com', clientId: 'roster', clientSecret: 'oidc-password-1' },
  });
  return name;
}

const BUILDERS: Record<string, (w: World) => Promise<Call>> = {
  createOidcProvider: async (w) =>
    settingsCall('createOidcProvider', 'CreateOidcProviderInput', {
      name: w.name('idp'),
      label: 'Corp',
      issuer: 'https://idp.example.com',
      clientId: 'roster',
      clientSecret: 'oidc-client-password-2',
    }),
  updateOidcProvider: async (w) =>
    settingsCall('updateOidcProvider', 'UpdateOidcProviderInput', {
      name: await oidcProvider(w),
      clientSecret: 'oidc-rotated-password-3',
    }),
  createLdapProvider: async (w) =>
    settingsCall('createLdapProvider', 'CreateLdapProviderInput', {
      name: w.name('ldap'),
      label: 'Directory',
      url: 'ldap://ldap.example.com:389',
      serviceBindDn: 'cn=roster,dc=example,dc=org',
      serviceBindPassword: 'ldap-bind-password-4',
      userSearchBase: 'ou=people,dc=example,dc=org',
      userSearchAttribute: 'uid',
    }),
  updateLdapProvider: async (w) => {
    const name = w.name('ldap');
    await w.api(m('createLdapProvider', 'CreateLdapProviderInput', 'settings { version }'), {
      i: { name, label: 'Dir', url: 'ldap://ldap.example.com', bindDnTemplate: 'uid={username},dc=example,dc=org' },
    });
    return settingsCall('updateLdapProvider', 'UpdateLdapProviderInput', { name, startTls: true });
  },
  deleteSsoProvider: async (w) =>
    settingsCall('deleteSsoProvider', 'DeleteSsoProviderInput', { name: await oidcProvider(w) }),
  setGroupMappings: async () =>
    settingsCall('setGroupMappings', 'SetGroupMappingsInput', {
      mappings: [{ group: 'ml-engineers', organization: 'acme', team: 'vision', role: 'MEMBER' }],
    }),
  updateInstanceSettings: async () =>
    settingsCall('updateInstanceSettings', 'UpdateInstanceSettingsInput', { invitationTtlDays: 9 }),
  grantInstanceAdmin: async (w) => ({
    query: m('grantInstanceAdmin', 'GrantInstanceAdminInput', 'changed'),
    variables: { i: { user: (await w.member()).username } },
  }),
  revokeInstanceAdmin: async (w) => {
    const u = await w.member();
    await w.api(m('grantInstanceAdmin', 'GrantInstanceAdminInput', 'changed'), { i: { user: u.username } });
    return {
      query: m('revokeInstanceAdmin', 'RevokeInstanceAdminInput', 'changed'),
      variables: { i: { user: u.username } },
    };
  },
  acceptInvitation: async (w) => {
    const inv = await inviteByLink(w.t.url, w.admin, 'acme', `${w.name('acc')}@example.com`);
    return {
      query: m('acceptInvitation', 'AcceptInvitationInput', 'token user { id }'),
      variables: { i: { token: inv.token, username: w.name('acc'), name: 'Accepting', password: 'accept-password-1' } },
      token: '',
    };
  },
  addTeamMember: async (w) => {
    const u = await w.member();
    return {
      query: m('addTeamMember', 'AddTeamMemberInput', 'member { role }'),
      variables: { i: { organization: 'acme', team: 'vision', user: u.username } },
    };
  },
  createApiKey: async (w) => ({
    query: m('createApiKey', 'CreateApiKeyInput', 'secret apiKey { id }'),
    variables: { i: { name: w.name('key') } },
  }),
  createCustomRole: async (w) => ({
    query: m('createCustomRole', 'CreateCustomRoleInput', 'customRole { id }'),
    variables: { i: { organization: 'acme', name: w.name('role'), inheritsFrom: 'MEMBER', permissions: ['RUN_STOP'] } },
  }),
  createScimToken: async (w) => ({
    query: m('createScimToken', 'CreateScimTokenInput', 'secret scimToken { id }'),
    variables: { i: { organization: 'acme', name: w.name('scim') } },
  }),
  createOrganization: async (w) => ({
    query: m('createOrganization', 'CreateOrganizationInput', 'organization { id }'),
    variables: { i: { name: w.name('org') } },
  }),
  createProject: async (w) => ({
    query: m('createProject', 'CreateProjectInput', 'project { id }'),
    variables: { i: { organization: 'acme', team: 'vision', name: w.name('proj') } },
  }),
  createReport: async () => ({
    query: m('createReport', 'CreateReportInput', 'report { id }'),
    variables: { i: { organization: 'acme', team: 'vision', title: 'A report' } },
  }),
  createServiceAccount: async (w) => ({
    query: m('createServiceAccount', 'CreateServiceAccountInput', 'serviceAccount { id }'),
    variables: { i: { organization: 'acme', team: 'vision', name: w.name('sa') } },
  }),
  createServiceAccountKey: async (w) => ({
    query: m('createServiceAccountKey', 'CreateServiceAccountKeyInput', 'secret apiKey { id }'),
    variables: { i: { serviceAccount: await serviceAccount(w), name: 'ci' } },
  }),
  createTeam: async (w) => ({
    query: m('createTeam', 'CreateTeamInput', 'team { id }'),
    variables: { i: { organization: 'acme', name: w.name('team') } },
  }),
  deactivateMember: async (w) => ({
    query: m('deactivateMember', 'DeactivateMemberInput', 'changed'),
    variables: { i: { organization: 'acme', user: (await w.member()).username } },
  }),
  deleteCustomRole: async (w) => ({
    query: m('deleteCustomRole', 'DeleteCustomRoleInput', 'deletedCustomRoleId'),
    variables: { i: { id: await customRole(w) } },
  }),
  deleteProject: async (w) => {
    const name = w.name('proj');
    await w.api(m('createProject', 'CreateProjectInput', 'project { id }'), {
      i: { organization: 'acme', team: 'vision', name },
    });
    return {
      query: m('deleteProject', 'DeleteProjectInput', 'deletedProjectId'),
      variables: { i: { organization: 'acme', team: 'vision', project: name } },
    };
  },
  deleteReport: async (w) => {
    const r = await w.api<{ createReport: { report: { id: string } } }>(
      m('createReport', 'CreateReportInput', 'report { id }'),
      { i: { organization: 'acme', team: 'vision', title: 'Doomed' } },
    );
    return {
      query: m('deleteReport', 'DeleteReportInput', 'deletedReportId'),
      variables: { i: { id: r.createReport.report.id } },
    };
  },
  deleteRun: async (w) => {
    const r = await w.api<{ logRun: { run: { id: string } } }>(m('logRun', 'LogRunInput', 'run { id }'), {
      i: { organization: 'acme', team: 'vision', project: 'base' },
    });
    return { query: m('deleteRun', 'DeleteRunInput', 'deletedRunId'), variables: { i: { id: r.logRun.run.id } } };
  },
  deleteServiceAccount: async (w) => ({
    query: m('deleteServiceAccount', 'DeleteServiceAccountInput', 'deletedServiceAccountId'),
    variables: { i: { id: await serviceAccount(w) } },
  }),
  deleteTeam: async (w) => {
    const name = w.name('team');
    await w.api(m('createTeam', 'CreateTeamInput', 'team { id }'), { i: { organization: 'acme', name } });
    return {
      query: m('deleteTeam', 'DeleteTeamInput', 'deletedTeamId'),
      variables: { i: { organization: 'acme', team: name, confirmName: name } },
    };
  },
  disableServiceAccount: async (w) => ({
    query: m('disableServiceAccount', 'DisableServiceAccountInput', 'changed'),
    variables: { i: { id: await serviceAccount(w) } },
  }),
  enableServiceAccount: async (w) => {
    const id = await serviceAccount(w);
    await w.api(m('disableServiceAccount', 'DisableServiceAccountInput', 'changed'), { i: { id } });
    return { query: m('enableServiceAccount', 'EnableServiceAccountInput', 'changed'), variables: { i: { id } } };
  },
  inviteUser: async (w) => ({
    query: m('inviteUser', 'InviteUserInput', 'acceptUrl invitation { id }'),
    variables: { i: { organization: 'acme', email: `${w.name('inv')}@example.com`, sendEmail: false } },
  }),
  inviteUsers: async (w) => ({
    query: m('inviteUsers', 'InviteUsersInput', 'succeeded'),
    variables: {
      i: {
        organization: 'acme',
        sendEmail: false,
        invitations: [{ email: `${w.name('bulk')}@example.com` }, { email: `${w.name('bulk')}@example.com` }],
      },
    },
  }),
  leaveTeam: async (w) => {
    const u = await teamMember(w);
    return {
      query: m('leaveTeam', 'LeaveTeamInput', 'removedTeamMemberId'),
      variables: { i: { organization: 'acme', team: 'vision' } },
      token: u.token,
    };
  },
  logIn: async () => ({
    query: m('logIn', 'LogInInput', 'token'),
    variables: { i: { login: 'admin', password: ADMIN_PASSWORD } },
    token: '',
  }),
  logOut: async (w) => {
    const r = await w.api<{ logIn: { token: string } }>(m('logIn', 'LogInInput', 'token'), {
      i: { login: 'admin', password: ADMIN_PASSWORD },
    });
    return { query: 'mutation { logOut { sessionId } }', token: r.logIn.token };
  },
  reactivateMember: async (w) => {
    const u = await w.member();
    await w.api(m('deactivateMember', 'DeactivateMemberInput', 'changed'), {
      i: { organization: 'acme', user: u.username },
    });
    return {
      query: m('reactivateMember', 'ReactivateMemberInput', 'changed'),
      variables: { i: { organization: 'acme', user: u.username } },
    };
  },
  removeMember: async (w) => ({
    query: m('removeMember', 'RemoveMemberInput', 'removedMemberId'),
    variables: { i: { organization: 'acme', user: (await w.member()).username } },
  }),
  removeTeamMember: async (w) => ({
    query: m('removeTeamMember', 'RemoveTeamMemberInput', 'removedTeamMemberId'),
    variables: { i: { organization: 'acme', team: 'vision', user: (await teamMember(w)).username } },
  }),
  resendInvitation: async (w) => {
    const inv = await inviteByLink(w.t.url, w.admin, 'acme', `${w.name('res')}@example.com`);
    return {
      query: m('resendInvitation', 'ResendInvitationInput', 'acceptUrl'),
      variables: { i: { id: inv.id, sendEmail: false } },
    };
  },
  revokeApiKey: async (w) => ({
    query: m('revokeApiKey', 'RevokeApiKeyInput', 'changed'),
    variables: { i: { id: await apiKey(w) } },
  }),
  revokeScimToken: async (w) => {
    const r = await w.api<{ createScimToken: { scimToken: { id: string } } }>(
      m('createScimToken', 'CreateScimTokenInput', 'secret scimToken { id }'),
      { i: { organization: 'acme', name: w.name('scim') } },
    );
    return {
      query: m('revokeScimToken', 'RevokeScimTokenInput', 'changed'),
      variables: { i: { id: r.createScimToken.scimToken.id } },
    };
  },
  revokeInvitation: async (w) => {
    const inv = await inviteByLink(w.t.url, w.admin, 'acme', `${w.name('rev')}@example.com`);
    return { query: m('revokeInvitation', 'RevokeInvitationInput', 'changed'), variables: { i: { id: inv.id } } };
  },
  revokeSessions: async (w) => ({
    query: m('revokeSessions', 'RevokeSessionsInput', 'revokedCount'),
    variables: { i: {} },
    token: (await w.member()).token,
  }),
  rotateApiKey: async (w) => ({
    query: m('rotateApiKey', 'RotateApiKeyInput', 'secret apiKey { id }'),
    variables: { i: { id: await apiKey(w), graceHours: 1 } },
  }),
  signUp: async (w) => {
    const email = `${w.name('sig')}@example.com`;
    const inv = await inviteByLink(w.t.url, w.admin, 'acme', email);
    return {
      query: m('signUp', 'SignUpInput', 'token'),
      variables: {
        i: {
          email,
          username: w.name('sig'),
          name: 'Signing',
          password: 'signup-password-1',
          invitationToken: inv.token,
        },
      },
      token: '',
    };
  },
  updateCustomRole: async (w) => ({
    query: m('updateCustomRole', 'UpdateCustomRoleInput', 'customRole { id }'),
    variables: { i: { id: await customRole(w), description: 'Changed' } },
  }),
  updateInvitation: async (w) => {
    const inv = await inviteByLink(w.t.url, w.admin, 'acme', `${w.name('upd')}@example.com`);
    return {
      query: m('updateInvitation', 'UpdateInvitationInput', 'changed'),
      variables: { i: { id: inv.id, role: 'VIEWER' } },
    };
  },
  updateMemberRole: async (w) => ({
    query: m('updateMemberRole', 'UpdateMemberRoleInput', 'changed'),
    variables: { i: { organization: 'acme', user: (await w.member()).username, role: 'VIEWER' } },
  }),
  updateOrganization: async (w) => ({
    query: m('updateOrganization', 'UpdateOrganizationInput', 'organization { id }'),
    variables: { i: { organization: 'acme', displayName: w.name('Acme') } },
  }),
  updateServiceAccount: async (w) => ({
    query: m('updateServiceAccount', 'UpdateServiceAccountInput', 'changed'),
    variables: { i: { id: await serviceAccount(w), description: 'Nightly jobs' } },
  }),
  updateTeam: async (w) => ({
    query: m('updateTeam', 'UpdateTeamInput', 'team { id }'),
    variables: { i: { organization: 'acme', team: 'vision', avatarUrl: `https://example.com/${w.name('a')}.png` } },
  }),
  updateTeamMemberRole: async (w) => ({
    query: m('updateTeamMemberRole', 'UpdateTeamMemberRoleInput', 'member { role }'),
    variables: { i: { organization: 'acme', team: 'vision', user: (await teamMember(w)).username, role: 'VIEW_ONLY' } },
  }),
};

/** Strings that are secrets wherever they appear in an answer: tokens, API keys, accept links. */
function collectSecrets(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) for (const v of value) collectSecrets(v, into);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (typeof v === 'string' && (k === 'token' || k === 'secret')) into.add(v);
      else if (typeof v === 'string' && k === 'acceptUrl') into.add(new URL(v).searchParams.get('token')!);
      else collectSecrets(v, into);
    }
  }
}

describe('audit coverage: every mutation writes an audit event', () => {
  let t: InstanceWithAdmin;
  const secrets = new Set<string>([ADMIN_PASSWORD]);
  let counter = 0;
  let world: World;
  const results: Array<{ mutation: string; actions: string[] }> = [];

  beforeAll(async () => {
    // A secrets key, so the instance settings builders can store a client secret and a bind password.
    t = await instanceWithAdmin({ SECRETS_KEY: 'a'.repeat(64) });
    secrets.add(t.admin.token);
    world = {
      t,
      admin: t.admin.token,
      name: (prefix) => `${prefix}${++counter}`.toLowerCase(),
      async api(query, variables = {}, token = t.admin.token) {
        const res = await gql(t.url, query, variables, token);
        if (res.errors) throw new Error(`setup failed: ${JSON.stringify(res.errors)}`);
        collectSecrets(res.data, secrets);
        return res.data as never;
      },
      async member(role = 'MEMBER') {
        const username = world.name('user');
        const actor = await addMember(t.t, t.org, username, role as never, undefined, {
          password: 'member-password-1',
        });
        secrets.add(actor.token);
        return { ...actor, username };
      },
    };
    secrets.add('member-password-1');
    await world.api(m('createTeam', 'CreateTeamInput', 'team { id }'), { i: { organization: 'acme', name: 'vision' } });
    await world.api(m('createProject', 'CreateProjectInput', 'project { id }'), {
      i: { organization: 'acme', team: 'vision', name: 'base' },
    });
  });
  afterAll(() => t?.t.close());

  it('has a builder or an exemption for every mutation, and none for mutations that do not exist', async () => {
    const schema = await buildRosterSchema();
    const mutationType = schema.getMutationType();
    expect(isObjectType(mutationType)).toBe(true);
    const names = Object.keys(mutationType!.getFields()).sort();
    const missing = names.filter((n) => !BUILDERS[n] && !EXEMPT[n]);
    expect(missing, 'add an argument builder (and an audit event) for these mutations').toEqual([]);
    const stale = [...Object.keys(BUILDERS), ...Object.keys(EXEMPT)].filter((n) => !names.includes(n));
    expect(stale, 'builders or exemptions for mutations that no longer exist').toEqual([]);
    expect(Object.keys(BUILDERS).filter((n) => EXEMPT[n])).toEqual([]);
  });

  it('executes every mutation for real and finds an audit event of its own after each', async () => {
    const schema = await buildRosterSchema();
    const names = Object.keys(schema.getMutationType()!.getFields()).sort();
    const em = t.t.server.db.orm.em.fork();
    const maxId = async () =>
      Number(
        (await em.getConnection().execute<Array<{ id: string | null }>>('select max(id) as id from audit_events'))[0]!
          .id ?? 0,
      );
    // Events a request may write whatever it does (an API key from a new address): not the mutation's own.
    const incidental = new Set<string>([AuditAction.API_KEY_USED_FROM_NEW_ADDRESS]);
    const silent: string[] = [];
    for (const name of names) {
      if (EXEMPT[name]) continue;
      const call = await BUILDERS[name]!(world);
      const before = await maxId();
      const res = await gql(
        t.url,
        call.query,
        call.variables ?? {},
        call.token === '' ? undefined : (call.token ?? world.admin),
      );
      expect(res.errors, `${name} failed: ${JSON.stringify(res.errors)}`).toBeUndefined();
      collectSecrets(res.data, secrets);
      for (const v of Object.values((call.variables?.i as Record<string, unknown>) ?? {}))
        if (typeof v === 'string' && /password/.test(v)) secrets.add(v);
      const rows = await em
        .getConnection()
        .execute<Array<{ action: string }>>('select action from audit_events where id > ? order by id', [before]);
      const own = rows.map((r) => r.action).filter((a) => !incidental.has(a));
      results.push({ mutation: name, actions: own });
      if (own.length === 0) silent.push(name);
    }
    console.log(`audited mutations: ${results.length}, exempt: ${Object.keys(EXEMPT).length}`);
    expect(silent, 'these mutations wrote no audit event').toEqual([]);
  });

  it('never stores a secret the flow produced or used: passwords, session tokens, API keys, invitations', async () => {
    // A failed login with a wrong password, and an API key used from an address: the remaining secret-bearing paths.
    const wrong = 'wrong-password-Zq81';
    secrets.add(wrong);
    await gql(t.url, m('logIn', 'LogInInput', 'token'), { i: { login: 'admin', password: wrong } });
    await gql(t.url, m('logIn', 'LogInInput', 'token'), { i: { login: 'nobody-here', password: wrong } });
    const key = await world.api<{ createApiKey: { secret: string } }>(
      m('createApiKey', 'CreateApiKeyInput', 'secret apiKey { id }'),
      { i: { name: 'scan' } },
    );
    const viaKey = await gql(t.url, '{ viewer { user { username } } }', {}, key.createApiKey.secret);
    expect(viaKey.errors).toBeUndefined();
    const rows = await t.t.server.db.orm.em
      .fork()
      .getConnection()
      .execute<Array<{ row: string }>>('select row_to_json(e)::text as row from audit_events e');
    const actions = await t.t.server.db.orm.em
      .fork()
      .getConnection()
      .execute<Array<{ action: string }>>('select distinct action from audit_events');
    expect(actions.map((a) => a.action)).toEqual(
      expect.arrayContaining([AuditAction.USER_LOGIN_FAILED, AuditAction.API_KEY_USED_FROM_NEW_ADDRESS]),
    );
    const all = rows.map((r) => r.row).join('\n');
    expect(secrets.size).toBeGreaterThan(20);
    const found: string[] = [];
    for (const s of secrets) {
      expect(s.length).toBeGreaterThanOrEqual(8);
      // Neither the secret nor its stored hash (a token's hash is as good as the token for a lookup).
      if (all.includes(s) || all.includes(hashSecret(s))) found.push(`${s.slice(0, 6)}…`);
    }
    console.log(`scanned ${rows.length} audit rows for ${secrets.size} secrets`);
    expect(found).toEqual([]);
  });
});
