/**
 * Team service accounts (issue 11): a principal of its own kind with its own keys. Through GraphQL against the
 * database: who may manage them, what their keys may do, lifecycle (rename, disable, enable, delete), key rotation
 * with a grace period, audit, and that secrets are never stored.
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
import { hashSecret } from '../src/auth/secrets';
import { OrgRole } from '../src/authz/roles';

const CREATE_SA =
  'mutation($i: CreateServiceAccountInput!) { createServiceAccount(input: $i) { serviceAccount { id name ' +
  'description status disabledAt team { name } } } }';
const CREATE_KEY =
  'mutation($i: CreateServiceAccountKeyInput!) { createServiceAccountKey(input: $i) { secret apiKey { id name ' +
  'lastFour status expiresAt } } }';
const ROTATE =
  'mutation($i: RotateApiKeyInput!) { rotateApiKey(input: $i) { secret apiKey { id name status expiresAt } ' +
  'previousApiKey { id status rotatedAt expiresAt } } }';
const REVOKE = 'mutation($i: RevokeApiKeyInput!) { revokeApiKey(input: $i) { changed apiKey { id status } } }';
const KEYS =
  '{ team(organization: "acme", name: "ml") { serviceAccounts { totalCount nodes { id name ' +
  'status apiKeys(includeInactive: true) { totalCount nodes { id lastFour status rotatedAt } } } } } }';
const WHO = '{ viewer { kind authenticatedWith user { username } serviceAccount { name team { name } } } }';
const LOG_RUN =
  'mutation($i: LogRunInput!) { logRun(input: $i) { run { id name createdBy { username } createdByUsername ' +
  'loggedBy { id name } loggedByName } } }';

describe('service accounts', () => {
  let ctx: InstanceWithAdmin;
  let teamAdmin: Actor;
  let teamMember: Actor;
  let orgMember: Actor;
  const root = () => ctx.admin.token;
  // biome-ignore lint/suspicious/noExplicitAny: a response's shape is the query's; each test reads what it asked for.
  const must = async <T = Record<string, any>>(query: string, variables: Record<string, unknown>, token: string) => {
    const res = await gql<T>(ctx.url, query, variables, token);
    if (!res.data || res.errors) throw new Error(`failed: ${query.slice(0, 50)} ${JSON.stringify(res.errors)}`);
    return res.data;
  };
  const createSa = (name: string, token = teamAdmin.token, team: string | null = 'ml') =>
    gql(ctx.url, CREATE_SA, { i: { organization: 'acme', team, name, description: 'nightly training' } }, token);
  const createKey = async (serviceAccount: string, token = teamAdmin.token) =>
    (await must(CREATE_KEY, { i: { serviceAccount, name: 'ci' } }, token)).createServiceAccountKey as {
      secret: string;
      apiKey: { id: string; lastFour: string; status: string };
    };

  beforeAll(async () => {
    ctx = await instanceWithAdmin();
    teamAdmin = await addMember(ctx.t, ctx.org, 'tara');
    teamMember = await addMember(ctx.t, ctx.org, 'tim');
    orgMember = await addMember(ctx.t, ctx.org, 'olga');
    await must('mutation { createTeam(input: { organization: "acme", name: "ml" }) { team { name } } }', {}, root());
    await must('mutation { createTeam(input: { organization: "acme", name: "other" }) { team { name } } }', {}, root());
    for (const [user, role] of [
      ['tara', 'ADMIN'],
      ['tim', 'MEMBER'],
    ])
      await must(
        'mutation($i: AddTeamMemberInput!) { addTeamMember(input: $i) { member { role } } }',
        { i: { organization: 'acme', team: 'ml', user, role } },
        root(),
      );
    for (const team of ['ml', 'other'])
      await must(
        'mutation($i: CreateProjectInput!) { createProject(input: $i) { project { name } } }',
        { i: { organization: 'acme', team, name: 'train', visibility: 'PRIVATE' } },
        root(),
      );
  });
  afterAll(() => ctx?.t.close());

  it('are created by team admins in their team; refused to others and for bad input', async () => {
    const ok = await createSa('trainer');
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.createServiceAccount.serviceAccount).toMatchObject({
      name: 'trainer',
      description: 'nightly training',
      status: 'ACTIVE',
      disabledAt: null,
      team: { name: 'ml' },
    });
    expect(codeOf(await createSa('by-member', teamMember.token))).toBe('FORBIDDEN');
    expect(codeOf(await createSa('by-outsider', orgMember.token))).toBe('FORBIDDEN');
    expect(codeOf(await createSa('trainer'))).toBe('CONFLICT');
    expect(codeOf(await createSa('Trainer'))).toBe('CONFLICT');
    const bad = await createSa('no spaces allowed');
    expect(codeOf(bad)).toBe('BAD_USER_INPUT');
    expect(bad.errors![0]!.extensions!.field).toBe('name');
    // Without a team it is an organization service account: org admins only (test/org-service-accounts.test.ts).
    expect(codeOf(await createSa('org-wide', teamAdmin.token, null))).toBe('FORBIDDEN');
    // Org admins manage every team's service accounts.
    expect((await createSa('by-org-admin', root())).errors).toBeUndefined();
  });

  it('are not people: no member row, no seat, not in the members view, only in their team list', async () => {
    const before = await must(
      '{ organization(name: "acme") { seats { used } members(first: 100) { totalCount } } }',
      {},
      root(),
    );
    await createSa('seatless');
    const after = await must(
      '{ organization(name: "acme") { seats { used } members(first: 100) { totalCount nodes { username } } } }',
      {},
      root(),
    );
    expect(after.organization.seats.used).toBe(before.organization.seats.used);
    expect(after.organization.members.totalCount).toBe(before.organization.members.totalCount);
    const team = await must(
      '{ team(organization: "acme", name: "ml") { members { nodes { user { username } } } } }',
      {},
      root(),
    );
    expect(JSON.stringify(team)).not.toContain('seatless');
    const list = await must(
      '{ team(organization: "acme", name: "ml") { serviceAccounts { nodes { name } } } }',
      {},
      teamMember.token,
    );
    expect(list.team.serviceAccounts.nodes.map((n: { name: string }) => n.name)).toContain('seatless');
    // An org member outside the team does not see the team's member-level lists.
    const outsider = await gql(
      ctx.url,
      '{ team(organization: "acme", name: "ml") { serviceAccounts { totalCount } } }',
      {},
      orgMember.token,
    );
    expect(codeOf(outsider)).toBe('FORBIDDEN');
  });

  it('get keys shown once and stored hashed; team admins see key metadata, members and outsiders do not', async () => {
    const sa = (await createSa('keyed')).data!.createServiceAccount.serviceAccount;
    const { secret, apiKey } = await createKey(sa.id);
    expect(secret).toMatch(/^rsk_/);
    expect(apiKey.lastFour).toBe(secret.slice(-4));
    const db = ctx.t.server.db.orm.em.fork().getConnection();
    const rows: Array<Record<string, unknown>> = await db.execute('select * from api_keys where id = ?', [apiKey.id]);
    expect(JSON.stringify(rows)).not.toContain(secret.slice(4, -6));
    expect(rows[0]!.key_hash).toBe(hashSecret(secret));
    expect(rows[0]!.user_id).toBeNull();
    expect(JSON.stringify(await db.execute('select * from audit_events'))).not.toContain(secret.slice(4, -6));

    const seen = await must(KEYS, {}, teamAdmin.token);
    const mine = seen.team.serviceAccounts.nodes.find((n: { id: string }) => n.id === sa.id);
    expect(mine.apiKeys.nodes).toEqual([
      { id: apiKey.id, lastFour: apiKey.lastFour, status: 'ACTIVE', rotatedAt: null },
    ]);
    expect(JSON.stringify(seen)).not.toContain(secret);
    expect(codeOf(await gql(ctx.url, KEYS, {}, teamMember.token))).toBe('FORBIDDEN');
    expect(codeOf(await gql(ctx.url, KEYS, {}, orgMember.token))).toBe('FORBIDDEN');
    // Nor may they create keys for it, or revoke its key (reported as missing).
    expect(codeOf(await gql(ctx.url, CREATE_KEY, { i: { serviceAccount: sa.id, name: 'x' } }, teamMember.token))).toBe(
      'FORBIDDEN',
    );
    expect(codeOf(await gql(ctx.url, REVOKE, { i: { id: apiKey.id } }, orgMember.token))).toBe('NOT_FOUND');
    // A key beyond the organization's longest lifetime is refused.
    await must(
      'mutation { updateOrganization(input: { organization: "acme", settings: { apiKeyMaxLifetimeDays: 30 } }) { ' +
        'organization { name } } }',
      {},
      root(),
    );
    const tooLong = await gql(
      ctx.url,
      CREATE_KEY,
      { i: { serviceAccount: sa.id, name: 'long', expiresAt: new Date(Date.now() + 40 * 86_400_000).toISOString() } },
      teamAdmin.token,
    );
    expect(codeOf(tooLong)).toBe('BAD_USER_INPUT');
  });

  it('authenticate as a service account with the SERVICE role in their own team only', async () => {
    const sa = (await createSa('worker')).data!.createServiceAccount.serviceAccount;
    const { secret } = await createKey(sa.id);
    expect((await must(WHO, {}, secret)).viewer).toEqual({
      kind: 'SERVICE_ACCOUNT',
      authenticatedWith: 'API_KEY',
      user: null,
      serviceAccount: { name: 'worker', team: { name: 'ml' } },
    });
    const run = await must(LOG_RUN, { i: { organization: 'acme', team: 'ml', project: 'train' } }, secret);
    expect(run.logRun.run).toMatchObject({
      createdBy: null,
      createdByUsername: 'worker',
      loggedBy: { id: sa.id, name: 'worker' },
      loggedByName: 'worker',
    });
    // Private reads of its own team work; the other team is invisible; people's acts are refused.
    const projects = await must(
      '{ team(organization: "acme", name: "ml") { projects { nodes { name } } } }',
      {},
      secret,
    );
    expect(projects.team.projects.nodes).toEqual([{ name: 'train' }]);
    const other = await gql(ctx.url, LOG_RUN, { i: { organization: 'acme', team: 'other', project: 'train' } }, secret);
    expect(codeOf(other)).toBe('NOT_FOUND');
    expect((await must('{ team(organization: "acme", name: "other") { name } }', {}, secret)).team).toBeNull();
    for (const query of [
      'mutation { createApiKey(input: { name: "self" }) { secret } }',
      'mutation { addTeamMember(input: { organization: "acme", team: "ml", user: "olga" }) { member { role } } }',
      'mutation { updateTeam(input: { organization: "acme", team: "ml", settings: { hidden: true } ' +
        '}) { team { name } } }',
      'mutation { createServiceAccount(input: { organization: "acme", team: "ml", name: "spawn" }) { ' +
        'serviceAccount { id } } }',
      'mutation { logIn(input: { login: "tara", password: "whatever-1" }) { token } }',
    ]) {
      expect(codeOf(await gql(ctx.url, query, {}, secret)), query).toBe('FORBIDDEN');
    }
    expect(
      codeOf(await gql(ctx.url, '{ team(organization: "acme", name: "ml") { members { totalCount } } }', {}, secret)),
    ).toBe('FORBIDDEN');
    expect(
      codeOf(await gql(ctx.url, '{ organization(name: "acme") { members(first: 5) { totalCount } } }', {}, secret)),
    ).toBe('FORBIDDEN');
  });

  it('disabled: its key fails at once with SERVICE_ACCOUNT_DISABLED; enabled again it works', async () => {
    const sa = (await createSa('pausable')).data!.createServiceAccount.serviceAccount;
    const { secret } = await createKey(sa.id);
    expect((await must(WHO, {}, secret)).viewer.kind).toBe('SERVICE_ACCOUNT');
    const disable =
      'mutation($i: DisableServiceAccountInput!) { disableServiceAccount(input: $i) { changed ' +
      'serviceAccount { status disabledAt } } }';
    const enable =
      'mutation($i: EnableServiceAccountInput!) { enableServiceAccount(input: $i) { changed ' +
      'serviceAccount { status } } }';
    expect(codeOf(await gql(ctx.url, disable, { i: { id: sa.id } }, teamMember.token))).toBe('FORBIDDEN');
    expect(codeOf(await gql(ctx.url, disable, { i: { id: sa.id } }, secret))).toBe('FORBIDDEN');
    const off = await must(disable, { i: { id: sa.id } }, teamAdmin.token);
    expect(off.disableServiceAccount).toMatchObject({ changed: true, serviceAccount: { status: 'DISABLED' } });
    expect((await must(disable, { i: { id: sa.id } }, teamAdmin.token)).disableServiceAccount.changed).toBe(false);
    const refused = await gql(ctx.url, WHO, {}, secret);
    expect(codeOf(refused)).toBe('SERVICE_ACCOUNT_DISABLED');
    expect(refused.errors![0]!.message).toContain('pausable');
    const on = await must(enable, { i: { id: sa.id } }, teamAdmin.token);
    expect(on.enableServiceAccount).toEqual({ changed: true, serviceAccount: { status: 'ACTIVE' } });
    expect((await must(WHO, {}, secret)).viewer.kind).toBe('SERVICE_ACCOUNT');
  });

  it('rotation keeps both keys working for the grace period, then only the new one', async () => {
    const sa = (await createSa('rotating')).data!.createServiceAccount.serviceAccount;
    const first = await createKey(sa.id);
    const tooLong = await gql(ctx.url, ROTATE, { i: { id: first.apiKey.id, graceHours: 169 } }, teamAdmin.token);
    expect(codeOf(tooLong)).toBe('BAD_USER_INPUT');
    expect(codeOf(await gql(ctx.url, ROTATE, { i: { id: first.apiKey.id } }, teamMember.token))).toBe('NOT_FOUND');
    const rotated = (await must(ROTATE, { i: { id: first.apiKey.id, graceHours: 2 } }, teamAdmin.token)).rotateApiKey;
    expect(rotated.secret).not.toBe(first.secret);
    expect(rotated.apiKey).toMatchObject({ name: 'ci', status: 'ACTIVE' });
    expect(rotated.previousApiKey.status).toBe('ACTIVE');
    expect(rotated.previousApiKey.rotatedAt).not.toBeNull();
    const graceEnds = new Date(rotated.previousApiKey.expiresAt).getTime();
    expect(Math.abs(graceEnds - (Date.now() + 2 * 3_600_000))).toBeLessThan(60_000);
    // Both work meanwhile, and both are listed.
    expect((await must(WHO, {}, first.secret)).viewer.kind).toBe('SERVICE_ACCOUNT');
    expect((await must(WHO, {}, rotated.secret)).viewer.kind).toBe('SERVICE_ACCOUNT');
    const listed = await must(KEYS, {}, teamAdmin.token);
    const node = listed.team.serviceAccounts.nodes.find((n: { id: string }) => n.id === sa.id);
    expect(node.apiKeys.nodes.map((k: { status: string }) => k.status)).toEqual(['ACTIVE', 'ACTIVE']);
    // Rotating the old key again is refused: it already has a replacement.
    expect(codeOf(await gql(ctx.url, ROTATE, { i: { id: first.apiKey.id } }, teamAdmin.token))).toBe('CONFLICT');
    // With no grace, the old key stops at once.
    const again = (await must(ROTATE, { i: { id: rotated.apiKey.id, graceHours: 0 } }, teamAdmin.token)).rotateApiKey;
    expect(again.previousApiKey.status).toBe('EXPIRED');
    expect(codeOf(await gql(ctx.url, WHO, {}, rotated.secret))).toBe('UNAUTHENTICATED');
    expect((await must(WHO, {}, again.secret)).viewer.kind).toBe('SERVICE_ACCOUNT');
    // Personal keys rotate the same way, by their owner only.
    const personal = (
      await must('mutation { createApiKey(input: { name: "laptop" }) { apiKey { id } } }', {}, orgMember.token)
    ).createApiKey.apiKey;
    expect(codeOf(await gql(ctx.url, ROTATE, { i: { id: personal.id } }, teamAdmin.token))).toBe('NOT_FOUND');
    expect((await must(ROTATE, { i: { id: personal.id } }, orgMember.token)).rotateApiKey.apiKey.status).toBe('ACTIVE');
  });

  it('revoked keys stop at once; rename; delete revokes its keys and keeps its runs attributed', async () => {
    const sa = (await createSa('doomed')).data!.createServiceAccount.serviceAccount;
    const a = await createKey(sa.id);
    const b = await createKey(sa.id);
    const revoked = await must(REVOKE, { i: { id: a.apiKey.id } }, teamAdmin.token);
    expect(revoked.revokeApiKey).toEqual({ changed: true, apiKey: { id: a.apiKey.id, status: 'REVOKED' } });
    expect(codeOf(await gql(ctx.url, WHO, {}, a.secret))).toBe('UNAUTHENTICATED');

    const update =
      'mutation($i: UpdateServiceAccountInput!) { updateServiceAccount(input: $i) { changed ' +
      'serviceAccount { name description } } }';
    const renamed = await must(update, { i: { id: sa.id, name: 'renamed' } }, teamAdmin.token);
    expect(renamed.updateServiceAccount).toEqual({
      changed: true,
      serviceAccount: { name: 'renamed', description: 'nightly training' },
    });
    expect(codeOf(await gql(ctx.url, update, { i: { id: sa.id, name: 'worker' } }, teamAdmin.token))).toBe('CONFLICT');
    expect(codeOf(await gql(ctx.url, update, { i: { id: sa.id, name: 'xy' } }, teamMember.token))).toBe('FORBIDDEN');

    const run = await must(LOG_RUN, { i: { organization: 'acme', team: 'ml', project: 'train' } }, b.secret);
    const del =
      'mutation($i: DeleteServiceAccountInput!) { deleteServiceAccount(input: $i) { ' +
      'deletedServiceAccountId keysRevoked team { name } } }';
    expect(codeOf(await gql(ctx.url, del, { i: { id: sa.id } }, teamMember.token))).toBe('FORBIDDEN');
    const deleted = await must(del, { i: { id: sa.id } }, teamAdmin.token);
    expect(deleted.deleteServiceAccount).toEqual({
      deletedServiceAccountId: sa.id,
      keysRevoked: 1,
      team: { name: 'ml' },
    });
    expect(codeOf(await gql(ctx.url, WHO, {}, b.secret))).toBe('UNAUTHENTICATED');
    expect(codeOf(await gql(ctx.url, del, { i: { id: sa.id } }, teamAdmin.token))).toBe('NOT_FOUND');
    const runs = await must(
      '{ team(organization: "acme", name: "ml") { project(name: "train") { runs(first: 100) { nodes ' +
        '{ id loggedBy { id } loggedByName createdByUsername } } } } }',
      {},
      teamAdmin.token,
    );
    const kept = runs.team.project.runs.nodes.find((r: { id: string }) => r.id === run.logRun.run.id);
    expect(kept).toEqual({
      id: run.logRun.run.id,
      loggedBy: null,
      loggedByName: 'renamed',
      createdByUsername: 'renamed',
    });
  });

  it('deleting the team stops its service accounts’ keys', async () => {
    await must('mutation { createTeam(input: { organization: "acme", name: "brief" }) { team { name } } }', {}, root());
    const sa = (await createSa('shortlived', root(), 'brief')).data!.createServiceAccount.serviceAccount;
    const { secret } = await createKey(sa.id, root());
    expect((await must(WHO, {}, secret)).viewer.kind).toBe('SERVICE_ACCOUNT');
    await must(
      'mutation { deleteTeam(input: { organization: "acme", team: "brief", confirmName: "brief" }) { deletedTeamId } }',
      {},
      root(),
    );
    expect(codeOf(await gql(ctx.url, WHO, {}, secret))).toBe('UNAUTHENTICATED');
  });

  it('audits every change with its actor, and the first use of an expired key once', async () => {
    const sa = (await createSa('audited')).data!.createServiceAccount.serviceAccount;
    const key = await createKey(sa.id);
    await must(ROTATE, { i: { id: key.apiKey.id, graceHours: 0 } }, teamAdmin.token);
    // The rotated key is now past its expiry: two requests with it, one event.
    await gql(ctx.url, WHO, {}, key.secret);
    await gql(ctx.url, WHO, {}, key.secret);
    const ids = { i: { id: sa.id } };
    await must(
      'mutation($i: UpdateServiceAccountInput!) { updateServiceAccount(input: $i) { changed } }',
      { i: { id: sa.id, name: 'audited2' } },
      teamAdmin.token,
    );
    await must(
      'mutation($i: DisableServiceAccountInput!) { disableServiceAccount(input: $i) { changed } }',
      ids,
      teamAdmin.token,
    );
    await must(
      'mutation($i: EnableServiceAccountInput!) { enableServiceAccount(input: $i) { changed } }',
      ids,
      teamAdmin.token,
    );
    await must(
      'mutation($i: DeleteServiceAccountInput!) { deleteServiceAccount(input: $i) { keysRevoked } }',
      ids,
      teamAdmin.token,
    );
    const log = await must(
      '{ organization(name: "acme") { auditLog(first: 100) { nodes { action actor { type label } ' +
        'target { type id label } } } } }',
      {},
      root(),
    );
    type Event = { action: string; actor: { type: string; label: string }; target: { type: string; id: string } };
    const events = (log.organization.auditLog.nodes as Event[]).filter(
      (e) => e.target?.id === sa.id || e.target?.type === 'api_key',
    );
    const about = (action: string) => events.filter((e) => e.action === action);
    for (const action of [
      'SERVICE_ACCOUNT_CREATED',
      'SERVICE_ACCOUNT_RENAMED',
      'SERVICE_ACCOUNT_DISABLED',
      'SERVICE_ACCOUNT_ENABLED',
      'SERVICE_ACCOUNT_DELETED',
    ]) {
      expect(
        about(action).filter((e) => e.target.id === sa.id),
        action,
      ).toHaveLength(1);
      expect(about(action).find((e) => e.target.id === sa.id)!.actor).toEqual({ type: 'user', label: 'tara' });
    }
    expect(about('API_KEY_CREATED').some((e) => e.target.id === key.apiKey.id)).toBe(true);
    expect(about('API_KEY_ROTATED').length).toBeGreaterThan(0);
    expect(about('API_KEY_REVOKED').length).toBeGreaterThan(0);
    const expired = about('API_KEY_EXPIRED_ON_USE').filter((e) => e.target.id === key.apiKey.id);
    expect(expired).toHaveLength(1);
    expect(expired[0]!.actor).toEqual({ type: 'service_account', label: 'audited' });
  });

  it('lists a team’s accounts with their keys in a bounded number of statements (no query per account)', async () => {
    await must('mutation { createTeam(input: { organization: "acme", name: "fleet" }) { team { name } } }', {}, root());
    for (let i = 0; i < 6; i++) {
      const sa = (await createSa(`bot-${i}`, root(), 'fleet')).data!.createServiceAccount.serviceAccount;
      await createKey(sa.id, root());
      await createKey(sa.id, root());
    }
    const query =
      '{ team(organization: "acme", name: "fleet") { serviceAccounts(first: 50) { nodes { name apiKeys(first: 1) { ' +
      'totalCount nodes { lastFour } pageInfo { hasNextPage } } } } } }';
    const { result, statements } = await countStatements(ctx.t, () => must(query, {}, root()));
    const nodes = result.team.serviceAccounts.nodes as Array<{
      apiKeys: { totalCount: number; nodes: unknown[]; pageInfo: { hasNextPage: boolean } };
    }>;
    expect(nodes).toHaveLength(6);
    for (const n of nodes) {
      expect(n.apiKeys.totalCount).toBe(2);
      expect(n.apiKeys.nodes).toHaveLength(1);
      expect(n.apiKeys.pageInfo.hasNextPage).toBe(true);
    }
    expect(statements.filter((q) => q.includes('"api_keys"')).length).toBe(2);
    expect(statements.length).toBeLessThanOrEqual(12);
  });

  it('an org viewer never manages service accounts even as a team admin row', async () => {
    const viewer = await addMember(ctx.t, ctx.org, 'vic', OrgRole.VIEWER);
    await must(
      'mutation($i: AddTeamMemberInput!) { addTeamMember(input: $i) { member { role } } }',
      { i: { organization: 'acme', team: 'ml', user: 'vic', role: 'VIEW_ONLY' } },
      root(),
    );
    expect(codeOf(await createSa('by-viewer', viewer.token))).toBe('FORBIDDEN');
  });
});
