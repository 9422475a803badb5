/**
 * The authorization matrix: every mutation of the emitted schema, and the fields that read private data,
 * tried by every kind of principal. A cell asserts the exact outcome and, for refusals, that the database
 * did not change. A mutation without a row fails the suite, so nothing ships without declaring who may call it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { buildSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instanceWithAdmin, addMember, gql, inviteByLink, type InstanceWithAdmin, type Actor } from './fixtures';
import { issueSession } from '../src/auth/sessions';
import { ref } from '@mikro-orm/core';
import { User } from '../src/modules/accounts/user.entity';
import { Organization } from '../src/modules/organizations/organization.entity';
import { Membership } from '../src/modules/organizations/membership.entity';
import { MemberStatus, OrgRole } from '../src/authz/roles';
import { startIdp, type TestIdp } from './oidc-fixture';
import type { SsoSettings } from '../src/modules/sso/sso-settings';

const PRINCIPALS = [
  'anonymous',
  'instanceAdmin',
  'orgAdmin',
  'orgMember',
  'orgViewer',
  'teamAdmin',
  'teamMember',
  'teamViewOnly',
  'customWith',
  'customWithout',
  'otherOrgAdmin',
  'deactivated',
  'revokedKey',
  // Service accounts (issue 11): keys of accounts, not people. "serviceAccount" works in team core,
  // "otherTeamService" in team side, "disabledService" is core's and disabled, and "serviceForNonMember" is core's
  // account naming "om" (an org member outside core) in X-Roster-Acting-User.
  'serviceAccount',
  'otherTeamService',
  'disabledService',
  'serviceForNonMember',
  // An organization service account of acme: every team with the SERVICE role, but not RESTRICTED projects.
  'orgServiceAccount',
] as const;
type Principal = (typeof PRINCIPALS)[number];
/**
 * 'ok': allowed and done; 'hidden': answered, without the private data; 'absent': a lookup by natural key
 * (`organization`, `team`, `Team.project`) answered null, without an error; otherwise the exact error code.
 */
type Outcome = 'ok' | 'hidden' | string;

const USERNAMES: Partial<Record<Principal, string>> = {
  instanceAdmin: 'ia',
  orgAdmin: 'oa',
  orgMember: 'om',
  orgViewer: 'ov',
  teamAdmin: 'ta',
  teamMember: 'tm',
  teamViewOnly: 'tv',
  customWith: 'cw',
  customWithout: 'cx',
  otherOrgAdmin: 'bo',
  deactivated: 'dx',
};

let ctx: InstanceWithAdmin;
let seq = 0;
const next = (prefix: string) => `${prefix}-${++seq}`;
const root = () => ctx.admin.token;
const q = (query: string, variables: Record<string, unknown> = {}, token?: string) =>
  gql(ctx.url, query, variables, token);

// biome-ignore lint/suspicious/noExplicitAny: a response's shape is the query's; each row reads what it asked for.
async function must<T = Record<string, any>>(
  query: string,
  variables: Record<string, unknown> = {},
  token = root(),
): Promise<T> {
  const res = await gql<T>(ctx.url, query, variables, token);
  if (!res.data || res.errors) throw new Error(`setup failed: ${query.slice(0, 60)} ${JSON.stringify(res.errors)}`);
  return res.data;
}

const addToTeam = (team: string, user: string, role: string) =>
  must('mutation($i: AddTeamMemberInput!) { addTeamMember(input: $i) { member { role } } }', {
    i: { organization: 'acme', team, user, role },
  });
const assignCustom = (team: string, user: string, customRole: string) =>
  must('mutation($i: UpdateTeamMemberRoleInput!) { updateTeamMemberRole(input: $i) { member { role } } }', {
    i: { organization: 'acme', team, user, customRole },
  });

/** A team with the same cast as "core": tests that change a team get their own. */
async function freshTeam(): Promise<string> {
  const name = next('team');
  await must('mutation($i: CreateTeamInput!) { createTeam(input: $i) { team { name } } }', {
    i: { organization: 'acme', name },
  });
  for (const [user, role] of [
    ['ta', 'ADMIN'],
    ['tm', 'MEMBER'],
    ['tv', 'VIEW_ONLY'],
    ['cw', 'MEMBER'],
    ['cx', 'VIEW_ONLY'],
  ])
    await addToTeam(name, user!, role!);
  await assignCustom(name, 'cw', 'Power');
  await assignCustom(name, 'cx', 'Reader');
  return name;
}

/** A service account in core, for rows that change one. */
async function freshServiceAccount(): Promise<string> {
  const res = await must(
    'mutation($i: CreateServiceAccountInput!) { createServiceAccount(input: $i) { serviceAccount { id } } }',
    { i: { organization: 'acme', team: 'core', name: next('sa') } },
  );
  return res.createServiceAccount.serviceAccount.id as string;
}

/** Who sees core but may not manage its service accounts' keys is told the key is missing (ids cannot be probed). */
const TEAM_ROLES_NOT_FOUND = {
  teamMember: 'NOT_FOUND',
  teamViewOnly: 'NOT_FOUND',
  customWith: 'NOT_FOUND',
  customWithout: 'NOT_FOUND',
} as const;

async function freshOrgMember(status: MemberStatus = MemberStatus.ACTIVE): Promise<string> {
  const name = next('victim');
  await addMember(ctx.t, ctx.org, name, OrgRole.MEMBER, status);
  return name;
}

const tokens: Partial<Record<Principal, () => Promise<string | undefined>>> = {};
/** Extra request headers per principal (the acting-user header of serviceForNonMember). */
const HEADERS: Partial<Record<Principal, Record<string, string>>> = {
  serviceForNonMember: { 'x-roster-acting-user': 'om' },
};

/** Everything that a refused call must leave untouched (activity timestamps excluded: reads update them). */
async function snapshot(): Promise<string> {
  const tables: Record<string, string> = {
    users: 'id, email, username, name, instance_admin, default_organization_id, password_hash',
    sessions: 'id, revoked_at',
    api_keys: 'id, name, revoked_at, expires_at, rotated_at, service_account_id',
    service_accounts: '*',
    organizations: '*',
    // sort_last_active is the members view's copy of users.last_active_at (an activity timestamp).
    org_memberships:
      'id, organization_id, user_id, invitation_id, role, status, created_at, updated_at, sort_name, role_rank, ' +
      'search_name, search_username, search_email',
    invitations: '*',
    outbox_emails: 'id, invitation_id',
    audit_events: 'id',
    teams: '*',
    // sort_last_active: team_memberships' copy of the same activity timestamp (TeamMemberSortKeys).
    team_memberships:
      'id, team_id, user_id, role, custom_role_id, managed_by_idp, added_by_id, created_at, org_membership_id, ' +
      'member_status, member_role, sort_name, role_rank, added_at',
    projects: '*',
    runs: '*',
    reports: '*',
    custom_roles: '*',
    scim_tokens: '*',
    instance_settings: 'version, overrides, secrets',
  };
  const parts: string[] = [];
  for (const [table, cols] of Object.entries(tables)) {
    const rows: Array<{ h: string | null }> = await ctx.t.server.db.orm.em
      .fork()
      .getConnection()
      .execute(
        `select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) as h from (select ${cols} from ${table}` +
          `) x`,
      );
    parts.push(`${table}:${rows[0]!.h}`);
  }
  return parts.join(' ');
}

