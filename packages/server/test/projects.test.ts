import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ref } from '@mikro-orm/core';
import {
  instanceWithAdmin,
  addMember,
  gql,
  codeOf,
  countStatements,
  type InstanceWithAdmin,
  type Actor,
  outcomeOf,
} from './fixtures';
import { MemberStatus, OrgRole } from '../src/authz/roles';
import { TeamRole } from '../src/authz/team-permissions';
import { Team, DEFAULT_TEAM_SETTINGS, type TeamSettings } from '../src/modules/teams/team.entity';
import { TeamMembership } from '../src/modules/teams/team-membership.entity';
import { Organization } from '../src/modules/organizations/organization.entity';
import { User } from '../src/modules/accounts/user.entity';
import type { TestServer } from '../src/testing';

const CREATE_PROJECT =
  'mutation($i: CreateProjectInput!) { createProject(input: $i) { project { id name visibility createdByUsername ' +
  'createdBy { username } team { name } runCount } } }';
const LOG_RUN =
  'mutation($i: LogRunInput!) { logRun(input: $i) { run { id name createdByUsername createdBy { username } project ' +
  '{ name } } } }';
const CREATE_REPORT =
  'mutation($i: CreateReportInput!) { createReport(input: $i) { report { id title createdByUsername createdBy { ' +
  'username } project { name } team { name } } } }';
const DELETE_PROJECT =
  'mutation($i: DeleteProjectInput!) { deleteProject(input: $i) { deletedProjectId team { name } runsDeleted } }';
const DELETE_RUN = 'mutation($i: DeleteRunInput!) { deleteRun(input: $i) { deletedRunId project { name runCount } } }';
const DELETE_REPORT = 'mutation($i: DeleteReportInput!) { deleteReport(input: $i) { deletedReportId team { name } } }';
const REMOVE_MEMBER = 'mutation($i: RemoveMemberInput!) { removeMember(input: $i) { user { username } } }';

const WORK =
  `query($team: String!) { team(organization: "acme", name: $team) {
  projects(first: 50) { totalCount nodes { name visibility createdByUsername createdBy { username } runCount ` +
  `runs(first: 50) { totalCount nodes { id name createdByUsername createdBy { username } } } } }
  reports(first: 50) { totalCount nodes { id title createdByUsername createdBy { username } project { name } } }
} }`;

interface RunNode {
  id: string;
  name: string;
  createdByUsername: string | null;
  createdBy: { username: string } | null;
}
interface ProjectNode {
  name: string;
  visibility: string;
  createdByUsername: string | null;
  createdBy: { username: string } | null;
  runCount: number;
  runs: { totalCount: number; nodes: RunNode[] };
}
interface ReportNode {
  id: string;
  title: string;
  createdByUsername: string | null;
  createdBy: { username: string } | null;
  project: { name: string } | null;
}
interface Work {
  team: {
    projects: { totalCount: number; nodes: ProjectNode[] };
    reports: { totalCount: number; nodes: ReportNode[] };
  };
}

/**
 * Teams and team memberships straight in the database: these tests are about the work inside a team, not team
 * management.
 */
async function makeTeam(
  t: TestServer,
  org: Organization,
  name: string,
  members: Array<[Actor, TeamRole]>,
  settings: Partial<TeamSettings> = {},
): Promise<Team> {
  const em = t.server.db.orm.em.fork();
  const team = em.create(Team, {
    organization: ref(em.getReference(Organization, org.id)),
    name,
    settings: { ...structuredClone(DEFAULT_TEAM_SETTINGS), ...settings },
  });
  for (const [actor, role] of members)
    em.create(TeamMembership, { team, user: ref(em.getReference(User, actor.user.id)), role });
  await em.flush();
  return team;
}

async function setTeamSettings(t: TestServer, teamId: string, settings: Partial<TeamSettings>): Promise<void> {
  const em = t.server.db.orm.em.fork();
  const team = await em.findOneOrFail(Team, { id: teamId });
  team.settings = { ...team.settings, ...settings };
  await em.flush();
}

