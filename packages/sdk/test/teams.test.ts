import { beforeAll, describe, expect, test } from 'vitest';
import {
  BadUserInputError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  RosterClient,
  type CustomRole,
  type Project,
  type Report,
  type Run,
  type Team,
  type TeamMember,
} from '../src';
import { ADMIN, useServer } from './helpers';

const PASSWORD = 'a long enough password';
const ORG = 'acme';
const TEAM = 'vision';
const at = { organization: ORG, team: TEAM } as const;

/** The `token` query parameter of an accept link. */
function tokenOf(acceptUrl: string | null | undefined): string {
  const token = acceptUrl ? new URL(acceptUrl).searchParams.get('token') : null;
  expect(token).toEqual(expect.any(String));
  return token!;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

// Tests in this file run in order on one server and build on each other: a team with a bucket, its
// members, projects, runs and reports, then custom roles.
describe('teams, projects and custom roles', () => {
  const server = useServer();
  let admin: RosterClient;
  const people = {} as Record<'grace' | 'linus' | 'margaret' | 'edsger', RosterClient>;

  /** [username, role, customRole] of every member of the team, as the admin sees them. */
  async function roster(): Promise<Array<[string, string, string | null]>> {
    const members: TeamMember[] = await collect(admin.org(ORG).team(TEAM).iterateMembers({ pageSize: 2 }));
    return members.map((m) => [m.user.username, m.role, m.customRole]);
  }

  beforeAll(async () => {
    admin = new RosterClient({ url: server.url });
    await admin.signUp({ ...ADMIN, organizationName: ORG });
    // Three organization MEMBERs without teams; grace is invited with her team below.
    const { results } = await admin
      .org(ORG)
      .inviteMany({ rows: 'linus@example.com\nmargaret@example.com\nedsger@example.com', sendEmail: false });
    await Promise.all(
      results.map(async (r) => {
        const username = r.email.split('@')[0] as 'linus' | 'margaret' | 'edsger';
        const client = new RosterClient({ url: server.url });
        await client.acceptInvitation({ token: tokenOf(r.acceptUrl), username, name: username, password: PASSWORD });
        people[username] = client;
      }),
    );
  });

  test(
    'an org admin creates a team with a bucket; teams and iterateTeams list it; an invitee with a team ' +
      'assignment joins it on acceptance',
    async () => {
      const { team } = await admin.createTeam({
        organization: ORG,
        name: TEAM,
        storage: { kind: 'BUCKET', provider: 'AWS', bucket: 'acme-runs', region: 'us-east-1' },
      });
      expect(team).toMatchObject({
        name: TEAM,
        organization: { name: ORG },
        storage: {
          kind: 'BUCKET',
          provider: 'AWS',
          bucket: 'acme-runs',
          region: 'us-east-1',
          path: null,
          endpoint: null,
        },
        settings: { membersCanInvite: false, projectsPrivateByDefault: true },
      });
      await admin.createTeam({ organization: ORG, name: 'audio' });

      const searched = await admin.org(ORG).teams({ search: 'VIS' });
      expect(searched.totalCount).toBe(1);
      expect(searched.nodes.map((t) => t.name)).toEqual([TEAM]);
      expect(searched.nodes[0]).toEqual(team);
      const all: Team[] = await collect(admin.org(ORG).iterateTeams({ pageSize: 1 }));
      expect(all.map((t) => t.name)).toEqual(['audio', TEAM]);

      const { invitation, acceptUrl } = await admin.inviteUser({
        organization: ORG,
        email: 'grace@example.com',
        teams: [{ team: TEAM, role: 'MEMBER' }],
        sendEmail: false,
      });
      expect(invitation.teams).toEqual([{ team: TEAM, role: 'MEMBER' }]);
      people.grace = new RosterClient({ url: server.url });
      await people.grace.acceptInvitation({
        token: tokenOf(acceptUrl),
        username: 'grace',
        name: 'Grace Hopper',
        password: PASSWORD,
      });

      expect(await roster()).toEqual([
        ['ada', 'ADMIN', null],
        ['grace', 'MEMBER', null],
      ]);
      const page = await people.grace.org(ORG).team(TEAM).members({ first: 1 });
      expect(page).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: true } });
    },
  );

  test('addTeamMember and removeTeamMember by username and by email', async () => {
    expect((await admin.addTeamMember({ ...at, user: 'linus' })).member).toMatchObject({
      role: 'MEMBER',
      user: { username: 'linus' },
    });
    expect((await admin.org(ORG).team(TEAM).addMember({ user: 'margaret@example.com' })).member).toMatchObject({
      role: 'MEMBER',
      user: { username: 'margaret' },
    });
    expect((await roster()).map(([u]) => u)).toEqual(['ada', 'grace', 'linus', 'margaret']);
    await expect(admin.addTeamMember({ ...at, user: 'linus@example.com' })).rejects.toBeInstanceOf(ConflictError);

    expect((await admin.removeTeamMember({ ...at, user: 'margaret@example.com' })).user.username).toBe('margaret');
    expect((await admin.org(ORG).team(TEAM).removeMember({ user: 'linus' })).user.username).toBe('linus');
    expect((await roster()).map(([u]) => u)).toEqual(['ada', 'grace']);
  });

  test(
    'members may invite: off, a MEMBER gets ForbiddenError; ' + 'on, a MEMBER adds people with MEMBER but not ADMIN',
    async () => {
      const grace = people.grace;
      expect(await grace.org(ORG).team(TEAM).permissions()).not.toContain('TEAM_INVITE_MEMBER');
      await expect(grace.addTeamMember({ ...at, user: 'linus' })).rejects.toBeInstanceOf(ForbiddenError);

      const { team } = await admin
        .org(ORG)
        .team(TEAM)
        .update({ settings: { membersCanInvite: true } });
      expect(team.settings.membersCanInvite).toBe(true);
      expect(await grace.org(ORG).team(TEAM).permissions()).toContain('TEAM_INVITE_MEMBER');

      expect((await grace.addTeamMember({ ...at, user: 'linus', role: 'MEMBER' })).member.role).toBe('MEMBER');
      const tooHigh = await grace.addTeamMember({ ...at, user: 'margaret', role: 'ADMIN' }).catch((e: unknown) => e);
      expect(tooHigh).toBeInstanceOf(ForbiddenError);
      expect(tooHigh).toMatchObject({
        code: 'FORBIDDEN',
        path: ['addTeamMember'],
        message: expect.stringContaining('at most the MEMBER role'),
      });
      expect((await roster()).map(([u]) => u)).toEqual(['ada', 'grace', 'linus']);
      expect((await grace.addTeamMember({ ...at, user: 'margaret' })).member.role).toBe('MEMBER');
    },
  );

  test('a VIEW_ONLY member reads the team but gets ForbiddenError from createProject', async () => {
    await admin.addTeamMember({ ...at, user: 'edsger', role: 'VIEW_ONLY' });
    const permissions = await people.edsger.org(ORG).team(TEAM).permissions();
    expect(permissions).toContain('TEAM_READ');
    expect(permissions).not.toContain('PROJECT_CREATE');
    const error = await people.edsger.createProject({ ...at, name: 'mine' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error).toMatchObject({ path: ['createProject'] });
    expect((await admin.projects(at)).totalCount).toBe(0);
  });

  test(
    'a member creates a project, logs runs and writes a report, each attributed to them; runs pages through a ' +
      'project found by name',
    async () => {
      const grace = people.grace;
      const { project } = await grace.createProject({ ...at, name: 'detector' });
      expect(project).toMatchObject({
        name: 'detector',
        visibility: 'PRIVATE',
        createdByUsername: 'grace',
        createdBy: { username: 'grace' },
        runCount: 0,
      });
      await expect(grace.createProject({ ...at, name: 'detector' })).rejects.toBeInstanceOf(ConflictError);

      const baseline = (await grace.logRun({ ...at, project: 'detector', name: 'baseline' })).run;
      expect(baseline).toMatchObject({
        name: 'baseline',
        createdByUsername: 'grace',
        createdBy: { username: 'grace' },
        project: { id: project.id, name: 'detector' },
      });
      const generated = (await grace.logRun({ ...at, project: 'detector' })).run;
      expect(generated.name).toMatch(/^run-[0-9a-z]{8}$/);
      const { report } = await grace.createReport({ ...at, title: 'Detector results', project: 'detector' });
      expect(report).toMatchObject({
        title: 'Detector results',
        createdByUsername: 'grace',
        createdBy: { username: 'grace' },
        team: { name: TEAM },
        project: { name: 'detector' },
      });

      await people.linus.createProject({ ...at, name: 'linus-lab', visibility: 'PUBLIC' });
      await expect(people.edsger.logRun({ ...at, project: 'detector' })).rejects.toBeInstanceOf(ForbiddenError);

      // detector is the second project (newest first): runs locates it behind linus-lab.
      const first = await people.edsger.org(ORG).team(TEAM).runs({ project: 'detector', first: 1 });
      expect(first).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: true } });
      expect(first.nodes.map((r) => r.id)).toEqual([generated.id]);
      const second = await people.edsger
        .org(ORG)
        .team(TEAM)
        .runs({ project: 'detector', first: 1, after: first.pageInfo.endCursor });
      expect(second.nodes.map((r) => r.name)).toEqual(['baseline']);
      expect(second.pageInfo.hasNextPage).toBe(false);
      expect((await admin.runs({ ...at, project: 'linus-lab' })).totalCount).toBe(0);
      const missing = await admin.runs({ ...at, project: 'Detector' }).catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(NotFoundError);
      // Team.project answers null for a missing project; the SDK turns the null lookup into NotFoundError.
      expect(missing).toMatchObject({
        code: 'NOT_FOUND',
        operationName: 'Runs',
        requestId: expect.any(String),
        message: expect.stringContaining('project'),
      });
    },
  );

  test(
    'after the member is removed from the organization, ' + 'projects, runs and reports still show them as creator',
    async () => {
      await admin.removeMember({ organization: ORG, user: 'grace' });
      expect((await roster()).map(([u]) => u)).not.toContain('grace');
      await expect(people.grace.projects(at)).rejects.toBeInstanceOf(NotFoundError);

      const projects: Project[] = await collect(admin.org(ORG).team(TEAM).iterateProjects({ pageSize: 1 }));
      expect(projects.map((p) => [p.name, p.createdBy?.username, p.createdByUsername, p.runCount])).toEqual([
        ['linus-lab', 'linus', 'linus', 0],
        ['detector', 'grace', 'grace', 2],
      ]);
      const runs: Run[] = await collect(admin.iterateRuns({ ...at, project: 'detector', pageSize: 1 }));
      expect(runs).toHaveLength(2);
      for (const run of runs)
        expect(run).toMatchObject({
          createdByUsername: 'grace',
          createdBy: { username: 'grace' },
          project: { name: 'detector' },
        });
      const reports: Report[] = await collect(admin.iterateReports({ ...at, pageSize: 1 }));
      expect(reports.map((r) => [r.title, r.createdBy?.username, r.project?.name])).toEqual([
        ['Detector results', 'grace', 'detector'],
      ]);
    },
  );

  let deleter: CustomRole;

  test(
    "a custom role with project:delete lets its holder delete someone else's project; a plain member gets " +
      'ForbiddenError',
    async () => {
      ({ customRole: deleter } = await admin.createCustomRole({
        organization: ORG,
        name: 'Deleter',
        inheritsFrom: 'MEMBER',
        permissions: ['PROJECT_DELETE'],
      }));
      expect(deleter).toMatchObject({
        name: 'Deleter',
        inheritsFrom: 'MEMBER',
        permissions: ['PROJECT_DELETE'],
        description: null,
      });
      expect((await admin.org(ORG).customRoles()).nodes).toEqual([deleter]);
      await expect(
        admin.createCustomRole({ organization: ORG, name: 'Deleter', inheritsFrom: 'MEMBER', permissions: [] }),
      ).rejects.toBeInstanceOf(ConflictError);

      const { member } = await admin.updateTeamMemberRole({ ...at, user: 'linus', customRole: 'Deleter' });
      expect(member).toMatchObject({ role: 'MEMBER', customRole: 'Deleter', user: { username: 'linus' } });
      expect(await people.linus.org(ORG).team(TEAM).permissions()).toContain('PROJECT_DELETE');
      expect(await people.margaret.org(ORG).team(TEAM).permissions()).not.toContain('PROJECT_DELETE');

      const refused = await people.margaret.deleteProject({ ...at, project: 'detector' }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(ForbiddenError);
      const deleted = await people.linus.deleteProject({ ...at, project: 'detector' });
      expect(deleted).toMatchObject({ deletedProjectId: expect.any(String), team: { name: TEAM }, runsDeleted: 2 });
      expect((await admin.projects(at)).nodes.map((p) => p.name)).toEqual(['linus-lab']);
      await expect(admin.runs({ ...at, project: 'detector' })).rejects.toBeInstanceOf(NotFoundError);
      // Its report stays, detached.
      expect((await admin.reports(at)).nodes.map((r) => [r.title, r.project])).toEqual([['Detector results', null]]);
    },
  );

  test('updateCustomRole changes the role; deleteCustomRole sends its holders back to the base role', async () => {
    const { customRole } = await admin.updateCustomRole({
      id: deleter.id,
      description: 'Cleans up',
      permissions: ['PROJECT_DELETE', 'RUN_DELETE'],
    });
    expect(customRole).toMatchObject({
      id: deleter.id,
      name: 'Deleter',
      description: 'Cleans up',
      permissions: expect.arrayContaining(['PROJECT_DELETE', 'RUN_DELETE']),
    });
    expect(await people.linus.org(ORG).team(TEAM).permissions()).toContain('RUN_DELETE');

    expect(await admin.deleteCustomRole({ id: deleter.id })).toEqual({
      deletedCustomRoleId: deleter.id,
      organization: expect.objectContaining({ name: ORG }),
      reassigned: 1,
    });
    expect((await admin.org(ORG).customRoles()).totalCount).toBe(0);
    const permissions = await people.linus.org(ORG).team(TEAM).permissions();
    expect(permissions).not.toContain('PROJECT_DELETE');
    expect(permissions).toContain('PROJECT_DELETE_OWN');
    expect((await roster()).find(([u]) => u === 'linus')).toEqual(['linus', 'MEMBER', null]);

    await people.margaret.createProject({ ...at, name: 'margaret-lab' });
    await expect(people.linus.deleteProject({ ...at, project: 'margaret-lab' })).rejects.toBeInstanceOf(ForbiddenError);
    expect((await people.linus.deleteProject({ ...at, project: 'linus-lab' })).runsDeleted).toBe(0);
  });

  test(
    'permissionCatalogue is public; an unknown permission or a missing requirement is BadUserInputError; members ' +
      'may not create roles',
    async () => {
      const catalogue = await new RosterClient({ url: server.url }).permissionCatalogue();
      expect(catalogue.maxCustomRolesPerOrganization).toBe(50);
      expect(catalogue.permissions.find((p) => p.name === 'PROJECT_DELETE')).toEqual({
        name: 'PROJECT_DELETE',
        description: expect.any(String),
        requires: ['TEAM_READ'],
        grantedTo: ['ADMIN'],
      });
      expect(catalogue.roles.map((r) => [r.role, r.inheritable])).toEqual(
        expect.arrayContaining([
          ['MEMBER', true],
          ['VIEW_ONLY', true],
          ['ADMIN', false],
        ]),
      );
      expect(catalogue.roles.find((r) => r.role === 'MEMBER')?.permissions).toContain('PROJECT_DELETE_OWN');

      // Permissions are the TeamPermission enum: TypeScript refuses an unknown one, and so does the server.
      const unknown = await admin
        .createCustomRole({
          organization: ORG,
          name: 'Exploder',
          inheritsFrom: 'MEMBER',
          // @ts-expect-error 'PROJECT_EXPLODE' is not a TeamPermission
          permissions: ['PROJECT_EXPLODE'],
        })
        .catch((e: unknown) => e);
      expect(unknown).toBeInstanceOf(BadUserInputError);
      expect((unknown as BadUserInputError).message).toMatch(/TeamPermission/);
      const unmet = await admin
        .createCustomRole({
          organization: ORG,
          name: 'Cleaner',
          inheritsFrom: 'VIEW_ONLY',
          permissions: ['RUN_DELETE_OWN'],
        })
        .catch((e: unknown) => e);
      expect(unmet).toBeInstanceOf(BadUserInputError);
      expect((unmet as BadUserInputError).message).toContain('RUN_CREATE');
      await expect(
        people.margaret.createCustomRole({ organization: ORG, name: 'Mine', inheritsFrom: 'MEMBER', permissions: [] }),
      ).rejects.toBeInstanceOf(ForbiddenError);
      expect((await admin.org(ORG).customRoles()).totalCount).toBe(0);
    },
  );

  test(
    'deleteRun and deleteReport: members delete their own only; ' + 'organizationPermissions tells admins from members',
    async () => {
      const mine = (await people.margaret.logRun({ ...at, project: 'margaret-lab' })).run;
      const theirs = (await people.linus.logRun({ ...at, project: 'margaret-lab', name: 'linus-try' })).run;
      await expect(people.linus.deleteRun({ id: mine.id })).rejects.toBeInstanceOf(ForbiddenError);
      expect(await people.margaret.deleteRun({ id: mine.id })).toMatchObject({
        deletedRunId: mine.id,
        project: { name: 'margaret-lab', runCount: 1 },
      });
      expect((await admin.deleteRun({ id: theirs.id })).deletedRunId).toBe(theirs.id);
      expect((await admin.runs({ ...at, project: 'margaret-lab' })).totalCount).toBe(0);

      const { report } = await people.margaret.createReport({ ...at, title: 'Notes' });
      expect(report.project).toBeNull();
      await expect(people.linus.deleteReport({ id: report.id })).rejects.toBeInstanceOf(ForbiddenError);
      expect(await people.margaret.deleteReport({ id: report.id })).toEqual({
        deletedReportId: report.id,
        team: expect.objectContaining({ name: TEAM }),
      });
      const [orphan] = (await admin.reports(at)).nodes;
      expect((await admin.deleteReport({ id: orphan!.id })).deletedReportId).toBe(orphan!.id);
      expect((await admin.reports(at)).totalCount).toBe(0);

      expect(await admin.org(ORG).permissions()).toEqual(
        expect.arrayContaining(['MEMBER_INVITE', 'CUSTOM_ROLE_MANAGE', 'TEAM_CREATE']),
      );
      const member = await people.margaret.organizationPermissions({ organization: ORG });
      expect(member).toContain('ORG_READ');
      expect(member).not.toContain('CUSTOM_ROLE_MANAGE');
    },
  );
});