interface Row {
  /** Mutation or `Type.field` for reads. */
  name: string;
  /** Builds a fresh target and the request. */
  prepare: (p: Principal) => Promise<{ query: string; variables: Record<string, unknown> }>;
  expected: Record<Principal, Outcome>;
  /** For reads: whether the answer held the private data. */
  // biome-ignore lint/suspicious/noExplicitAny: the data of the row's own query.
  revealed?: (data: Record<string, any>) => boolean;
}

interface NestedUser {
  username: string;
  defaultOrganization?: { name: string } | null;
  memberships?: { nodes: Array<{ organization: { name: string } }> };
}
/** Whether a user object seen from acme shows anything of beta. */
const revealsBeta = (u: NestedUser | null): boolean =>
  u?.defaultOrganization?.name === 'beta' || (u?.memberships?.nodes ?? []).some((m) => m.organization.name === 'beta');

/** Whether the lookup a read row goes through answered null. */
function lookupAbsent(data: Record<string, unknown> | null | undefined): boolean {
  return (
    !!data &&
    (data.organization === null ||
      data.team === null ||
      (data.team != null && (data.team as { project?: unknown }).project === null))
  );
}

// Shorthands for expectations.
const OUT = {
  anonymous: 'UNAUTHENTICATED',
  revokedKey: 'UNAUTHENTICATED',
  disabledService: 'SERVICE_ACCOUNT_DISABLED',
} as const;
/** Service accounts never do a person's act: FORBIDDEN, whatever their team. */
const SERVICE_ACCOUNTS_FORBIDDEN = {
  serviceAccount: 'FORBIDDEN',
  otherTeamService: 'FORBIDDEN',
  serviceForNonMember: 'FORBIDDEN',
  orgServiceAccount: 'FORBIDDEN',
} as const;
/** On a team that is not theirs (a fresh team), service accounts do not even see it. */
const SERVICE_ACCOUNTS_NOT_FOUND = {
  serviceAccount: 'NOT_FOUND',
  otherTeamService: 'NOT_FOUND',
  serviceForNonMember: 'NOT_FOUND',
  // It sees every team, so it is refused rather than not finding it.
  orgServiceAccount: 'FORBIDDEN',
} as const;
/** Writing work in core: core's account may; the other team's does not see core; naming a non-member fails. */
const SERVICE_ACCOUNTS_WRITE_CORE = {
  serviceAccount: 'ok',
  otherTeamService: 'NOT_FOUND',
  serviceForNonMember: 'ATTRIBUTION_FAILED',
  orgServiceAccount: 'ok',
} as const;
/** Operations needing service_account:manage on core (team admins, org and instance admins). */
const SERVICE_ACCOUNT_MANAGERS = grid({
  instanceAdmin: 'ok',
  orgAdmin: 'ok',
  teamAdmin: 'ok',
  otherOrgAdmin: 'NOT_FOUND',
  deactivated: 'NOT_FOUND',
  ...SERVICE_ACCOUNTS_FORBIDDEN,
  rest: 'FORBIDDEN',
});
function grid(spec: Partial<Record<Principal, Outcome>> & { rest: Outcome }): Record<Principal, Outcome> {
  const { rest, ...explicit } = spec;
  return Object.fromEntries(
    PRINCIPALS.map((p) => [
      p,
      (explicit as Record<string, Outcome>)[p] ?? (p in OUT ? OUT[p as keyof typeof OUT] : rest),
    ]),
  ) as Record<Principal, Outcome>;
}
/** Org-admin-only operations on acme. */
const ORG_ADMINS = grid({
  instanceAdmin: 'ok',
  orgAdmin: 'ok',
  otherOrgAdmin: 'NOT_FOUND',
  deactivated: 'NOT_FOUND',
  rest: 'FORBIDDEN',
});
/** Org-admin-only fields read through the `organization` lookup: those who may not see acme get null, not NOT_FOUND. */
const ORG_ADMINS_READ = { ...ORG_ADMINS, otherOrgAdmin: 'absent', deactivated: 'absent' };
/** Operations needing member:manage (or less) on a team like core. */
const TEAM_MANAGERS = grid({
  instanceAdmin: 'ok',
  orgAdmin: 'ok',
  teamAdmin: 'ok',
  customWith: 'ok',
  otherOrgAdmin: 'NOT_FOUND',
  deactivated: 'NOT_FOUND',
  ...SERVICE_ACCOUNTS_NOT_FOUND,
  rest: 'FORBIDDEN',
});
/** Deleting work is a person's act (deleting "own" work needs an author who is a person). */
const SERVICE_ACCOUNTS_DELETE_CORE = SERVICE_ACCOUNTS_FORBIDDEN;
/** Operations needing a MEMBER-level permission in the team. */
const TEAM_CREATORS = grid({
  instanceAdmin: 'ok',
  orgAdmin: 'ok',
  teamAdmin: 'ok',
  teamMember: 'ok',
  customWith: 'ok',
  otherOrgAdmin: 'NOT_FOUND',
  deactivated: 'NOT_FOUND',
  ...SERVICE_ACCOUNTS_WRITE_CORE,
  rest: 'FORBIDDEN',
});
const EVERYONE_SIGNED_IN = grid({ ...SERVICE_ACCOUNTS_FORBIDDEN, rest: 'ok' });

/** The team of the Team.warnings row, made once. */
let singleAdminTeam: string | null = null;
const INSTANCE_ADMINS_ONLY = () => grid({ instanceAdmin: 'ok', rest: 'FORBIDDEN' });
const settingsMutation = (name: string, input: string, i: Record<string, unknown>) => ({
  query: `mutation($i: ${input}!) { ${name}(input: $i) { settings { version } } }`,
  variables: { i },
});
const oidcProvider = (name: string) => ({
  name,
  label: `Sign in with ${name}`,
  issuer: 'https://idp.example.com',
  clientId: 'matrix',
  clientSecret: 'matrix-client-secret',
});
const storedProvider = async (): Promise<string> => {
  const name = next('idp');
  await must('mutation($i: CreateOidcProviderInput!) { createOidcProvider(input: $i) { settings { version } } }', {
    i: oidcProvider(name),
  });
  return name;
};
function INSTANCE_SETTINGS_ROWS(): Row[] {
  return [
    {
      name: 'updateInstanceSettings',
      prepare: async () =>
        settingsMutation('updateInstanceSettings', 'UpdateInstanceSettingsInput', {
          invitationTtlDays: (++seq % 300) + 1,
        }),
      expected: INSTANCE_ADMINS_ONLY(),
    },
    {
      name: 'createOidcProvider',
      prepare: async () =>
        settingsMutation('createOidcProvider', 'CreateOidcProviderInput', oidcProvider(next('oidc'))),
      expected: INSTANCE_ADMINS_ONLY(),
    },
    {
      name: 'updateOidcProvider',
      prepare: async () =>
        settingsMutation('updateOidcProvider', 'UpdateOidcProviderInput', {
          name: await storedProvider(),
          label: 'Changed',
        }),
      expected: INSTANCE_ADMINS_ONLY(),
    },
    {
      name: 'createLdapProvider',
      prepare: async () =>
        settingsMutation('createLdapProvider', 'CreateLdapProviderInput', {
          name: next('ldap'),
          label: 'Directory',
          url: 'ldap://ldap.example.com:389',
          bindDnTemplate: 'uid={username},ou=people,dc=example,dc=org',
        }),
      expected: INSTANCE_ADMINS_ONLY(),
    },
    {
      name: 'updateLdapProvider',
      prepare: async () => {
        const name = next('ldap');
        await must(
          'mutation($i: CreateLdapProviderInput!) { createLdapProvider(input: $i) { settings { version } } }',
          {
            i: {
              name,
              label: 'Dir',
              url: 'ldap://ldap.example.com',
              bindDnTemplate: 'uid={username},dc=example,dc=org',
            },
          },
        );
        return settingsMutation('updateLdapProvider', 'UpdateLdapProviderInput', { name, startTls: true });
      },
      expected: INSTANCE_ADMINS_ONLY(),
    },
    {
      name: 'deleteSsoProvider',
      prepare: async () =>
        settingsMutation('deleteSsoProvider', 'DeleteSsoProviderInput', { name: await storedProvider() }),
      expected: INSTANCE_ADMINS_ONLY(),
    },
    {
      name: 'setGroupMappings',
      prepare: async () =>
        settingsMutation('setGroupMappings', 'SetGroupMappingsInput', {
          mappings: [{ group: next('group'), organization: 'acme', team: 'core', role: 'MEMBER' }],
        }),
      expected: INSTANCE_ADMINS_ONLY(),
    },
    {
      name: 'grantInstanceAdmin',
      prepare: async () => ({
        query: 'mutation($i: GrantInstanceAdminInput!) { grantInstanceAdmin(input: $i) { changed } }',
        variables: { i: { user: await freshOrgMember() } },
      }),
      expected: INSTANCE_ADMINS_ONLY(),
    },
    {
      name: 'revokeInstanceAdmin',
      prepare: async () => {
        const name = next('ia');
        await addMember(ctx.t, null, name, OrgRole.MEMBER, MemberStatus.ACTIVE, { instanceAdmin: true });
        return {
          query: 'mutation($i: RevokeInstanceAdminInput!) { revokeInstanceAdmin(input: $i) { changed } }',
          variables: { i: { user: name } },
        };
      },
      expected: INSTANCE_ADMINS_ONLY(),
    },
    {
      name: 'Query.instanceSettings',
      prepare: async () => ({ query: '{ instanceSettings { version ssoProviders { name } } }', variables: {} }),
      revealed: (d) => d.instanceSettings != null,
      expected: INSTANCE_ADMINS_ONLY(),
    },
  ];
}

