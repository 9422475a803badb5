/**
 * API-key governance (issue 11, items 4 and 5), through GraphQL against the database: org admins see every key of
 * their organization (metadata only), and an organization decides whether its members may create personal keys and
 * whether personal keys reach it at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addMember,
  codeOf,
  countStatements,
  gql,
  instanceWithAdmin,
  type Actor,
  type InstanceWithAdmin,
} from './fixtures';
import { OrgRole } from '../src/authz/roles';

const KEYS =
  '{ organization(name: "acme") { apiKeys(first: 100, includeInactive: true) { totalCount nodes { name lastFour ' +
  'status user { username } serviceAccount { name } } } } }';
const SETTINGS = 'mutation($i: UpdateOrganizationInput!) { updateOrganization(input: $i) { organization { name } } }';
const CREATE_KEY = 'mutation($n: String!) { createApiKey(input: { name: $n }) { secret apiKey { id } } }';

describe('API-key governance', () => {
  let ctx: InstanceWithAdmin;
  let orgAdmin: Actor;
  let member: Actor;
  let teamAdmin: Actor;
  let stranger: Actor;
  let serviceSecret: string;
  const root = () => ctx.admin.token;
  const must = async (query: string, variables: Record<string, unknown> = {}, token = root()) => {
    const res = await gql(ctx.url, query, variables, token);
    if (!res.data || res.errors) throw new Error(`${query.slice(0, 60)}: ${JSON.stringify(res.errors)}`);
    return res.data;
  };
  const setting = (settings: Record<string, boolean>) =>
    must(SETTINGS, { i: { organization: 'acme', settings } }, orgAdmin.token);

  beforeAll(async () => {
    ctx = await instanceWithAdmin();
    orgAdmin = await addMember(ctx.t, ctx.org, 'oona', OrgRole.ADMIN);
    member = await addMember(ctx.t, ctx.org, 'mia');
    teamAdmin = await addMember(ctx.t, ctx.org, 'tara');
    stranger = await addMember(ctx.t, null, 'stan');
    await must('mutation { createTeam(input: { organization: "acme", name: "ml" }) { team { name } } }');
    await must(
      'mutation { addTeamMember(input: { organization: "acme", team: "ml", user: "tara", role: ADMIN }) { ' +
        'member { role } } }',
    );
    await must(
      'mutation { createProject(input: { organization: "acme", team: "ml", name: "train" }) { project { ' +
        'name } } }',
    );
    const sa = await must(
      'mutation { createServiceAccount(input: { organization: "acme", team: "ml", name: "bot" }) { serviceAccount { ' +
        'id } } }',
      {},
      teamAdmin.token,
    );
    serviceSecret = (
      await must(
        'mutation($i: CreateServiceAccountKeyInput!) { createServiceAccountKey(input: $i) { secret } }',
        { i: { serviceAccount: sa.createServiceAccount.serviceAccount.id, name: 'bot-key' } },
        teamAdmin.token,
      )
    ).createServiceAccountKey.secret;
  });
  afterAll(() => ctx?.t.close());

  it('Organization.apiKeys: org admins see every key of the organization, metadata only, bounded', async () => {
    const personal = await must(CREATE_KEY, { n: 'mia-laptop' }, member.token);
    await must(CREATE_KEY, { n: 'stan-own' }, stranger.token);
    const { result: seen, statements } = await countStatements(ctx.t, () => must(KEYS, {}, orgAdmin.token));
    const nodes = seen.organization.apiKeys.nodes as Array<{
      name: string;
      user: { username: string } | null;
      serviceAccount: { name: string } | null;
    }>;
    expect(nodes.find((k) => k.name === 'mia-laptop')).toMatchObject({
      user: { username: 'mia' },
      serviceAccount: null,
    });
    expect(nodes.find((k) => k.name === 'bot-key')).toMatchObject({ user: null, serviceAccount: { name: 'bot' } });
    // Someone outside the organization: not its key.
    expect(nodes.some((k) => k.name === 'stan-own')).toBe(false);
    expect(JSON.stringify(seen)).not.toContain(personal.createApiKey.secret);
    expect(JSON.stringify(seen)).not.toContain(serviceSecret);
    // The page and its count, the owners through the loaders: not a statement per key.
    expect(statements.length).toBeLessThanOrEqual(12);
    for (const token of [member.token, teamAdmin.token]) {
      expect(codeOf(await gql(ctx.url, KEYS, {}, token))).toBe('FORBIDDEN');
    }
    expect(codeOf(await gql(ctx.url, KEYS, {}, serviceSecret))).toBe('FORBIDDEN');
    expect((await must(KEYS, {}, stranger.token)).organization).toBeNull();
  });

  it('membersCanCreateApiKeys: false refuses members’ personal keys (and their rotation), not admins’', async () => {
    const kept = (await must(CREATE_KEY, { n: 'before' }, member.token)).createApiKey.apiKey.id;
    await setting({ membersCanCreateApiKeys: false });
    const refused = await gql(ctx.url, CREATE_KEY, { n: 'after' }, member.token);
    expect(codeOf(refused)).toBe('FORBIDDEN');
    expect(refused.errors![0]!.message).toContain('"acme"');
    const rotate = 'mutation($i: RotateApiKeyInput!) { rotateApiKey(input: $i) { secret } }';
    expect(codeOf(await gql(ctx.url, rotate, { i: { id: kept } }, member.token))).toBe('FORBIDDEN');
    expect((await gql(ctx.url, CREATE_KEY, { n: 'admin-key' }, orgAdmin.token)).errors).toBeUndefined();
    // Someone in no organization that refuses is not affected; service accounts' keys neither.
    expect((await gql(ctx.url, CREATE_KEY, { n: 'stan-2' }, stranger.token)).errors).toBeUndefined();
    await setting({ membersCanCreateApiKeys: true });
    expect((await gql(ctx.url, CREATE_KEY, { n: 'again' }, member.token)).errors).toBeUndefined();
  });

  it('personalApiKeysReachOrganization: false shuts personal keys out, not sessions or service accounts', async () => {
    const secret = (await must(CREATE_KEY, { n: 'automation' }, member.token)).createApiKey.secret;
    const lookup = '{ organization(name: "acme") { name } team(organization: "acme", name: "ml") { name } }';
    const logRun = 'mutation { logRun(input: { organization: "acme", team: "ml", project: "train" }) { run { id } } }';
    expect((await must(lookup, {}, secret)).organization).toEqual({ name: 'acme' });
    await setting({ personalApiKeysReachOrganization: false });
    expect((await must('{ organization(name: "acme") { name } }', {}, secret)).organization).toBeNull();
    // Lookups through the organization say why (the caller is a member and knows it exists).
    const team = await gql(ctx.url, '{ team(organization: "acme", name: "ml") { name } }', {}, secret);
    expect(codeOf(team)).toBe('FORBIDDEN');
    const refused = await gql(ctx.url, logRun, {}, secret);
    expect(codeOf(refused)).toBe('FORBIDDEN');
    expect(refused.errors![0]!.message).toContain('does not accept personal API keys');
    // The admin's own personal key too; an outsider's key still learns nothing.
    const adminKey = (await must(CREATE_KEY, { n: 'admin-auto' }, orgAdmin.token)).createApiKey.secret;
    expect((await must('{ organization(name: "acme") { name } }', {}, adminKey)).organization).toBeNull();
    const strangerKey = (await must(CREATE_KEY, { n: 'stan-3' }, stranger.token)).createApiKey.secret;
    expect(codeOf(await gql(ctx.url, logRun, {}, strangerKey))).toBe('NOT_FOUND');
    // Sessions and the service account's key still work; the key itself still authenticates (viewer).
    expect((await must(lookup, {}, member.token)).organization).toEqual({ name: 'acme' });
    expect((await gql(ctx.url, logRun, {}, serviceSecret)).errors).toBeUndefined();
    expect((await must('{ viewer { user { username } } }', {}, secret)).viewer.user.username).toBe('mia');
    await setting({ personalApiKeysReachOrganization: true });
    expect((await must(lookup, {}, secret)).organization).toEqual({ name: 'acme' });
    const settings = await must(
      '{ organization(name: "acme") { settings { membersCanCreateApiKeys personalApiKeysReachOrganization } } }',
      {},
      member.token,
    );
    expect(settings.organization.settings).toEqual({
      membersCanCreateApiKeys: true,
      personalApiKeysReachOrganization: true,
    });
  });
});
