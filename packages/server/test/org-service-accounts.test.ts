/**
 * Organization service accounts and RESTRICTED projects (issue 11, item 2), through GraphQL against the database:
 * an organization account, created by org admins only, reaches every team (hidden ones too) with the SERVICE role,
 * except RESTRICTED projects, which only those on the team reach (not org admins outside it either).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, codeOf, gql, instanceWithAdmin, type Actor, type InstanceWithAdmin } from './fixtures';
import { OrgRole } from '../src/authz/roles';

const CREATE_SA =
  'mutation($i: CreateServiceAccountInput!) { createServiceAccount(input: $i) { serviceAccount { id name team { ' +
  'name } organization { name } } } }';
const CREATE_KEY =
  'mutation($i: CreateServiceAccountKeyInput!) { createServiceAccountKey(input: $i) { secret apiKey { id } } }';
const logRun = (team: string, project: string) =>
  `mutation { logRun(input: { organization: "acme", team: "${team}", project: "${project}" }) { run { createdBy { ` +
  'username } loggedByName } } }';
const projectsOf = (team: string) =>
  `{ team(organization: "acme", name: "${team}") { projects(first: 100) { nodes { name } } reports(first: 100) { ` +
  'nodes { title } } secret: project(name: "secret") { name } } }';

describe('organization service accounts and RESTRICTED projects', () => {
  let ctx: InstanceWithAdmin;
  let orgAdmin: Actor;
  let teamAdmin: Actor;
  let member: Actor;
  let outsider: Actor;
  let orgSecret: string;
  let teamSecret: string;
  const root = () => ctx.admin.token;
  const must = async (query: string, variables: Record<string, unknown> = {}, token = root()) => {
    const res = await gql(ctx.url, query, variables, token);
    if (!res.data || res.errors) throw new Error(`${query.slice(0, 60)}: ${JSON.stringify(res.errors)}`);
    return res.data;
  };
  const names = (nodes: Array<{ name?: string; title?: string }>) => nodes.map((n) => n.name ?? n.title).sort();

  beforeAll(async () => {
    ctx = await instanceWithAdmin();
    orgAdmin = await addMember(ctx.t, ctx.org, 'oona', OrgRole.ADMIN);
    teamAdmin = await addMember(ctx.t, ctx.org, 'tara');
    member = await addMember(ctx.t, ctx.org, 'tim');
    outsider = await addMember(ctx.t, ctx.org, 'olga');
    for (const team of ['ml', 'vault']) {
      await must('mutation($i: CreateTeamInput!) { createTeam(input: $i) { team { name } } }', {
        i: { organization: 'acme', name: team },
      });
    }
    await must(
      'mutation { updateTeam(input: { organization: "acme", team: "vault", settings: { hidden: true } }) { ' +
        'team { name } } }',
    );
    for (const [user, role] of [
      ['tara', 'ADMIN'],
      ['tim', 'MEMBER'],
    ])
      await must('mutation($i: AddTeamMemberInput!) { addTeamMember(input: $i) { member { role } } }', {
        i: { organization: 'acme', team: 'ml', user, role },
      });
    for (const [name, visibility] of [
      ['open', 'PUBLIC'],
      ['private', 'PRIVATE'],
      ['secret', 'RESTRICTED'],
    ]) {
      await must('mutation($i: CreateProjectInput!) { createProject(input: $i) { project { visibility } } }', {
        i: { organization: 'acme', team: 'ml', name, visibility },
      });
      await must('mutation($i: CreateReportInput!) { createReport(input: $i) { report { title } } }', {
        i: { organization: 'acme', team: 'ml', title: `about ${name}`, project: name },
      });
    }
    await must('mutation($i: CreateProjectInput!) { createProject(input: $i) { project { visibility } } }', {
      i: { organization: 'acme', team: 'vault', name: 'hidden-work', visibility: 'PRIVATE' },
    });
    const teamSa = await must(CREATE_SA, { i: { organization: 'acme', team: 'ml', name: 'ml-bot' } }, teamAdmin.token);
    teamSecret = (
      await must(CREATE_KEY, { i: { serviceAccount: teamSa.createServiceAccount.serviceAccount.id, name: 'k' } })
    ).createServiceAccountKey.secret;
  });
  afterAll(() => ctx?.t.close());

  it('are created by org admins only, named uniquely in the organization, even concurrently', async () => {
    const input = { i: { organization: 'acme', name: 'fleet' } };
    expect(codeOf(await gql(ctx.url, CREATE_SA, input, teamAdmin.token))).toBe('FORBIDDEN');
    expect(codeOf(await gql(ctx.url, CREATE_SA, input, member.token))).toBe('FORBIDDEN');
    const created = await must(CREATE_SA, input, orgAdmin.token);
    expect(created.createServiceAccount.serviceAccount).toMatchObject({
      name: 'fleet',
      team: null,
      organization: { name: 'acme' },
    });
    expect(codeOf(await gql(ctx.url, CREATE_SA, input, root()))).toBe('CONFLICT');
    // A team account may share the name: the names are unique per team, and per organization among its own.
    expect((await gql(ctx.url, CREATE_SA, { i: { ...input.i, team: 'ml' } }, teamAdmin.token)).errors).toBeUndefined();
    const race = await Promise.all(
      [0, 1, 2].map(() => gql(ctx.url, CREATE_SA, { i: { organization: 'acme', name: 'racer' } }, orgAdmin.token)),
    );
    expect(race.map((r) => codeOf(r) ?? 'ok').sort()).toEqual(['CONFLICT', 'CONFLICT', 'ok']);

    const key = await must(
      CREATE_KEY,
      { i: { serviceAccount: created.createServiceAccount.serviceAccount.id, name: 'k' } },
      orgAdmin.token,
    );
    orgSecret = key.createServiceAccountKey.secret;
    // Team admins neither give it keys nor see them.
    expect(
      codeOf(
        await gql(
          ctx.url,
          CREATE_KEY,
          { i: { serviceAccount: created.createServiceAccount.serviceAccount.id, name: 'x' } },
          teamAdmin.token,
        ),
      ),
    ).toBe('FORBIDDEN');
  });

  it('are listed on the organization (not the teams’ accounts), for those who see its members', async () => {
    const list = await must(
      '{ organization(name: "acme") { serviceAccounts { nodes { name team { name } } } } }',
      {},
      member.token,
    );
    expect(names(list.organization.serviceAccounts.nodes)).toEqual(['fleet', 'racer']);
    const keys = '{ organization(name: "acme") { serviceAccounts { nodes { apiKeys { totalCount } } } } }';
    expect(codeOf(await gql(ctx.url, keys, {}, member.token))).toBe('FORBIDDEN');
    expect((await must(keys, {}, orgAdmin.token)).organization.serviceAccounts.nodes.length).toBe(2);
  });

  it('reach every team, hidden ones too, with the SERVICE role, but not RESTRICTED projects', async () => {
    expect((await must(logRun('ml', 'private'), {}, orgSecret)).logRun.run).toEqual({
      createdBy: null,
      loggedByName: 'fleet',
    });
    expect((await must(logRun('vault', 'hidden-work'), {}, orgSecret)).logRun.run.loggedByName).toBe('fleet');
    expect(codeOf(await gql(ctx.url, logRun('ml', 'secret'), {}, orgSecret))).toBe('NOT_FOUND');
    const seen = await must(projectsOf('ml'), {}, orgSecret);
    expect(names(seen.team.projects.nodes)).toEqual(['open', 'private']);
    expect(names(seen.team.reports.nodes)).toEqual(['about open', 'about private']);
    expect(seen.team.secret).toBeNull();
    // Still a service account: no members, no management.
    expect(
      codeOf(
        await gql(ctx.url, '{ team(organization: "acme", name: "ml") { members { totalCount } } }', {}, orgSecret),
      ),
    ).toBe('FORBIDDEN');
    expect(
      codeOf(
        await gql(
          ctx.url,
          'mutation { createTeam(input: { organization: "acme", name: "x-team" }) { team { name } } }',
          {},
          orgSecret,
        ),
      ),
    ).toBe('FORBIDDEN');
    // Attribution works in any team, for that team's members only.
    const asTim = await gql(ctx.url, logRun('ml', 'private'), {}, orgSecret, { 'x-roster-acting-user': 'tim' });
    expect(asTim.data!.logRun.run).toEqual({ createdBy: { username: 'tim' }, loggedByName: 'fleet' });
    const inVault = await gql(ctx.url, logRun('vault', 'hidden-work'), {}, orgSecret, {
      'x-roster-acting-user': 'tim',
    });
    expect(codeOf(inVault)).toBe('ATTRIBUTION_FAILED');
  });

  it('RESTRICTED: those on the team reach it; org admins outside the team and others do not', async () => {
    const all = ['open', 'private', 'secret'];
    for (const [who, token] of [
      ['team member', member.token],
      ['team admin', teamAdmin.token],
      ['team service account', teamSecret],
    ] as const) {
      const seen = await must(projectsOf('ml'), {}, token);
      expect(names(seen.team.projects.nodes), who).toEqual(all);
      expect(seen.team.secret, who).toEqual({ name: 'secret' });
      expect(seen.team.reports.nodes.length, who).toBe(3);
    }
    expect((await must(logRun('ml', 'secret'), {}, teamSecret)).logRun.run.loggedByName).toBe('ml-bot');
    for (const [who, token] of [
      ['org admin outside the team', orgAdmin.token],
      ['instance admin who created the team', root()],
    ] as const) {
      const seen = await must(projectsOf('ml'), {}, token);
      if (who === 'instance admin who created the team') {
        // The team's creator became its ADMIN: on the team, so it reaches it.
        expect(names(seen.team.projects.nodes), who).toEqual(all);
        continue;
      }
      expect(names(seen.team.projects.nodes), who).toEqual(['open', 'private']);
      expect(seen.team.secret, who).toBeNull();
      expect(names(seen.team.reports.nodes), who).toEqual(['about open', 'about private']);
      expect(codeOf(await gql(ctx.url, logRun('ml', 'secret'), {}, token)), who).toBe('NOT_FOUND');
    }
    const outside = await must(projectsOf('ml'), {}, outsider.token);
    expect(names(outside.team.projects.nodes)).toEqual(['open']);
    expect(outside.team.secret).toBeNull();
    // A run of it, by id, is NOT_FOUND for the org admin outside the team, as if it did not exist.
    const run = await must(
      'mutation { logRun(input: { organization: "acme", team: "ml", project: "secret" }) { run { id } } }',
      {},
      member.token,
    );
    const del = 'mutation($i: DeleteRunInput!) { deleteRun(input: $i) { deletedRunId } }';
    expect(codeOf(await gql(ctx.url, del, { i: { id: run.logRun.run.id } }, orgAdmin.token))).toBe('NOT_FOUND');
    expect((await must(del, { i: { id: run.logRun.run.id } }, teamAdmin.token)).deleteRun.deletedRunId).toBe(
      run.logRun.run.id,
    );
  });
});