const ROWS: Row[] = [
  {
    name: 'signUp',
    prepare: async () => {
      const n = next('signup');
      return {
        query: 'mutation($i: SignUpInput!) { signUp(input: $i) { token } }',
        variables: { i: { email: `${n}@example.com`, username: n, name: 'New', password: 'new-password-1' } },
      };
    },
    expected: grid({ anonymous: 'FORBIDDEN', rest: 'FORBIDDEN' }),
  },
  {
    name: 'logIn',
    prepare: async () => ({
      query: 'mutation { logIn(input: { login: "loginuser", password: "login-password-1" }) { token } }',
      variables: {},
    }),
    expected: grid({ anonymous: 'ok', ...SERVICE_ACCOUNTS_FORBIDDEN, rest: 'ok' }),
  },
  {
    name: 'beginOidcSignIn',
    prepare: async () => ({
      query: 'mutation { beginOidcSignIn(input: { provider: "corp", redirect: "/" }) { authorizationUrl } }',
      variables: {},
    }),
    expected: grid({ anonymous: 'ok', ...SERVICE_ACCOUNTS_FORBIDDEN, rest: 'ok' }),
  },
  {
    name: 'Query.ssoProviders (public: name, label, kind)',
    prepare: async () => ({ query: '{ ssoProviders { name label kind } }', variables: {} }),
    revealed: (d) => d.ssoProviders.length === 1,
    expected: grid({ anonymous: 'ok', rest: 'ok' }),
  },
  {
    name: 'logOut',
    prepare: async () => ({ query: 'mutation { logOut { sessionId } }', variables: {} }),
    expected: EVERYONE_SIGNED_IN,
  },
  {
    name: 'createApiKey',
    prepare: async () => ({ query: 'mutation { createApiKey(input: { name: "matrix" }) { secret } }', variables: {} }),
    expected: EVERYONE_SIGNED_IN,
  },
  {
    name: 'revokeApiKey',
    prepare: async () => {
      const om = await tokens.orgMember!();
      const key = await must('mutation { createApiKey(input: { name: "victim" }) { apiKey { id } } }', {}, om);
      return {
        query: 'mutation($i: RevokeApiKeyInput!) { revokeApiKey(input: $i) { apiKey { status } } }',
        variables: { i: { id: key.createApiKey.apiKey.id } },
      };
    },
    expected: grid({ instanceAdmin: 'ok', orgMember: 'ok', ...SERVICE_ACCOUNTS_FORBIDDEN, rest: 'NOT_FOUND' }),
  },
  {
    name: 'createOrganization',
    prepare: async () => ({
      query: 'mutation($i: CreateOrganizationInput!) { createOrganization(input: $i) { organization { name } } }',
      variables: { i: { name: next('org') } },
    }),
    expected: grid({ instanceAdmin: 'ok', rest: 'FORBIDDEN' }),
  },
  {
    name: 'updateOrganization',
    prepare: async () => ({
      query: 'mutation($i: UpdateOrganizationInput!) { updateOrganization(input: $i) { organization { name } } }',
      variables: { i: { organization: 'acme', displayName: next('Acme') } },
    }),
    expected: ORG_ADMINS,
  },
  {
    name: 'inviteUser',
    prepare: async () => ({
      query: 'mutation($i: InviteUserInput!) { inviteUser(input: $i) { invitation { id } } }',
      variables: { i: { organization: 'acme', email: `${next('inv')}@example.com`, sendEmail: false } },
    }),
    expected: ORG_ADMINS,
  },
  {
    name: 'inviteUsers',
    prepare: async () => ({
      query: 'mutation($i: InviteUsersInput!) { inviteUsers(input: $i) { succeeded } }',
      variables: {
        i: { organization: 'acme', sendEmail: false, invitations: [{ email: `${next('bulk')}@example.com` }] },
      },
    }),
    expected: ORG_ADMINS,
  },
  {
    name: 'resendInvitation',
    prepare: async () => {
      const { id } = await inviteByLink(ctx.url, root(), 'acme', `${next('resend')}@example.com`);
      return {
        query: 'mutation($i: ResendInvitationInput!) { resendInvitation(input: $i) { invitation { id } } }',
        variables: { i: { id, sendEmail: false } },
      };
    },
    expected: ORG_ADMINS,
  },
  {
    name: 'updateInvitation',
    prepare: async () => {
      const { id } = await inviteByLink(ctx.url, root(), 'acme', `${next('update')}@example.com`);
      return {
        query: 'mutation($i: UpdateInvitationInput!) { updateInvitation(input: $i) { changed invitation { role } } }',
        variables: { i: { id, role: 'VIEWER' } },
      };
    },
    expected: ORG_ADMINS,
  },
  {
    name: 'revokeInvitation',
    prepare: async () => {
      const { id } = await inviteByLink(ctx.url, root(), 'acme', `${next('revoke')}@example.com`);
      return {
        query: 'mutation($i: RevokeInvitationInput!) { revokeInvitation(input: $i) { invitation { status } } }',
        variables: { i: { id } },
      };
    },
    expected: ORG_ADMINS,
  },
  {
    name: 'acceptInvitation',
    prepare: async () => {
      const n = next('accept');
      const { token } = await inviteByLink(ctx.url, root(), 'acme', `${n}@example.com`);
      return {
        query: 'mutation($i: AcceptInvitationInput!) { acceptInvitation(input: $i) { user { username } } }',
        variables: { i: { token, username: n, name: 'Acceptor', password: 'accept-password-1' } },
      };
    },
    // Bound to the invited email: anyone logged in as someone else is refused.
    expected: grid({ anonymous: 'ok', ...SERVICE_ACCOUNTS_FORBIDDEN, rest: 'INVITE_INVALID' }),
  },
  {
    name: 'updateMemberRole',
    prepare: async () => ({
      query: 'mutation($i: UpdateMemberRoleInput!) { updateMemberRole(input: $i) { member { role } } }',
      variables: { i: { organization: 'acme', user: await freshOrgMember(), role: 'VIEWER' } },
    }),
    expected: ORG_ADMINS,
  },
  {
    name: 'removeMember',
    prepare: async () => ({
      query: 'mutation($i: RemoveMemberInput!) { removeMember(input: $i) { removedMemberId user { username } } }',
      variables: { i: { organization: 'acme', user: await freshOrgMember() } },
    }),
    expected: ORG_ADMINS,
  },
  {
    name: 'deactivateMember',
    prepare: async () => ({
      query: 'mutation($i: DeactivateMemberInput!) { deactivateMember(input: $i) { member { status } } }',
      variables: { i: { organization: 'acme', user: await freshOrgMember() } },
    }),
    expected: ORG_ADMINS,
  },
  {
    name: 'reactivateMember',
    prepare: async () => ({
      query: 'mutation($i: ReactivateMemberInput!) { reactivateMember(input: $i) { member { status } } }',
      variables: { i: { organization: 'acme', user: await freshOrgMember(MemberStatus.DEACTIVATED) } },
    }),
    expected: ORG_ADMINS,
  },
  {
    name: 'createTeam',
    prepare: async () => ({
      query: 'mutation($i: CreateTeamInput!) { createTeam(input: $i) { team { name } } }',
      variables: { i: { organization: 'acme', name: next('created') } },
    }),
    expected: ORG_ADMINS,
  },
  {
    name: 'updateTeam',
    prepare: async () => ({
      query: 'mutation($i: UpdateTeamInput!) { updateTeam(input: $i) { team { name } } }',
      variables: { i: { organization: 'acme', team: await freshTeam(), settings: { publicReportsAllowed: false } } },
    }),
    expected: TEAM_MANAGERS,
  },
  {
    name: 'deleteTeam',
    prepare: async () => {
      const team = await freshTeam();
      return {
        query: 'mutation($i: DeleteTeamInput!) { deleteTeam(input: $i) { deletedTeamId organization { name } } }',
        variables: { i: { organization: 'acme', team, confirmName: team } },
      };
    },
    expected: { ...ORG_ADMINS, ...SERVICE_ACCOUNTS_NOT_FOUND },
  },
  {
    name: 'addTeamMember',
    prepare: async () => ({
      query: 'mutation($i: AddTeamMemberInput!) { addTeamMember(input: $i) { member { role } } }',
      variables: { i: { organization: 'acme', team: await freshTeam(), user: await freshOrgMember() } },
    }),
    expected: TEAM_MANAGERS,
  },
  {
    name: 'updateTeamMemberRole',
    prepare: async () => ({
      query: 'mutation($i: UpdateTeamMemberRoleInput!) { updateTeamMemberRole(input: $i) { member { role } } }',
      variables: { i: { organization: 'acme', team: await freshTeam(), user: 'tm', role: 'VIEW_ONLY' } },
    }),
    expected: TEAM_MANAGERS,
  },
  {
    name: 'removeTeamMember',
    prepare: async () => ({
      query:
        'mutation($i: RemoveTeamMemberInput!) { removeTeamMember(input: $i) { removedTeamMemberId user { username } ' +
        '} }',
      variables: { i: { organization: 'acme', team: await freshTeam(), user: 'tv' } },
    }),
    // Anyone may remove themselves.
    expected: { ...TEAM_MANAGERS, teamViewOnly: 'ok' },
  },
  {
    name: 'leaveTeam',
    prepare: async () => ({
      query: 'mutation($i: LeaveTeamInput!) { leaveTeam(input: $i) { removedTeamMemberId team { name } } }',
      variables: { i: { organization: 'acme', team: await freshTeam() } },
    }),
    expected: grid({
      teamAdmin: 'ok',
      teamMember: 'ok',
      teamViewOnly: 'ok',
      customWith: 'ok',
      customWithout: 'ok',
      // Sees every team, and has no membership to leave: a person's act.
      orgServiceAccount: 'FORBIDDEN',
      rest: 'NOT_FOUND',
    }),
  },
  {
    name: 'createProject',
    prepare: async () => ({
      query: 'mutation($i: CreateProjectInput!) { createProject(input: $i) { project { name } } }',
      variables: { i: { organization: 'acme', team: 'core', name: next('proj') } },
    }),
    expected: TEAM_CREATORS,
  },
  {
    name: 'logRun',
    prepare: async () => ({
      query: 'mutation($i: LogRunInput!) { logRun(input: $i) { run { name } } }',
      variables: { i: { organization: 'acme', team: 'core', project: 'matrix' } },
    }),
    expected: TEAM_CREATORS,
  },
  {
    name: 'createReport',
    prepare: async () => ({
      query: 'mutation($i: CreateReportInput!) { createReport(input: $i) { report { title } } }',
      variables: { i: { organization: 'acme', team: 'core', title: next('report') } },
    }),
    expected: TEAM_CREATORS,
  },
  {
    name: 'deleteProject',
    prepare: async () => {
      const name = next('doomed');
      await must('mutation($i: CreateProjectInput!) { createProject(input: $i) { project { name } } }', {
        i: { organization: 'acme', team: 'core', name },
      });
      return {
        query: 'mutation($i: DeleteProjectInput!) { deleteProject(input: $i) { deletedProjectId team { name } } }',
        variables: { i: { organization: 'acme', team: 'core', project: name } },
      };
    },
    expected: { ...TEAM_MANAGERS, orgMember: 'NOT_FOUND', orgViewer: 'NOT_FOUND', ...SERVICE_ACCOUNTS_DELETE_CORE },
  },
  {
    name: 'deleteRun',
    prepare: async () => {
      const run = await must(
        'mutation { logRun(input: { organization: "acme", team: "core", project: "matrix" }) { run { id } } }',
      );
      return {
        query: 'mutation($i: DeleteRunInput!) { deleteRun(input: $i) { deletedRunId project { name } } }',
        variables: { i: { id: run.logRun.run.id } },
      };
    },
    expected: { ...TEAM_MANAGERS, orgMember: 'NOT_FOUND', orgViewer: 'NOT_FOUND', ...SERVICE_ACCOUNTS_DELETE_CORE },
  },
  {
    name: 'deleteReport',
    prepare: async () => {
      const report = await must('mutation($i: CreateReportInput!) { createReport(input: $i) { report { id } } }', {
        i: { organization: 'acme', team: 'core', title: next('old report') },
      });
      return {
        query: 'mutation($i: DeleteReportInput!) { deleteReport(input: $i) { deletedReportId team { name } } }',
        variables: { i: { id: report.createReport.report.id } },
      };
    },
    expected: { ...TEAM_MANAGERS, orgMember: 'NOT_FOUND', orgViewer: 'NOT_FOUND', ...SERVICE_ACCOUNTS_DELETE_CORE },
  },
  {
    name: 'createCustomRole',
    prepare: async () => ({
      query: 'mutation($i: CreateCustomRoleInput!) { createCustomRole(input: $i) { customRole { id } } }',
      variables: {
        i: { organization: 'acme', name: next('role'), inheritsFrom: 'MEMBER', permissions: ['RUN_DELETE'] },
      },
    }),
    expected: ORG_ADMINS,
  },
  {
    name: 'updateCustomRole',
    prepare: async () => {
      const role = await must(
        'mutation($i: CreateCustomRoleInput!) { createCustomRole(input: $i) { customRole { id } } }',
        { i: { organization: 'acme', name: next('role'), inheritsFrom: 'MEMBER', permissions: [] } },
      );
      return {
        query: 'mutation($i: UpdateCustomRoleInput!) { updateCustomRole(input: $i) { customRole { id } } }',
        variables: { i: { id: role.createCustomRole.customRole.id, permissions: ['RUN_DELETE'] } },
      };
    },
    expected: ORG_ADMINS,
  },
  {
    name: 'deleteCustomRole',
    prepare: async () => {
      const role = await must(
        'mutation($i: CreateCustomRoleInput!) { createCustomRole(input: $i) { customRole { id } } }',
        { i: { organization: 'acme', name: next('role'), inheritsFrom: 'MEMBER', permissions: [] } },
      );
      return {
        query:
          'mutation($i: DeleteCustomRoleInput!) { deleteCustomRole(input: $i) { deletedCustomRoleId organization { ' +
          'name } } }',
        variables: { i: { id: role.createCustomRole.customRole.id } },
      };
    },
    expected: ORG_ADMINS,
  },
  {
    name: 'createServiceAccount',
    prepare: async () => ({
      query: 'mutation($i: CreateServiceAccountInput!) { createServiceAccount(input: $i) { serviceAccount { id } } }',
      variables: { i: { organization: 'acme', team: 'core', name: next('sa') } },
    }),
    expected: SERVICE_ACCOUNT_MANAGERS,
  },
  {
    name: 'updateServiceAccount',
    prepare: async () => ({
      query: 'mutation($i: UpdateServiceAccountInput!) { updateServiceAccount(input: $i) { changed } }',
      variables: { i: { id: await freshServiceAccount(), description: next('changed') } },
    }),
    expected: SERVICE_ACCOUNT_MANAGERS,
  },
  {
    name: 'disableServiceAccount',
    prepare: async () => ({
      query: 'mutation($i: DisableServiceAccountInput!) { disableServiceAccount(input: $i) { changed } }',
      variables: { i: { id: await freshServiceAccount() } },
    }),
    expected: SERVICE_ACCOUNT_MANAGERS,
  },
  {
    name: 'enableServiceAccount',
    prepare: async () => {
      const id = await freshServiceAccount();
      await must('mutation($i: DisableServiceAccountInput!) { disableServiceAccount(input: $i) { changed } }', {
        i: { id },
      });
      return {
        query: 'mutation($i: EnableServiceAccountInput!) { enableServiceAccount(input: $i) { changed } }',
        variables: { i: { id } },
      };
    },
    expected: SERVICE_ACCOUNT_MANAGERS,
  },
  {
    name: 'deleteServiceAccount',
    prepare: async () => ({
      query: 'mutation($i: DeleteServiceAccountInput!) { deleteServiceAccount(input: $i) { keysRevoked } }',
      variables: { i: { id: await freshServiceAccount() } },
    }),
    expected: SERVICE_ACCOUNT_MANAGERS,
  },
  {
    name: 'createServiceAccountKey',
    prepare: async () => ({
      query: 'mutation($i: CreateServiceAccountKeyInput!) { createServiceAccountKey(input: $i) { secret } }',
      variables: { i: { serviceAccount: await freshServiceAccount(), name: 'matrix' } },
    }),
    expected: SERVICE_ACCOUNT_MANAGERS,
  },
  {
    name: 'rotateApiKey',
    prepare: async () => {
      const key = await must(
        'mutation($i: CreateServiceAccountKeyInput!) { createServiceAccountKey(input: $i) { apiKey { id } } }',
        { i: { serviceAccount: await freshServiceAccount(), name: 'to-rotate' } },
      );
      return {
        query: 'mutation($i: RotateApiKeyInput!) { rotateApiKey(input: $i) { secret } }',
        variables: { i: { id: key.createServiceAccountKey.apiKey.id, graceHours: 1 } },
      };
    },
    // A key the caller may not manage is reported as missing, like revokeApiKey's.
    expected: { ...SERVICE_ACCOUNT_MANAGERS, orgMember: 'NOT_FOUND', orgViewer: 'NOT_FOUND', ...TEAM_ROLES_NOT_FOUND },
  },
  {
    name: 'revokeApiKey (a service account key)',
    prepare: async () => {
      const key = await must(
        'mutation($i: CreateServiceAccountKeyInput!) { createServiceAccountKey(input: $i) { apiKey { id } } }',
        { i: { serviceAccount: await freshServiceAccount(), name: 'to-revoke' } },
      );
      return {
        query: 'mutation($i: RevokeApiKeyInput!) { revokeApiKey(input: $i) { changed } }',
        variables: { i: { id: key.createServiceAccountKey.apiKey.id } },
      };
    },
    expected: { ...SERVICE_ACCOUNT_MANAGERS, orgMember: 'NOT_FOUND', orgViewer: 'NOT_FOUND', ...TEAM_ROLES_NOT_FOUND },
  },
  {
    name: 'createServiceAccount (organization-scoped)',
    prepare: async () => ({
      query: 'mutation($i: CreateServiceAccountInput!) { createServiceAccount(input: $i) { serviceAccount { id } } }',
      variables: { i: { organization: 'acme', name: next('org-sa') } },
    }),
    expected: grid({
      instanceAdmin: 'ok',
      orgAdmin: 'ok',
      otherOrgAdmin: 'NOT_FOUND',
      deactivated: 'NOT_FOUND',
      ...SERVICE_ACCOUNTS_FORBIDDEN,
      rest: 'FORBIDDEN',
    }),
  },
  // Reads of private data.
  {
    name: 'Organization.serviceAccounts',
    prepare: async () => ({
      query: '{ organization(name: "acme") { serviceAccounts { totalCount } } }',
      variables: {},
    }),
    expected: grid({
      otherOrgAdmin: 'absent',
      deactivated: 'absent',
      ...SERVICE_ACCOUNTS_FORBIDDEN,
      rest: 'ok',
    }),
  },
  {
    name: 'createScimToken',
    prepare: async () => ({
      query: 'mutation($i: CreateScimTokenInput!) { createScimToken(input: $i) { scimToken { id } } }',
      variables: { i: { organization: 'acme', name: next('scim') } },
    }),
    expected: ORG_ADMINS,
  },
  {
    name: 'revokeScimToken',
    prepare: async () => {
      const made = await must(
        'mutation { createScimToken(input: { organization: "acme", name: "victim" }) { scimToken { id } } }',
      );
      return {
        query: 'mutation($i: RevokeScimTokenInput!) { revokeScimToken(input: $i) { changed } }',
        variables: { i: { id: made.createScimToken.scimToken.id } },
      };
    },
    // Who may not manage acme's SCIM tokens is told the token is missing (ids cannot be probed).
    expected: grid({ instanceAdmin: 'ok', orgAdmin: 'ok', ...SERVICE_ACCOUNTS_FORBIDDEN, rest: 'NOT_FOUND' }),
  },
  {
    name: 'Organization.scimTokens',
    prepare: async () => ({ query: '{ organization(name: "acme") { scimTokens { id name } } }', variables: {} }),
    expected: { ...ORG_ADMINS_READ, ...SERVICE_ACCOUNTS_FORBIDDEN },
  },
  {
    name: 'Organization.apiKeys',
    prepare: async () => ({
      query: '{ organization(name: "acme") { apiKeys(first: 5) { totalCount } } }',
      variables: {},
    }),
    expected: { ...ORG_ADMINS_READ, ...SERVICE_ACCOUNTS_FORBIDDEN },
  },
  {
    name: 'Team.projects (RESTRICTED)',
    prepare: async () => ({
      query: '{ team(organization: "acme", name: "core") { project(name: "locked") { name } } }',
      variables: {},
    }),
    // Only those on the team: not org or instance admins outside it, not the organization service account.
    expected: grid({
      instanceAdmin: 'absent',
      orgAdmin: 'absent',
      orgMember: 'absent',
      orgViewer: 'absent',
      otherOrgAdmin: 'absent',
      deactivated: 'absent',
      otherTeamService: 'absent',
      orgServiceAccount: 'absent',
      rest: 'ok',
    }),
  },
  {
    name: 'Team.serviceAccounts',
    prepare: async () => ({
      query: '{ team(organization: "acme", name: "core") { serviceAccounts { totalCount } } }',
      variables: {},
    }),
    expected: grid({
      orgMember: 'FORBIDDEN',
      orgViewer: 'FORBIDDEN',
      otherOrgAdmin: 'absent',
      deactivated: 'absent',
      ...SERVICE_ACCOUNTS_FORBIDDEN,
      otherTeamService: 'absent',
      rest: 'ok',
    }),
  },
  {
    name: 'ServiceAccount.apiKeys',
    prepare: async () => ({
      query: '{ team(organization: "acme", name: "core") { serviceAccounts { nodes { apiKeys { totalCount } } } } }',
      variables: {},
    }),
    expected: grid({
      instanceAdmin: 'ok',
      orgAdmin: 'ok',
      teamAdmin: 'ok',
      otherOrgAdmin: 'absent',
      deactivated: 'absent',
      ...SERVICE_ACCOUNTS_FORBIDDEN,
      otherTeamService: 'absent',
      rest: 'FORBIDDEN',
    }),
  },
  {
    name: 'Organization.invitations',
    prepare: async () => ({ query: '{ organization(name: "acme") { invitations { totalCount } } }', variables: {} }),
    expected: ORG_ADMINS_READ,
  },
  {
    name: 'Organization.auditLog',
    prepare: async () => ({
      query: '{ organization(name: "acme") { auditLog(first: 1) { totalCount } } }',
      variables: {},
    }),
    expected: ORG_ADMINS_READ,
  },
  // Issue 13 (audit log, team usage).
  {
    name: 'revokeSessions',
    prepare: async () => ({
      query: 'mutation { revokeSessions(input: { keepCurrent: true }) { revokedCount } }',
      variables: {},
    }),
    expected: EVERYONE_SIGNED_IN,
  },
  {
    name: 'revokeSessions (another user’s)',
    prepare: async () => ({
      query: 'mutation { revokeSessions(input: { user: "duo" }) { revokedCount } }',
      variables: {},
    }),
    expected: grid({ instanceAdmin: 'ok', ...SERVICE_ACCOUNTS_FORBIDDEN, rest: 'FORBIDDEN' }),
  },
  {
    name: 'Query.auditLog',
    prepare: async () => ({ query: '{ auditLog(first: 1) { totalCount } }', variables: {} }),
    expected: grid({ instanceAdmin: 'ok', ...SERVICE_ACCOUNTS_FORBIDDEN, rest: 'FORBIDDEN' }),
  },
  {
    name: 'Query.auditLog (one organization)',
    prepare: async () => ({ query: '{ auditLog(first: 1, organization: "acme") { totalCount } }', variables: {} }),
    expected: grid({ instanceAdmin: 'ok', ...SERVICE_ACCOUNTS_FORBIDDEN, rest: 'FORBIDDEN' }),
  },
  {
    name: 'Team.usage',
    prepare: async () => ({
      query: '{ team(organization: "acme", name: "core") { usage { projects runs reports } } }',
      variables: {},
    }),
    revealed: (d) => d.team.usage !== null,
    expected: grid({
      otherTeamService: 'absent',
      serviceAccount: 'hidden',
      serviceForNonMember: 'hidden',
      orgServiceAccount: 'hidden',
      orgMember: 'hidden',
      orgViewer: 'hidden',
      otherOrgAdmin: 'absent',
      deactivated: 'absent',
      rest: 'ok',
    }),
  },
  {
    name: 'Team.warnings (a team with a single team admin)',
    prepare: async () => {
      if (!singleAdminTeam) {
        singleAdminTeam = await freshTeam();
        // The creator (the root admin) leaves: "ta" is the team's only admin.
        await must('mutation($i: LeaveTeamInput!) { leaveTeam(input: $i) { removedTeamMemberId } }', {
          i: { organization: 'acme', team: singleAdminTeam },
        });
      }
      return {
        query: 'query($t: String!) { team(organization: "acme", name: $t) { warnings { code } } }',
        variables: { t: singleAdminTeam },
      };
    },
    revealed: (d) => d.team.warnings.length > 0,
    expected: grid({
      otherTeamService: 'absent',
      serviceAccount: 'absent',
      serviceForNonMember: 'absent',
      orgServiceAccount: 'hidden',
      orgMember: 'hidden',
      orgViewer: 'hidden',
      teamMember: 'hidden',
      teamViewOnly: 'hidden',
      // "Power" adds member:manage.
      customWith: 'ok',
      customWithout: 'hidden',
      otherOrgAdmin: 'absent',
      deactivated: 'absent',
      rest: 'ok',
    }),
  },
  // Usage (issue 13): org admins (usage:read) and instance admins; a member sees their own activity summary only.
  {
    name: 'Organization.activeUsers',
    prepare: async () => ({
      query: '{ organization(name: "acme") { activeUsers(range: LAST_7_DAYS, granularity: DAY) { activeUsers } } }',
      variables: {},
    }),
    expected: ORG_ADMINS_READ,
  },
  {
    name: 'Organization.usage',
    prepare: async () => ({
      query: '{ organization(name: "acme") { usage { members seatsUsed activeUsersLast30Days } } }',
      variables: {},
    }),
    expected: ORG_ADMINS_READ,
  },
  {
    name: 'OrganizationMember.activity (of others)',
    prepare: async () => ({
      query: '{ organization(name: "acme") { members(first: 100) { nodes { activity { runsCreated } } } } }',
      variables: {},
    }),
    // Everyone sees their own row's summary: more than one is someone else's.
    revealed: (d) => d.organization.members.nodes.filter((n: { activity: unknown }) => n.activity !== null).length > 1,
    expected: grid({
      ...SERVICE_ACCOUNTS_FORBIDDEN,
      instanceAdmin: 'ok',
      orgAdmin: 'ok',
      otherOrgAdmin: 'absent',
      deactivated: 'absent',
      rest: 'hidden',
    }),
  },
  {
    name: 'Instance.usage',
    prepare: async () => ({
      query: '{ instance { usage { organizationCount activeUsers(range: LAST_30_DAYS) { activeUsers } } } }',
      variables: {},
    }),
    expected: grid({ instanceAdmin: 'ok', rest: 'FORBIDDEN' }),
  },
  {
    name: 'Organization.members (emails, pending and deactivated rows)',
    prepare: async () => ({
      query: '{ organization(name: "acme") { members(first: 100) { nodes { email status } } } }',
      variables: {},
    }),
    revealed: (d) =>
      d.organization.members.nodes.some(
        (n: { email: string | null; status: string }) => n.email !== null || n.status !== 'ACTIVE',
      ),
    expected: grid({
      ...SERVICE_ACCOUNTS_FORBIDDEN,
      instanceAdmin: 'ok',
      orgAdmin: 'ok',
      otherOrgAdmin: 'absent',
      deactivated: 'absent',
      rest: 'hidden',
    }),
  },
  {
    name: 'Team.members',
    prepare: async () => ({
      query: '{ team(organization: "acme", name: "core") { members { totalCount } } }',
      variables: {},
    }),
    expected: grid({
      ...SERVICE_ACCOUNTS_FORBIDDEN,
      otherTeamService: 'absent',
      orgMember: 'FORBIDDEN',
      orgViewer: 'FORBIDDEN',
      otherOrgAdmin: 'absent',
      deactivated: 'absent',
      rest: 'ok',
    }),
  },
  {
    name: 'TeamMember.managedByIdp (SSO group sync), through team members',
    prepare: async () => ({
      query: '{ team(organization: "acme", name: "core") { members { nodes { managedByIdp } } } }',
      variables: {},
    }),
    expected: grid({
      ...SERVICE_ACCOUNTS_FORBIDDEN,
      otherTeamService: 'absent',
      orgMember: 'FORBIDDEN',
      orgViewer: 'FORBIDDEN',
      otherOrgAdmin: 'absent',
      deactivated: 'absent',
      rest: 'ok',
    }),
  },
  {
    name: 'Team.projects (private)',
    prepare: async () => ({
      query: '{ team(organization: "acme", name: "core") { projects(first: 100) { nodes { name } } } }',
      variables: {},
    }),
    revealed: (d) => d.team.projects.nodes.some((n: { name: string }) => n.name === 'matrix'),
    expected: grid({
      otherTeamService: 'absent',
      orgMember: 'hidden',
      orgViewer: 'hidden',
      otherOrgAdmin: 'absent',
      deactivated: 'absent',
      rest: 'ok',
    }),
  },
  // Nested paths across organizations (test/nested-visibility.test.ts has the detailed cases): "duo" is in acme
  // and beta, with beta as default organization, a member of team core and the author of core's "duo-proj".
  {
    name: 'User.defaultOrganization and User.memberships (a user in both organizations, through acme members)',
    prepare: async () => ({
      query:
        '{ organization(name: "acme") { members(first: 50) { nodes { user { username defaultOrganization { name } ' +
        'memberships { nodes { organization { name } } } } } } } }',
      variables: {},
    }),
    revealed: (d) => d.organization.members.nodes.some((n: { user: NestedUser | null }) => revealsBeta(n.user)),
    expected: grid({
      ...SERVICE_ACCOUNTS_FORBIDDEN,
      instanceAdmin: 'ok',
      otherOrgAdmin: 'absent',
      deactivated: 'absent',
      rest: 'hidden',
    }),
  },
  {
    name: 'User.memberships (a user in both organizations, through beta members)',
    prepare: async () => ({
      query:
        '{ organization(name: "beta") { members(first: 50) { nodes { user { username memberships { nodes { ' +
        'organization { name } } } } } } } }',
      variables: {},
    }),
    revealed: (d) =>
      d.organization.members.nodes.some((n: { user: NestedUser | null }) =>
        (n.user?.memberships?.nodes ?? []).some((m) => m.organization.name === 'acme'),
      ),
    expected: grid({ instanceAdmin: 'ok', otherOrgAdmin: 'hidden', rest: 'absent' }),
  },
  {
    name: 'TeamMember.user.defaultOrganization',
    prepare: async () => ({
      query:
        '{ team(organization: "acme", name: "core") { members(first: 50) { nodes { user { username ' +
        'defaultOrganization { name } } } } } }',
      variables: {},
    }),
    revealed: (d) => d.team.members.nodes.some((n: { user: NestedUser }) => revealsBeta(n.user)),
    expected: grid({
      ...SERVICE_ACCOUNTS_FORBIDDEN,
      otherTeamService: 'absent',
      instanceAdmin: 'ok',
      orgMember: 'FORBIDDEN',
      orgViewer: 'FORBIDDEN',
      otherOrgAdmin: 'absent',
      deactivated: 'absent',
      rest: 'hidden',
    }),
  },
  {
    name: 'Project.createdBy.defaultOrganization',
    prepare: async () => ({
      query:
        '{ team(organization: "acme", name: "core") { project(name: "duo-proj") { createdBy { username ' +
        'defaultOrganization { name } } } } }',
      variables: {},
    }),
    revealed: (d) => revealsBeta(d.team.project.createdBy),
    expected: grid({
      otherTeamService: 'absent',
      instanceAdmin: 'ok',
      orgMember: 'absent',
      orgViewer: 'absent',
      otherOrgAdmin: 'absent',
      deactivated: 'absent',
      rest: 'hidden',
    }),
  },
  // Instance settings and instance admins (issue 12, item 5): instance admins only; service accounts never.
  ...INSTANCE_SETTINGS_ROWS(),
  {
    name: 'Instance.settings',
    prepare: async () => ({ query: '{ instance { settings { publicUrl } } }', variables: {} }),
    revealed: (d) => d.instance.settings !== null,
    expected: grid({ anonymous: 'hidden', instanceAdmin: 'ok', rest: 'hidden' }),
  },
  {
    name: 'Viewer.apiKeys',
    prepare: async () => ({ query: '{ viewer { apiKeys { totalCount } } }', variables: {} }),
    revealed: (d) => d.viewer !== null,
    expected: grid({
      ...SERVICE_ACCOUNTS_FORBIDDEN,
      anonymous: 'hidden',
      rest: 'ok',
    }),
  },
];