async function rowCounts(t: TestServer): Promise<Record<string, number>> {
  const conn = t.server.db.orm.em.fork().getConnection();
  const out: Record<string, number> = {};
  for (const table of ['projects', 'runs', 'reports', 'audit_events']) {
    const [row] = await conn.execute(`select count(*) as n from ${table}`);
    out[table] = Number(row!.n);
  }
  return out;
}

describe('projects, runs and reports', () => {
  let ctx: InstanceWithAdmin;
  let url: string;
  // Team "vision": mia and max are MEMBERs, vera VIEW_ONLY, tara ADMIN, ovid an org VIEWER holding MEMBER (capped), leo
  // a MEMBER who will leave.
  let mia: Actor, max: Actor, vera: Actor, tara: Actor, ovid: Actor, leo: Actor;
  // Outside every team: otto (org MEMBER), olga (org ADMIN, not instance admin).
  let otto: Actor, olga: Actor;
  let vision: Team;

  const create = (actor: Actor, input: Record<string, unknown>) =>
    gql(url, CREATE_PROJECT, { i: { organization: 'acme', team: 'vision', ...input } }, actor.token);
  const logRun = (actor: Actor, input: Record<string, unknown>) =>
    gql(url, LOG_RUN, { i: { organization: 'acme', team: 'vision', ...input } }, actor.token);
  const report = (actor: Actor, input: Record<string, unknown>) =>
    gql(url, CREATE_REPORT, { i: { organization: 'acme', team: 'vision', ...input } }, actor.token);
  const work = async (actor: Actor, team = 'vision') => gql<Work>(url, WORK, { team }, actor.token);

  beforeAll(async () => {
    ctx = await instanceWithAdmin();
    url = ctx.url;
    [mia, max, vera, tara, leo, otto] = (await Promise.all(
      ['mia', 'max', 'vera', 'tara', 'leo', 'otto'].map((u) => addMember(ctx.t, ctx.org, u, OrgRole.MEMBER)),
    )) as [Actor, Actor, Actor, Actor, Actor, Actor];
    ovid = await addMember(ctx.t, ctx.org, 'ovid', OrgRole.VIEWER);
    olga = await addMember(ctx.t, ctx.org, 'olga', OrgRole.ADMIN);
    vision = await makeTeam(ctx.t, ctx.org, 'vision', [
      [mia, TeamRole.MEMBER],
      [max, TeamRole.MEMBER],
      [vera, TeamRole.VIEW_ONLY],
      [tara, TeamRole.ADMIN],
      [ovid, TeamRole.MEMBER],
      [leo, TeamRole.MEMBER],
    ]);
  });
  afterAll(() => ctx?.t.close());

  it('lets a team MEMBER create a project, log runs and create a report, attributed to them', async () => {
    const p = await create(mia, { name: 'resnet-50.v2' });
    expect(p.errors).toBeUndefined();
    // The team keeps projects private by default.
    expect(p.data!.createProject.project).toMatchObject({
      name: 'resnet-50.v2',
      visibility: 'PRIVATE',
      createdByUsername: 'mia',
      createdBy: { username: 'mia' },
      team: { name: 'vision' },
      runCount: 0,
    });

    const named = await logRun(mia, { project: 'resnet-50.v2', name: 'baseline' });
    expect(named.data!.logRun.run).toMatchObject({
      name: 'baseline',
      createdByUsername: 'mia',
      createdBy: { username: 'mia' },
      project: { name: 'resnet-50.v2' },
    });
    const generated = await logRun(mia, { project: 'resnet-50.v2' });
    expect(generated.data!.logRun.run.name).toMatch(/^run-[0-9a-z]{8}$/);

    const r = await report(mia, { title: '  Baseline results  ', project: 'resnet-50.v2' });
    expect(r.data!.createReport.report).toMatchObject({
      title: 'Baseline results',
      createdBy: { username: 'mia' },
      project: { name: 'resnet-50.v2' },
      team: { name: 'vision' },
    });
    const loose = await report(mia, { title: 'Notes' });
    expect(loose.data!.createReport.report.project).toBeNull();

    const seen = (await work(mia)).data!.team;
    const project = seen.projects.nodes.find((n) => n.name === 'resnet-50.v2')!;
    expect(project.runCount).toBe(2);
    // Newest first.
    expect(project.runs.nodes.map((n) => n.name)).toEqual([generated.data!.logRun.run.name, 'baseline']);
    expect(seen.reports.nodes.map((n) => n.title)).toEqual(['Notes', 'Baseline results']);

    // Creating projects and reports is audited; logging runs is not.
    const log = await gql(
      url,
      '{ organization(name: "acme") { auditLog(first: 10) { nodes { action actor { label } target { label } } } } }',
      {},
      ctx.admin.token,
    );
    const actions = log.data!.organization.auditLog.nodes.map((n: { action: string }) => n.action);
    expect(actions).toEqual(expect.arrayContaining(['PROJECT_CREATED', 'REPORT_CREATED']));
    expect(actions.filter((a: string) => a.startsWith('run.'))).toEqual([]);
    expect(log.data!.organization.auditLog.nodes).toContainEqual({
      action: 'PROJECT_CREATED',
      actor: { label: 'mia' },
      target: { label: 'resnet-50.v2' },
    });
  });

  it('defaults visibility from the team setting and takes an explicit one', async () => {
    expect(
      (await create(mia, { name: 'public-demo', visibility: 'PUBLIC' })).data!.createProject.project.visibility,
    ).toBe('PUBLIC');
    await makeTeam(ctx.t, ctx.org, 'open', [[mia, TeamRole.MEMBER]], { projectsPrivateByDefault: false });
    const open = await gql(
      url,
      CREATE_PROJECT,
      { i: { organization: 'acme', team: 'open', name: 'shared' } },
      mia.token,
    );
    expect(open.data!.createProject.project.visibility).toBe('PUBLIC');
    const priv = await gql(
      url,
      CREATE_PROJECT,
      { i: { organization: 'acme', team: 'open', name: 'mine', visibility: 'PRIVATE' } },
      mia.token,
    );
    expect(priv.data!.createProject.project.visibility).toBe('PRIVATE');
  });

  it('lets VIEW_ONLY members and organization viewers read but not create', async () => {
    for (const actor of [vera, ovid]) {
      expect(codeOf(await create(actor, { name: 'nope' }))).toBe('FORBIDDEN');
      expect(codeOf(await logRun(actor, { project: 'resnet-50.v2' }))).toBe('FORBIDDEN');
      expect(codeOf(await report(actor, { title: 'nope' }))).toBe('FORBIDDEN');
      const seen = await work(actor);
      expect(seen.errors).toBeUndefined();
      // Team members see private projects and every report.
      expect(seen.data!.team.projects.nodes.map((n) => n.name)).toEqual(
        expect.arrayContaining(['resnet-50.v2', 'public-demo']),
      );
      expect(seen.data!.team.reports.totalCount).toBe(2);
    }
  });

  it(
    'shows organization members outside the team only PUBLIC projects and what belongs to them; hidden teams not ' +
      'at all',
    async () => {
      await logRun(mia, { project: 'public-demo', name: 'demo-run' });
      await report(mia, { title: 'Public write-up', project: 'public-demo' });
      const seen = (await work(otto)).data!.team;
      expect(seen.projects.nodes.map((n) => [n.name, n.visibility])).toEqual([['public-demo', 'PUBLIC']]);
      expect(seen.projects.totalCount).toBe(1);
      expect(seen.projects.nodes[0]!.runs.nodes.map((n) => n.name)).toEqual(['demo-run']);
      // Reports of public projects only; not those of private projects nor those about no project.
      expect(seen.reports.nodes.map((n) => n.title)).toEqual(['Public write-up']);
      expect(seen.reports.totalCount).toBe(1);

      await setTeamSettings(ctx.t, vision.id, { publicReportsAllowed: false });
      const noReports = (await work(otto)).data!.team;
      expect(noReports.reports).toEqual({ totalCount: 0, nodes: [] });
      expect(noReports.projects.totalCount).toBe(1);
      expect((await work(mia)).data!.team.reports.totalCount).toBe(3);
      await setTeamSettings(ctx.t, vision.id, { publicReportsAllowed: true });

      // One project by name: PUBLIC ones for outsiders, PRIVATE ones only inside the team.
      const ONE =
        'query($p: String!) { team(organization: "acme", name: "vision") { project(name: $p) { name visibility ' +
        'runCount } } }';
      expect((await gql(url, ONE, { p: 'public-demo' }, otto.token)).data!.team.project).toEqual({
        name: 'public-demo',
        visibility: 'PUBLIC',
        runCount: 1,
      });
      expect(outcomeOf(await gql(url, ONE, { p: 'resnet-50.v2' }, otto.token))).toBe('absent');
      expect((await gql(url, ONE, { p: 'resnet-50.v2' }, mia.token)).data!.team.project.name).toBe('resnet-50.v2');
      expect(outcomeOf(await gql(url, ONE, { p: 'no-such-project' }, mia.token))).toBe('absent');

      // Outsiders cannot act on what they see, and what they cannot see does not exist for them.
      expect(codeOf(await create(otto, { name: 'intruder' }))).toBe('FORBIDDEN');
      const all = (await work(mia)).data!.team;
      const privateRun = all.projects.nodes.find((n) => n.name === 'resnet-50.v2')!.runs.nodes[0]!;
      const publicRun = all.projects.nodes.find((n) => n.name === 'public-demo')!.runs.nodes[0]!;
      expect(codeOf(await gql(url, DELETE_RUN, { i: { id: privateRun.id } }, otto.token))).toBe('NOT_FOUND');
      expect(codeOf(await gql(url, DELETE_RUN, { i: { id: publicRun.id } }, otto.token))).toBe('FORBIDDEN');
      expect(codeOf(await logRun(otto, { project: 'resnet-50.v2' }))).toBe('FORBIDDEN');

      await makeTeam(ctx.t, ctx.org, 'skunkworks', [[mia, TeamRole.ADMIN]], {
        hidden: true,
        projectsPrivateByDefault: false,
      });
      expect(
        (
          await gql(
            url,
            CREATE_PROJECT,
            { i: { organization: 'acme', team: 'skunkworks', name: 'stealth' } },
            mia.token,
          )
        ).data!.createProject.project.visibility,
      ).toBe('PUBLIC');
      expect(outcomeOf(await work(otto, 'skunkworks'))).toBe('absent');
      expect(
        codeOf(
          await gql(url, CREATE_PROJECT, { i: { organization: 'acme', team: 'skunkworks', name: 'x' } }, otto.token),
        ),
      ).toBe('NOT_FOUND');
      // Organization admins see every team's work.
      expect((await work(olga, 'skunkworks')).data!.team.projects.nodes.map((n) => n.name)).toEqual(['stealth']);
    },
  );

  it('lets MEMBERs delete only their own work; team ADMINs and org ADMINs delete anything', async () => {
    await create(mia, { name: 'mia-project' });
    const miaRun = (await logRun(mia, { project: 'mia-project', name: 'mia-run' })).data!.logRun.run.id as string;
    const miaRun2 = (await logRun(mia, { project: 'mia-project', name: 'mia-run-2' })).data!.logRun.run.id as string;
    const miaReport = (await report(mia, { title: 'Mia report', project: 'mia-project' })).data!.createReport.report
      .id as string;
    const miaReport2 = (await report(mia, { title: 'Mia report 2' })).data!.createReport.report.id as string;

    // Another MEMBER may add to mia's project but not delete her things.
    const maxRun = (await logRun(max, { project: 'mia-project', name: 'max-run' })).data!.logRun.run.id as string;
    expect(codeOf(await gql(url, DELETE_RUN, { i: { id: miaRun } }, max.token))).toBe('FORBIDDEN');
    expect(codeOf(await gql(url, DELETE_REPORT, { i: { id: miaReport } }, max.token))).toBe('FORBIDDEN');
    expect(
      codeOf(
        await gql(
          url,
          DELETE_PROJECT,
          { i: { organization: 'acme', team: 'vision', project: 'mia-project' } },
          max.token,
        ),
      ),
    ).toBe('FORBIDDEN');
    // VIEW_ONLY deletes nothing.
    expect(codeOf(await gql(url, DELETE_RUN, { i: { id: maxRun } }, vera.token))).toBe('FORBIDDEN');

    // Their own, yes.
    expect((await gql(url, DELETE_RUN, { i: { id: maxRun } }, max.token)).data!.deleteRun).toEqual({
      deletedRunId: maxRun,
      project: { name: 'mia-project', runCount: expect.any(Number) },
    });
    expect(codeOf(await gql(url, DELETE_RUN, { i: { id: maxRun } }, max.token))).toBe('NOT_FOUND');
    await create(max, { name: 'max-project' });
    const maxReport = (await report(max, { title: 'Max report', project: 'max-project' })).data!.createReport.report
      .id as string;
    expect((await gql(url, DELETE_REPORT, { i: { id: maxReport } }, max.token)).data!.deleteReport).toEqual({
      deletedReportId: maxReport,
      team: { name: 'vision' },
    });
    expect(
      (
        await gql(
          url,
          DELETE_PROJECT,
          { i: { organization: 'acme', team: 'vision', project: 'max-project' } },
          max.token,
        )
      ).data!.deleteProject,
    ).toEqual({ deletedProjectId: expect.any(String), team: { name: 'vision' }, runsDeleted: 0 });

    // A team ADMIN and an organization ADMIN delete anyone's.
    expect((await gql(url, DELETE_RUN, { i: { id: miaRun } }, tara.token)).data!.deleteRun.deletedRunId).toBe(miaRun);
    expect(
      (await gql(url, DELETE_REPORT, { i: { id: miaReport2 } }, olga.token)).data!.deleteReport.deletedReportId,
    ).toBe(miaReport2);
    const gone = await gql(
      url,
      DELETE_PROJECT,
      { i: { organization: 'acme', team: 'vision', project: 'mia-project' } },
      olga.token,
    );
    expect(gone.data!.deleteProject).toEqual({
      deletedProjectId: expect.any(String),
      team: { name: 'vision' },
      runsDeleted: 1,
    });
    expect(codeOf(await gql(url, DELETE_RUN, { i: { id: miaRun2 } }, tara.token))).toBe('NOT_FOUND');
    // The project's report stays, detached.
    const left = (await work(mia)).data!.team.reports.nodes.find((n) => n.id === miaReport)!;
    expect(left).toMatchObject({ title: 'Mia report', project: null });
    expect(
      (await gql(url, DELETE_REPORT, { i: { id: miaReport } }, tara.token)).data!.deleteReport.deletedReportId,
    ).toBe(miaReport);

    const log = await gql(
      url,
      '{ organization(name: "acme") { auditLog(first: 50, actions: [PROJECT_DELETED, RUN_DELETED, REPORT_DELETED]) ' +
        '{ nodes { action actor { label } target { label } } } } }',
      {},
      ctx.admin.token,
    );
    expect(log.data!.organization.auditLog.nodes).toEqual(
      expect.arrayContaining([
        { action: 'PROJECT_DELETED', actor: { label: 'olga' }, target: { label: 'mia-project' } },
        { action: 'RUN_DELETED', actor: { label: 'tara' }, target: { label: 'mia-run' } },
        { action: 'REPORT_DELETED', actor: { label: 'olga' }, target: { label: 'Mia report 2' } },
        { action: 'RUN_DELETED', actor: { label: 'max' }, target: { label: 'max-run' } },
      ]),
    );
  });

  it('keeps work and its attribution after the author leaves the team and the organization', async () => {
    await create(leo, { name: 'leo-project', visibility: 'PUBLIC' });
    const run = (await logRun(leo, { project: 'leo-project', name: 'leo-run' })).data!.logRun.run.id as string;
    const rep = (await report(leo, { title: 'Leo report', project: 'leo-project' })).data!.createReport.report
      .id as string;

    const em = ctx.t.server.db.orm.em.fork();
    await em.nativeDelete(TeamMembership, { team: vision.id, user: leo.user.id });
    const removed = await gql(url, REMOVE_MEMBER, { i: { organization: 'acme', user: 'leo' } }, ctx.admin.token);
    expect(removed.data!.removeMember.user.username).toBe('leo');

    const seen = (await work(mia)).data!.team;
    const project = seen.projects.nodes.find((n) => n.name === 'leo-project')!;
    expect(project).toMatchObject({ createdByUsername: 'leo', createdBy: { username: 'leo' } });
    expect(project.runs.nodes).toEqual([
      { id: run, name: 'leo-run', createdByUsername: 'leo', createdBy: { username: 'leo' } },
    ]);
    expect(seen.reports.nodes.find((n) => n.id === rep)).toMatchObject({
      title: 'Leo report',
      createdByUsername: 'leo',
      createdBy: { username: 'leo' },
    });
    // Gone from the organization, leo can no longer reach them.
    expect(codeOf(await gql(url, DELETE_RUN, { i: { id: run } }, leo.token))).toBe('NOT_FOUND');
  });

  it(
    'refuses duplicate names with CONFLICT and bad input with ' + 'BAD_USER_INPUT naming the field, writing nothing',
    async () => {
      const before = await rowCounts(ctx.t);
      const dup = await create(max, { name: 'resnet-50.v2' });
      expect(codeOf(dup)).toBe('CONFLICT');
      expect(dup.errors![0]!.extensions!.field).toBe('name');

      const cases: Array<[Promise<{ errors?: Array<{ extensions?: Record<string, unknown> }> }>, string]> = [
        [create(mia, { name: '' }), 'name'],
        [create(mia, { name: 'has space' }), 'name'],
        [create(mia, { name: 'slash/name' }), 'name'],
        [create(mia, { name: '..' }), 'name'],
        [create(mia, { name: 'x'.repeat(129) }), 'name'],
        [logRun(mia, { project: 'resnet-50.v2', name: 'x'.repeat(129) }), 'name'],
        [logRun(mia, { project: 'resnet-50.v2', name: '   ' }), 'name'],
        [report(mia, { title: '' }), 'title'],
        [report(mia, { title: 'x'.repeat(201) }), 'title'],
        [gql(url, DELETE_RUN, { i: { id: 'not-an-id' } }, mia.token), 'id'],
        [gql(url, DELETE_REPORT, { i: { id: '42' } }, mia.token), 'id'],
      ];
      for (const [pending, field] of cases) {
        const res = await pending;
        expect(codeOf(res)).toBe('BAD_USER_INPUT');
        expect(res.errors![0]!.extensions!.field).toBe(field);
      }
      expect(codeOf(await logRun(mia, { project: 'no-such-project' }))).toBe('NOT_FOUND');
      expect(codeOf(await report(mia, { title: 'About nothing', project: 'no-such-project' }))).toBe('NOT_FOUND');
      expect(
        codeOf(
          await gql(
            url,
            DELETE_PROJECT,
            { i: { organization: 'acme', team: 'vision', project: 'no-such-project' } },
            tara.token,
          ),
        ),
      ).toBe('NOT_FOUND');
      expect(await rowCounts(ctx.t)).toEqual(before);

      // Exactly at the limits is fine.
      const longest = await create(mia, { name: 'x'.repeat(128) });
      expect(longest.data!.createProject.project.name).toHaveLength(128);
      expect((await report(mia, { title: 't'.repeat(200) })).data!.createReport.report.title).toHaveLength(200);
    },
  );

  it('requires authentication', async () => {
    const anonymous = { user: ctx.admin.user, token: '' } as Actor;
    for (const res of [
      await create(anonymous, { name: 'anon' }),
      await logRun(anonymous, { project: 'resnet-50.v2' }),
      await report(anonymous, { title: 'anon' }),
      await gql(url, DELETE_PROJECT, { i: { organization: 'acme', team: 'vision', project: 'resnet-50.v2' } }),
      await gql(url, DELETE_RUN, { i: { id: '00000000-0000-4000-8000-000000000000' } }),
      await gql(url, DELETE_REPORT, { i: { id: '00000000-0000-4000-8000-000000000000' } }),
    ]) {
      expect(codeOf(res)).toBe('UNAUTHENTICATED');
    }
  });

  it('pages runs and projects newest first with cursors', async () => {
    await makeTeam(ctx.t, ctx.org, 'paging', [[mia, TeamRole.MEMBER]]);
    const names = ['p1', 'p2', 'p3'];
    for (const name of names)
      await gql(url, CREATE_PROJECT, { i: { organization: 'acme', team: 'paging', name } }, mia.token);
    for (const name of ['r1', 'r2', 'r3'])
      await gql(url, LOG_RUN, { i: { organization: 'acme', team: 'paging', project: 'p1', name } }, mia.token);

    const PAGE =
      `query($after: String, $runsAfter: String) { team(organization: "acme", name: "paging") {
      projects(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { name runs(first: 2, ` +
      `after: $runsAfter) { totalCount pageInfo { hasNextPage endCursor } nodes { name } } } } } }`;
    const first = (await gql(url, PAGE, {}, mia.token)).data!.team.projects;
    expect(first.nodes.map((n: { name: string }) => n.name)).toEqual(['p3', 'p2']);
    expect(first).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: true } });
    const second = (await gql(url, PAGE, { after: first.pageInfo.endCursor }, mia.token)).data!.team.projects;
    expect(second.nodes.map((n: { name: string }) => n.name)).toEqual(['p1']);
    expect(second.pageInfo.hasNextPage).toBe(false);
    const runs = second.nodes[0].runs;
    expect(runs).toMatchObject({
      totalCount: 3,
      pageInfo: { hasNextPage: true },
      nodes: [{ name: 'r3' }, { name: 'r2' }],
    });
    const more = (
      await gql(url, PAGE, { after: first.pageInfo.endCursor, runsAfter: runs.pageInfo.endCursor }, mia.token)
    ).data!.team.projects.nodes[0].runs;
    expect(more).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: false }, nodes: [{ name: 'r1' }] });

    const bad = await gql(url, PAGE, { after: 'garbage' }, mia.token);
    expect(codeOf(bad)).toBe('BAD_USER_INPUT');
    expect(
      codeOf(
        await gql(
          url,
          '{ team(organization: "acme", name: "paging") { projects(first: 101) { totalCount } } }',
          {},
          mia.token,
        ),
      ),
    ).toBe('BAD_USER_INPUT');
  });

  it(
    'lists projects with their runs and authors in a fixed ' + 'number of SQL statements, whatever the page size',
    async () => {
      // Projects and runs by different people, so that run authors are never already cached from the project level.
      const authors = await Promise.all(
        ['pa', 'pb', 'pc'].map((u) => addMember(ctx.t, ctx.org, u, OrgRole.MEMBER, MemberStatus.ACTIVE)),
      );
      const runners = await Promise.all(
        ['ra', 'rb'].map((u) => addMember(ctx.t, ctx.org, u, OrgRole.MEMBER, MemberStatus.ACTIVE)),
      );
      await makeTeam(
        ctx.t,
        ctx.org,
        'perf',
        [...authors, ...runners].map((a) => [a, TeamRole.MEMBER] as [Actor, TeamRole]),
      );
      for (let p = 0; p < 5; p++) {
        const owner = authors[p % authors.length]!;
        await gql(
          url,
          CREATE_PROJECT,
          { i: { organization: 'acme', team: 'perf', name: `project-${p}` } },
          owner.token,
        );
        for (const runner of runners)
          await gql(url, LOG_RUN, { i: { organization: 'acme', team: 'perf', project: `project-${p}` } }, runner.token);
      }
      const QUERY =
        'query($n: Int!) { team(organization: "acme", name: "perf") { projects(first: $n) { nodes { name createdBy { ' +
        'username } runs(first: 5) { nodes { name createdBy { username } } } } } } }';
      // Only this request's reads: the email sender may poll and the activity tracker may write meanwhile.
      const ours = (statements: string[]) =>
        statements.filter((s) => /^\s*select/i.test(s) && !/outbox_emails/.test(s));
      const measure = async (n: number) => {
        const { result, statements } = await countStatements(ctx.t, () => gql(url, QUERY, { n }, authors[0]!.token));
        expect(result.errors).toBeUndefined();
        const nodes = result.data!.team.projects.nodes as Array<{
          createdBy: { username: string };
          runs: { nodes: Array<{ createdBy: { username: string } }> };
        }>;
        expect(nodes).toHaveLength(n);
        for (const node of nodes) {
          expect(node.createdBy.username).toMatch(/^p[abc]$/);
          expect(node.runs.nodes.map((r) => r.createdBy.username).sort()).toEqual(['ra', 'rb']);
        }
        return ours(statements);
      };
      const small = await measure(1);
      const large = await measure(5);
      expect(large.length).toBe(small.length);
      // Auth and team lookup, then: projects, their count, runs, run counts, project authors, run authors.
      expect(large.filter((s) => /from "(projects|users)"|from runs /.test(s))).toHaveLength(6);
    },
  );
});
