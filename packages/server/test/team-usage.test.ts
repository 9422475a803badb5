import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instanceWithAdmin, addMember, gql, countStatements, type InstanceWithAdmin, type Actor } from './fixtures';
import { OrgRole } from '../src/authz/roles';
import { Organization } from '../src/modules/organizations/organization.entity';

const USAGE = `query($org: String!, $team: String!) { team(organization: $org, name: $team) {
  usage { membersByRole { role count } projects runs runsLast30Days reports activeMembersLast30Days }
  warnings { code message } } }`;

describe('team usage and warnings', () => {
  let ctx: InstanceWithAdmin;
  let mia: Actor;
  let vic: Actor;
  let outsider: Actor;
  const call = (actor: Actor, query: string, input: Record<string, unknown>) =>
    gql(ctx.url, query, { i: input }, actor.token);
  const addToTeam = (team: string, user: string, role: string) =>
    call(ctx.admin, 'mutation($i: AddTeamMemberInput!) { addTeamMember(input: $i) { member { role } } }', {
      organization: 'acme',
      team,
      user,
      role,
    });

  beforeAll(async () => {
    ctx = await instanceWithAdmin();
    mia = await addMember(ctx.t, ctx.org, 'mia');
    vic = await addMember(ctx.t, ctx.org, 'vic', OrgRole.VIEWER);
    await addMember(ctx.t, ctx.org, 'nora');
    const em = ctx.t.server.db.orm.em.fork();
    await gql(
      ctx.url,
      'mutation { createOrganization(input: { name: "globex", displayName: "Globex" }) { organization { id } } }',
      {},
      ctx.admin.token,
    );
    const globex = await em.findOneOrFail(Organization, { name: 'globex' });
    outsider = await addMember(ctx.t, globex, 'otto', OrgRole.ADMIN);
    const created = await call(ctx.admin, 'mutation($i: CreateTeamInput!) { createTeam(input: $i) { team { id } } }', {
      organization: 'acme',
      name: 'vision',
    });
    expect(created.errors).toBeUndefined();
    expect((await addToTeam('vision', 'mia', 'MEMBER')).errors).toBeUndefined();
    expect((await addToTeam('vision', 'vic', 'VIEW_ONLY')).errors).toBeUndefined();
    await call(mia, 'mutation($i: CreateProjectInput!) { createProject(input: $i) { project { id } } }', {
      organization: 'acme',
      team: 'vision',
      name: 'resnet',
    });
    for (let i = 0; i < 3; i++) {
      await call(mia, 'mutation($i: LogRunInput!) { logRun(input: $i) { run { id } } }', {
        organization: 'acme',
        team: 'vision',
        project: 'resnet',
      });
    }
    await call(mia, 'mutation($i: CreateReportInput!) { createReport(input: $i) { report { id } } }', {
      organization: 'acme',
      team: 'vision',
      title: 'Findings',
    });
    // One run from 40 days ago: counted in `runs`, not in `runsLast30Days`.
    await em
      .getConnection()
      .execute(
        `update runs set created_at = now() - interval '40 days' where id = (select min(id::text)::uuid from runs)`,
      );
    // Activity is written by the tracker at most every few minutes: flush what the requests above recorded.
    await ctx.t.server.activity.flush();
  });
  afterAll(() => ctx?.t.close());

  it('counts members by role, projects, runs (all and last 30 days), reports and active members', async () => {
    const res = await gql(ctx.url, USAGE, { org: 'acme', team: 'vision' }, ctx.admin.token);
    expect(res.errors).toBeUndefined();
    expect(res.data!.team.usage).toEqual({
      membersByRole: [
        { role: 'ADMIN', count: 1 },
        { role: 'MEMBER', count: 1 },
        { role: 'VIEW_ONLY', count: 1 },
      ],
      projects: 1,
      runs: 3,
      runsLast30Days: 2,
      reports: 1,
      // admin and mia made requests today; vic never did.
      activeMembersLast30Days: 2,
    });
  });

  it('warns while the team has a single admin, and not once it has two', async () => {
    const one = await gql(ctx.url, USAGE, { org: 'acme', team: 'vision' }, ctx.admin.token);
    expect(one.data!.team.warnings.map((w: { code: string }) => w.code)).toEqual(['SINGLE_TEAM_ADMIN']);
    expect((await addToTeam('vision', 'nora', 'ADMIN')).errors).toBeUndefined();
    const two = await gql(ctx.url, USAGE, { org: 'acme', team: 'vision' }, ctx.admin.token);
    expect(two.data!.team.warnings).toEqual([]);
    await call(
      ctx.admin,
      'mutation($i: RemoveTeamMemberInput!) { removeTeamMember(input: $i) { removedTeamMemberId } }',
      { organization: 'acme', team: 'vision', user: 'nora' },
    );
  });

  it('warns NO_TEAM_ADMIN when members remain without an admin, and nothing for an empty team', async () => {
    await call(ctx.admin, 'mutation($i: CreateTeamInput!) { createTeam(input: $i) { team { id } } }', {
      organization: 'acme',
      name: 'empty',
    });
    const removed = await call(
      ctx.admin,
      'mutation($i: RemoveTeamMemberInput!) { removeTeamMember(input: $i) { removedTeamMemberId } }',
      { organization: 'acme', team: 'empty', user: 'admin' },
    );
    expect(removed.errors).toBeUndefined();
    const empty = await gql(ctx.url, USAGE, { org: 'acme', team: 'empty' }, ctx.admin.token);
    expect(empty.data!.team.warnings).toEqual([]);
    expect((await addToTeam('empty', 'nora', 'MEMBER')).errors).toBeUndefined();
    const orphan = await gql(ctx.url, USAGE, { org: 'acme', team: 'empty' }, ctx.admin.token);
    expect(orphan.data!.team.warnings.map((w: { code: string }) => w.code)).toEqual(['NO_TEAM_ADMIN']);
  });

  it('shows usage to team members (viewers too), warnings only to those who manage members', async () => {
    for (const actor of [mia, vic]) {
      const res = await gql(ctx.url, USAGE, { org: 'acme', team: 'vision' }, actor.token);
      expect(res.errors).toBeUndefined();
      expect(res.data!.team.usage.projects).toBe(1);
      expect(res.data!.team.warnings).toEqual([]);
    }
  });

  it('hides usage from org members outside the team and the team from another organization’s admin', async () => {
    const res = await gql(ctx.url, USAGE, { org: 'acme', team: 'empty' }, mia.token);
    expect(res.errors).toBeUndefined();
    // mia sees the (non-hidden) team but may not list its members: no usage, no warnings.
    expect(res.data!.team).toEqual({ usage: null, warnings: [] });
    const foreign = await gql(ctx.url, USAGE, { org: 'acme', team: 'vision' }, outsider.token);
    expect(foreign.data!.team).toBeNull();
    // Nested: through the organization's team list the outsider reaches nothing either.
    const nested = await gql(
      ctx.url,
      '{ organization(name: "acme") { teams(first: 10) { nodes { name usage { runs } } } } }',
      {},
      outsider.token,
    );
    expect(nested.data!.organization).toBeNull();
  });

  it('costs a fixed number of statements for 20 teams with usage and warnings', async () => {
    for (let i = 0; i < 20; i++) {
      await call(ctx.admin, 'mutation($i: CreateTeamInput!) { createTeam(input: $i) { team { id } } }', {
        organization: 'acme',
        name: `bulk-${String(i).padStart(2, '0')}`,
      });
    }
    const list = (first: number) =>
      gql(
        ctx.url,
        `{ organization(name: "acme") { teams(first: ${first}) { nodes { name usage { membersByRole { role count } ` +
          'projects runs runsLast30Days reports activeMembersLast30Days } warnings { code } } } } }',
        {},
        ctx.admin.token,
      );
    // Activity writes (coalesced per user) may land in either request; the usage statement itself reads daily_activity.
    const reads = (s: string[]) => s.filter((q) => !/^\s*(insert|update)/i.test(q));
    const small = await countStatements(ctx.t, () => list(2));
    const big = await countStatements(ctx.t, () => list(20));
    expect(big.result.errors).toBeUndefined();
    expect(big.result.data!.organization.teams.nodes).toHaveLength(20);
    expect(reads(big.statements).length).toBe(reads(small.statements).length);
    expect(big.statements.filter((q) => /from teams t join organizations o .* where t\.id in/s.test(q))).toHaveLength(
      1,
    );
    console.log(`20 teams with usage and warnings: ${reads(big.statements).length} statements`);
  });
  it("counts the last 30 days in the organization's time zone", async () => {
    const zone = 'Pacific/Kiritimati'; // UTC+14: its date is ahead of UTC's for ten hours of each day
    const set = await gql(
      ctx.url,
      'mutation($z: String!) { updateOrganization(input: { organization: "acme", settings: { timeZone: $z } }) { ' +
        'organization { settings { timeZone } } } }',
      { z: zone },
      ctx.admin.token,
    );
    expect(set.errors).toBeUndefined();
    // A member who never made a request, so only the rows written here count for them.
    await addMember(ctx.t, ctx.org, 'zoe');
    expect((await addToTeam('vision', 'zoe', 'MEMBER')).errors).toBeUndefined();
    const before = await (async () =>
      (await gql(ctx.url, USAGE, { org: 'acme', team: 'vision' }, ctx.admin.token)).data!.team.usage
        .activeMembersLast30Days)();
    const active = async () =>
      (await gql(ctx.url, USAGE, { org: 'acme', team: 'vision' }, ctx.admin.token)).data!.team.usage
        .activeMembersLast30Days;
    const sql = (text: string, params: unknown[]) =>
      ctx.t.server.db.orm.em.fork().getConnection().execute(text, params);
    const dayOfZoe = (daysAgo: number) =>
      sql(
        `insert into daily_activity (user_id, organization_id, day)
         select u.id, o.id, (now() at time zone ?)::date - ?::int from users u, organizations o
         where u.username = 'zoe' and o.name = 'acme' on conflict do nothing`,
        [zone, daysAgo],
      );
    // The 30th day back in the organization's zone is in the window; the 31st is not, whatever day it is in UTC.
    await dayOfZoe(30);
    expect(await active()).toBe(before);
    await dayOfZoe(29);
    expect(await active()).toBe(before + 1);
  });
});