describe('authorization matrix', () => {
  let idp: TestIdp | undefined;
  beforeAll(async () => {
    // One OIDC provider (a real one: beginOidcSignIn runs discovery), for the SSO rows.
    idp = await startIdp('http://127.0.0.1:1/auth/oidc/callback');
    const sso: SsoSettings = {
      providers: [idp.settings('corp')],
      provisioning: true,
      defaultRole: 'MEMBER',
      groupMappings: [],
      passwordSignIn: true,
    };
    // A secrets key, so the instance settings rows can store OIDC client secrets.
    ctx = await instanceWithAdmin({ SECRETS_KEY: 'a'.repeat(64) }, { ssoSettings: { current: async () => sso } });
    const actors: Partial<Record<Principal, Actor>> = {};
    const orgRoles: Partial<Record<Principal, OrgRole>> = {
      orgAdmin: OrgRole.ADMIN,
      orgViewer: OrgRole.VIEWER,
      deactivated: OrgRole.ADMIN,
    };
    for (const p of PRINCIPALS) {
      const username = USERNAMES[p];
      if (!username || p === 'otherOrgAdmin') continue;
      actors[p] = await addMember(
        ctx.t,
        p === 'instanceAdmin' ? null : ctx.org,
        username,
        orgRoles[p] ?? OrgRole.MEMBER,
        MemberStatus.ACTIVE,
        { instanceAdmin: p === 'instanceAdmin' },
      );
    }
    await addMember(ctx.t, ctx.org, 'loginuser', OrgRole.MEMBER, MemberStatus.ACTIVE, { password: 'login-password-1' });
    await must('mutation { createOrganization(input: { name: "beta" }) { organization { name } } }');
    const beta = await inviteByLink(ctx.url, root(), 'beta', 'bo@example.com', 'ADMIN');
    await q('mutation($i: AcceptInvitationInput!) { acceptInvitation(input: $i) { user { id } } }', {
      i: { token: beta.token, username: 'bo', name: 'Bo', password: 'bo-password-1' },
    });
    const duo = await addMember(ctx.t, ctx.org, 'duo', OrgRole.MEMBER);
    {
      const em = ctx.t.server.db.orm.em.fork();
      const beta = await em.findOneOrFail(Organization, { name: 'beta' });
      em.create(Membership, {
        organization: ref(beta),
        user: ref(em.getReference(User, duo.user.id)),
        role: OrgRole.MEMBER,
        status: MemberStatus.ACTIVE,
      });
      (await em.findOneOrFail(User, { id: duo.user.id })).defaultOrganization = ref(beta);
      await em.flush();
    }
    await must(
      'mutation { createCustomRole(input: { organization: "acme", name: "Power", inheritsFrom: MEMBER, permissions: ' +
        '[PROJECT_DELETE, RUN_DELETE, REPORT_DELETE, TEAM_UPDATE, TEAM_INVITE_MEMBER, MEMBER_MANAGE] }) { ' +
        'customRole { id } } }',
    );
    await must(
      'mutation { createCustomRole(input: { organization: "acme", name: "Reader", inheritsFrom: VIEW_ONLY, ' +
        'permissions: [ARTIFACT_MANAGE_ALIASES] }) { customRole { id } } }',
    );
    await must('mutation { createTeam(input: { organization: "acme", name: "core" }) { team { name } } }');
    for (const [user, role] of [
      ['ta', 'ADMIN'],
      ['tm', 'MEMBER'],
      ['tv', 'VIEW_ONLY'],
      ['cw', 'MEMBER'],
      ['cx', 'VIEW_ONLY'],
      ['dx', 'ADMIN'],
    ])
      await addToTeam('core', user!, role!);
    await assignCustom('core', 'cw', 'Power');
    await assignCustom('core', 'cx', 'Reader');
    await must(
      'mutation { createProject(input: { organization: "acme", team: "core", name: "matrix", visibility: PRIVATE }) ' +
        '{ project { name } } }',
    );
    await addToTeam('core', 'duo', 'MEMBER');
    await must(
      'mutation { createProject(input: { organization: "acme", team: "core", name: "duo-proj", visibility: PRIVATE ' +
        '}) { project { name } } }',
      {},
      duo.token,
    );
    await must('mutation { deactivateMember(input: { organization: "acme", user: "dx" }) { member { status } } }');
    const oaKey = await must(
      'mutation { createApiKey(input: { name: "to-revoke" }) { secret apiKey { id } } }',
      {},
      actors.orgAdmin!.token,
    );
    await must(
      'mutation($i: RevokeApiKeyInput!) { revokeApiKey(input: $i) { apiKey { id } } }',
      { i: { id: oaKey.createApiKey.apiKey.id } },
      actors.orgAdmin!.token,
    );

    await must('mutation { createTeam(input: { organization: "acme", name: "side" }) { team { name } } }');
    await must(
      'mutation { createProject(input: { organization: "acme", team: "core", name: "locked", visibility: RESTRICTED ' +
        '}) { project { name } } }',
      {},
      actors.teamAdmin!.token,
    );
    const serviceKey = async (team: string | null, name: string): Promise<{ id: string; secret: string }> => {
      const sa = await must(
        'mutation($i: CreateServiceAccountInput!) { createServiceAccount(input: $i) { serviceAccount { id } } }',
        { i: { organization: 'acme', team, name } },
      );
      const id = sa.createServiceAccount.serviceAccount.id as string;
      const key = await must(
        'mutation($i: CreateServiceAccountKeyInput!) { createServiceAccountKey(input: $i) { secret } }',
        { i: { serviceAccount: id, name: 'matrix' } },
      );
      return { id, secret: key.createServiceAccountKey.secret as string };
    };
    const coreService = await serviceKey('core', 'core-bot');
    const sideService = await serviceKey('side', 'side-bot');
    const disabledService = await serviceKey('core', 'paused-bot');
    const orgService = await serviceKey(null, 'fleet-bot');
    await must('mutation($i: DisableServiceAccountInput!) { disableServiceAccount(input: $i) { changed } }', {
      i: { id: disabledService.id },
    });
    const serviceSecrets: Partial<Record<Principal, string>> = {
      serviceAccount: coreService.secret,
      serviceForNonMember: coreService.secret,
      otherTeamService: sideService.secret,
      disabledService: disabledService.secret,
      orgServiceAccount: orgService.secret,
    };
    // A key's first request from an address writes api_key.used_from_new_address: make it now, so that no cell's
    // refusal is blamed for that event.
    for (const secret of Object.values(serviceSecrets)) await q('{ __typename }', {}, secret);

    // Every cell gets a fresh session, so cells (logOut included) cannot affect each other.
    for (const p of PRINCIPALS) {
      if (p === 'anonymous') tokens[p] = async () => undefined;
      else if (p === 'revokedKey') tokens[p] = async () => oaKey.createApiKey.secret as string;
      else if (serviceSecrets[p]) tokens[p] = async () => serviceSecrets[p];
      else {
        const username = USERNAMES[p]!;
        tokens[p] = async () => {
          const em = ctx.t.server.db.orm.em.fork();
          const user = await em.findOneOrFail(User, { username });
          const { token } = issueSession(em, user, 1, { clientAddress: null, userAgent: 'matrix' });
          await em.flush();
          return token;
        };
      }
    }
  });
  afterAll(async () => {
    await ctx?.t.close();
    await idp?.close();
  });

  it('has a row for every mutation in the emitted schema', () => {
    const sdl = fs.readFileSync(path.resolve(__dirname, '../../schema/schema.graphql'), 'utf8');
    const mutations = Object.keys(buildSchema(sdl).getMutationType()!.getFields()).sort();
    const rows = ROWS.map((r) => r.name)
      .filter((n) => !n.includes('.') && !n.includes(' ('))
      .sort();
    expect(rows, 'add a row to ROWS in test/authz-matrix.test.ts for each new mutation').toEqual(mutations);
  });

  for (const row of ROWS) {
    it(`${row.name}: ${PRINCIPALS.map((p) => `${p}=${row.expected[p]}`).join(' ')}`, async () => {
      const failures: string[] = [];
      for (const principal of PRINCIPALS) {
        const { query, variables } = await row.prepare(principal);
        const token = await tokens[principal]!();
        const expected = row.expected[principal];
        const before = expected === 'ok' || expected === 'hidden' ? null : await snapshot();
        const res = await gql(ctx.url, query, variables, token, HEADERS[principal]);
        const code = res.errors?.[0]?.extensions?.code as string | undefined;
        let actual: Outcome;
        if (code) actual = code;
        else if (lookupAbsent(res.data)) actual = 'absent';
        else if (row.revealed) actual = row.revealed(res.data as Record<string, unknown>) ? 'ok' : 'hidden';
        else actual = res.data ? 'ok' : 'NO_DATA';
        if (actual !== expected)
          failures.push(
            `${principal}: expected ${expected}, got ${actual}${res.errors ? ` (${res.errors[0]!.message})` : ''}`,
          );
        if (before !== null) {
          const after = await snapshot();
          if (after !== before) failures.push(`${principal}: refused with ${actual} but the database changed`);
        }
      }
      expect(failures).toEqual([]);
    });
  }
});
