import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  instanceWithAdmin,
  addMember,
  gql,
  codeOf,
  countStatements,
  inviteByLink,
  acceptAsNewUser,
  INVITE,
  type InstanceWithAdmin,
  type Actor,
  outcomeOf,
} from './fixtures';
import { MemberStatus, OrgRole } from '../src/authz/roles';

const CREATE =
  'mutation($i: CreateTeamInput!) { createTeam(input: $i) { team { name storage { kind provider bucket path region ' +
  'endpoint } settings { membersCanInvite projectsPrivateByDefault publicReportsAllowed hidden alerts { runFinished ' +
  'runCrashed slackChannel } } viewerPermissions } } }';
const UPDATE =
  'mutation($i: UpdateTeamInput!) { updateTeam(input: $i) { team { name avatarUrl settings { membersCanInvite ' +
  'hidden alerts { runFinished slackChannel } } } } }';
const DELETE = 'mutation($i: DeleteTeamInput!) { deleteTeam(input: $i) { deletedTeamId organization { name } } }';
const ADD = 'mutation($i: AddTeamMemberInput!) { addTeamMember(input: $i) { member { role user { username } } } }';
const ROLE =
  'mutation($i: UpdateTeamMemberRoleInput!) { updateTeamMemberRole(input: $i) { member { role user { username } } } }';
const REMOVE =
  'mutation($i: RemoveTeamMemberInput!) { removeTeamMember(input: $i) { removedTeamMemberId team { name } user { ' +
  'username } } }';
const LEAVE = 'mutation($i: LeaveTeamInput!) { leaveTeam(input: $i) { removedTeamMemberId team { name } } }';
const TEAM =
  'query($n: String!) { team(organization: "acme", name: $n) { name viewerPermissions members { totalCount nodes { ' +
  'role user { username } } } } }';
const teamCount = async (ctx: InstanceWithAdmin): Promise<number> => {
  const rows: Array<{ n: number }> = await ctx.t.server.db.orm.em
    .fork()
    .getConnection()
    .execute('select count(*)::int as n from teams');
  return rows[0]!.n;
};

describe('teams', () => {
  let ctx: InstanceWithAdmin;
  let orgAdmin: Actor;
  let teamAdmin: Actor;
  let member: Actor;
  let viewOnly: Actor;
  let outsider: Actor; // org member outside the team
  let orgViewer: Actor;
  let otherOrgAdmin: Actor;
  let deactivated: Actor;

  beforeAll(async () => {
    ctx = await instanceWithAdmin();
    orgAdmin = await addMember(ctx.t, ctx.org, 'oscar', OrgRole.ADMIN);
    teamAdmin = await addMember(ctx.t, ctx.org, 'tara', OrgRole.MEMBER);
    member = await addMember(ctx.t, ctx.org, 'mike', OrgRole.MEMBER);
    viewOnly = await addMember(ctx.t, ctx.org, 'vera', OrgRole.MEMBER);
    outsider = await addMember(ctx.t, ctx.org, 'otto', OrgRole.MEMBER);
    orgViewer = await addMember(ctx.t, ctx.org, 'val', OrgRole.VIEWER);
    deactivated = await addMember(ctx.t, ctx.org, 'dora', OrgRole.MEMBER);
    await gql(
      ctx.url,
      'mutation { createOrganization(input: { name: "beta" }) { organization { name } } }',
      {},
      ctx.admin.token,
    );
    const other = await inviteByLink(ctx.url, ctx.admin.token, 'beta', 'bert@example.com', 'ADMIN');
    const bert = await acceptAsNewUser(ctx.url, other.token, 'bert');
    otherOrgAdmin = { user: { id: bert.userId, username: 'bert' } as Actor['user'], token: bert.token };
  });
  afterAll(() => ctx?.t.close());

  it('creates a team with MANAGED storage by default; the creator is its ADMIN', async () => {
    const res = await gql(ctx.url, CREATE, { i: { organization: 'acme', name: 'Vision' } }, orgAdmin.token);
    const team = res.data!.createTeam.team;
    expect(team.name).toBe('vision');
    expect(team.storage).toEqual({
      kind: 'MANAGED',
      provider: null,
      bucket: null,
      path: null,
      region: null,
      endpoint: null,
    });
    expect(team.settings).toEqual({
      membersCanInvite: false,
      projectsPrivateByDefault: true,
      publicReportsAllowed: true,
      hidden: false,
      alerts: { runFinished: [], runCrashed: ['EMAIL'], slackChannel: null },
    });
    expect(team.viewerPermissions).toContain('MEMBER_MANAGE');
    const t = await gql(ctx.url, TEAM, { n: 'vision' }, orgAdmin.token);
    expect(t.data!.team.members.nodes).toEqual([{ role: 'ADMIN', user: { username: 'oscar' } }]);
    expect(codeOf(await gql(ctx.url, CREATE, { i: { organization: 'acme', name: 'vision' } }, orgAdmin.token))).toBe(
      'CONFLICT',
    );
  });

  it('creates a team on a bucket, validating provider, bucket, path, region and endpoint', async () => {
    const ok = await gql(
      ctx.url,
      CREATE,
      {
        i: {
          organization: 'acme',
          name: 'nlp',
          storage: { kind: 'BUCKET', provider: 'AWS', bucket: 'acme-nlp-runs', path: 'teams/nlp', region: 'us-east-1' },
        },
      },
      orgAdmin.token,
    );
    expect(ok.data!.createTeam.team.storage).toEqual({
      kind: 'BUCKET',
      provider: 'AWS',
      bucket: 'acme-nlp-runs',
      path: 'teams/nlp',
      region: 'us-east-1',
      endpoint: null,
    });
    const minio = await gql(
      ctx.url,
      CREATE,
      {
        i: {
          organization: 'acme',
          name: 'edge',
          storage: { kind: 'BUCKET', provider: 'MINIO', bucket: 'edge', endpoint: 'https://minio.internal:9000' },
        },
      },
      orgAdmin.token,
    );
    expect(minio.data!.createTeam.team.storage.endpoint).toBe('https://minio.internal:9000');
    const before = await teamCount(ctx);
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ kind: 'BUCKET', bucket: 'x-bucket' }, 'storage.provider'],
      [{ kind: 'BUCKET', provider: 'GCP' }, 'storage.bucket'],
      [{ kind: 'BUCKET', provider: 'GCP', bucket: 'Bad_Bucket' }, 'storage.bucket'],
      [{ kind: 'BUCKET', provider: 'AZURE', bucket: 'no-slash' }, 'storage.bucket'],
      [{ kind: 'BUCKET', provider: 'AWS', bucket: 'ok-bucket', path: '/abs' }, 'storage.path'],
      [{ kind: 'BUCKET', provider: 'AWS', bucket: 'ok-bucket', path: 'a/../b' }, 'storage.path'],
      [{ kind: 'BUCKET', provider: 'AWS', bucket: 'ok-bucket', region: 'US EAST' }, 'storage.region'],
      [{ kind: 'BUCKET', provider: 'MINIO', bucket: 'ok-bucket' }, 'storage.endpoint'],
      [{ kind: 'MANAGED', bucket: 'stray' }, 'storage.bucket'],
    ];
    for (const [storage, field] of bad) {
      const res = await gql(
        ctx.url,
        CREATE,
        { i: { organization: 'acme', name: 'bad-storage', storage } },
        orgAdmin.token,
      );
      expect(codeOf(res), field).toBe('BAD_USER_INPUT');
      expect(res.errors![0]!.extensions!.field, JSON.stringify(storage)).toBe(field);
    }
    expect(codeOf(await gql(ctx.url, CREATE, { i: { organization: 'acme', name: 'x' } }, orgAdmin.token))).toBe(
      'BAD_USER_INPUT',
    );
    expect(
      codeOf(
        await gql(
          ctx.url,
          CREATE,
          { i: { organization: 'acme', name: 'ok', storage: { kind: 'BUCKET', provider: 'IBM', bucket: 'b' } } },
          orgAdmin.token,
        ),
      ),
    ).toBe('BAD_USER_INPUT');
    expect(await teamCount(ctx)).toBe(before);
  });

  it('lets only org admins create teams by default, and members when the organization allows it', async () => {
    for (const [actor, code] of [
      [member, 'FORBIDDEN'],
      [orgViewer, 'FORBIDDEN'],
      [otherOrgAdmin, 'NOT_FOUND'],
      [undefined, 'UNAUTHENTICATED'],
    ] as const) {
      expect(
        codeOf(await gql(ctx.url, CREATE, { i: { organization: 'acme', name: 'by-someone' } }, actor?.token)),
      ).toBe(code);
    }
    await gql(
      ctx.url,
      'mutation { updateOrganization(input: { organization: "acme", settings: { membersCanCreateTeams: true } }) { ' +
        'organization { name } } }',
      {},
      ctx.admin.token,
    );
    const res = await gql(ctx.url, CREATE, { i: { organization: 'acme', name: 'mikes-team' } }, member.token);
    expect(res.data!.createTeam.team.name).toBe('mikes-team');
    expect(
      codeOf(await gql(ctx.url, CREATE, { i: { organization: 'acme', name: 'viewers-team' } }, orgViewer.token)),
    ).toBe('FORBIDDEN');
    await gql(
      ctx.url,
      'mutation { updateOrganization(input: { organization: "acme", settings: { membersCanCreateTeams: false } }) { ' +
        'organization { name } } }',
      {},
      ctx.admin.token,
    );
  });

  it(
    'adds members by username or email; only ACTIVE org ' + 'members; viewers only VIEW_ONLY; SERVICE is reserved',
    async () => {
      const add = (user: string, role?: string, by = orgAdmin) =>
        gql(ctx.url, ADD, { i: { organization: 'acme', team: 'vision', user, role } }, by.token);
      expect((await add('tara', 'ADMIN')).data!.addTeamMember.member).toEqual({
        role: 'ADMIN',
        user: { username: 'tara' },
      });
      expect((await add('MIKE@example.com')).data!.addTeamMember.member.role).toBe('MEMBER');
      expect((await add('vera', 'VIEW_ONLY')).data!.addTeamMember.member.role).toBe('VIEW_ONLY');
      expect((await add('val')).data!.addTeamMember.member.role).toBe('VIEW_ONLY');
      expect(codeOf(await add('val'))).toBe('CONFLICT');
      expect(codeOf(await add('otto', 'MEMBER', viewOnly))).toBe('FORBIDDEN');
      expect(codeOf(await add('bert'))).toBe('NOT_ORG_MEMBER');
      expect(codeOf(await add('nobody@example.com'))).toBe('NOT_ORG_MEMBER');
      await gql(
        ctx.url,
        'mutation { deactivateMember(input: { organization: "acme", user: "dora" }) { member { status } } }',
        {},
        ctx.admin.token,
      );
      expect(codeOf(await add('dora'))).toBe('NOT_ORG_MEMBER');
      expect(codeOf(await add('otto', 'SERVICE'))).toBe('BAD_USER_INPUT');
      const t = await gql(ctx.url, TEAM, { n: 'vision' }, teamAdmin.token);
      expect(t.data!.team.members.totalCount).toBe(5);
    },
  );

  it('lets members add others only when the team allows it, and then with at most MEMBER', async () => {
    expect(
      codeOf(await gql(ctx.url, ADD, { i: { organization: 'acme', team: 'vision', user: 'otto' } }, member.token)),
    ).toBe('FORBIDDEN');
    const upd = await gql(
      ctx.url,
      UPDATE,
      { i: { organization: 'acme', team: 'vision', settings: { membersCanInvite: true } } },
      teamAdmin.token,
    );
    expect(upd.data!.updateTeam.team.settings.membersCanInvite).toBe(true);
    expect(
      codeOf(
        await gql(
          ctx.url,
          ADD,
          { i: { organization: 'acme', team: 'vision', user: 'otto', role: 'ADMIN' } },
          member.token,
        ),
      ),
    ).toBe('FORBIDDEN');
    const added = await gql(ctx.url, ADD, { i: { organization: 'acme', team: 'vision', user: 'otto' } }, member.token);
    expect(added.data!.addTeamMember.member).toEqual({ role: 'MEMBER', user: { username: 'otto' } });
    // VIEW_ONLY members never invite; an org viewer in the team neither.
    expect(
      codeOf(await gql(ctx.url, ADD, { i: { organization: 'acme', team: 'vision', user: 'oscar' } }, viewOnly.token)),
    ).toBe('FORBIDDEN');
    expect(
      codeOf(await gql(ctx.url, ADD, { i: { organization: 'acme', team: 'vision', user: 'oscar' } }, orgViewer.token)),
    ).toBe('FORBIDDEN');
    await gql(ctx.url, REMOVE, { i: { organization: 'acme', team: 'vision', user: 'otto' } }, teamAdmin.token);
    await gql(
      ctx.url,
      UPDATE,
      { i: { organization: 'acme', team: 'vision', settings: { membersCanInvite: false } } },
      teamAdmin.token,
    );
  });

  it('changes roles and keeps a team admin unless an org admin removes the last one', async () => {
    expect(
      codeOf(
        await gql(
          ctx.url,
          ROLE,
          { i: { organization: 'acme', team: 'vision', user: 'mike', role: 'ADMIN' } },
          member.token,
        ),
      ),
    ).toBe('FORBIDDEN');
    expect(
      (
        await gql(
          ctx.url,
          ROLE,
          { i: { organization: 'acme', team: 'vision', user: 'oscar', role: 'MEMBER' } },
          teamAdmin.token,
        )
      ).data!.updateTeamMemberRole.member.role,
    ).toBe('MEMBER');
    // tara is now the only team admin.
    expect(
      codeOf(
        await gql(
          ctx.url,
          ROLE,
          { i: { organization: 'acme', team: 'vision', user: 'tara', role: 'MEMBER' } },
          teamAdmin.token,
        ),
      ),
    ).toBe('LAST_ADMIN');
    expect(codeOf(await gql(ctx.url, LEAVE, { i: { organization: 'acme', team: 'vision' } }, teamAdmin.token))).toBe(
      'LAST_ADMIN',
    );
    expect(
      codeOf(
        await gql(
          ctx.url,
          ROLE,
          { i: { organization: 'acme', team: 'vision', user: 'val', role: 'MEMBER' } },
          teamAdmin.token,
        ),
      ),
    ).toBe('BAD_USER_INPUT');
    expect(
      codeOf(
        await gql(
          ctx.url,
          ROLE,
          { i: { organization: 'acme', team: 'vision', user: 'tara', role: 'OWNER' } },
          teamAdmin.token,
        ),
      ),
    ).toBe('BAD_USER_INPUT');
    // The org admin can remove the last team admin.
    const removed = await gql(
      ctx.url,
      REMOVE,
      { i: { organization: 'acme', team: 'vision', user: 'tara' } },
      orgAdmin.token,
    );
    expect(removed.data!.removeTeamMember.user.username).toBe('tara');
    await gql(
      ctx.url,
      ADD,
      { i: { organization: 'acme', team: 'vision', user: 'tara', role: 'ADMIN' } },
      orgAdmin.token,
    );
  });

  it('lets members leave, and team admins remove others; nobody else', async () => {
    expect(
      codeOf(await gql(ctx.url, REMOVE, { i: { organization: 'acme', team: 'vision', user: 'vera' } }, member.token)),
    ).toBe('FORBIDDEN');
    expect(
      codeOf(await gql(ctx.url, REMOVE, { i: { organization: 'acme', team: 'vision', user: 'vera' } }, outsider.token)),
    ).toBe('FORBIDDEN');
    expect(
      codeOf(
        await gql(ctx.url, REMOVE, { i: { organization: 'acme', team: 'vision', user: 'vera' } }, otherOrgAdmin.token),
      ),
    ).toBe('NOT_FOUND');
    expect(codeOf(await gql(ctx.url, REMOVE, { i: { organization: 'acme', team: 'vision', user: 'vera' } }))).toBe(
      'UNAUTHENTICATED',
    );
    expect(
      (await gql(ctx.url, LEAVE, { i: { organization: 'acme', team: 'vision' } }, viewOnly.token)).data!.leaveTeam.team
        .name,
    ).toBe('vision');
    expect(codeOf(await gql(ctx.url, LEAVE, { i: { organization: 'acme', team: 'vision' } }, viewOnly.token))).toBe(
      'NOT_FOUND',
    );
    await gql(
      ctx.url,
      ADD,
      { i: { organization: 'acme', team: 'vision', user: 'vera', role: 'VIEW_ONLY' } },
      teamAdmin.token,
    );
  });

  it('validates and stores settings; refuses updates to non-admins', async () => {
    const res = await gql(
      ctx.url,
      UPDATE,
      {
        i: {
          organization: 'acme',
          team: 'vision',
          avatarUrl: 'https://cdn.example.com/v.png',
          settings: { alerts: { runFinished: ['EMAIL', 'SLACK'], slackChannel: '#vision' } },
        },
      },
      teamAdmin.token,
    );
    expect(res.data!.updateTeam.team).toMatchObject({
      avatarUrl: 'https://cdn.example.com/v.png',
      settings: { alerts: { runFinished: ['EMAIL', 'SLACK'], slackChannel: '#vision' } },
    });
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ settings: { alerts: { runCrashed: ['SLACK'], slackChannel: null } } }, 'settings.alerts.slackChannel'],
      [{ settings: { alerts: { slackChannel: 'no-hash' } } }, 'settings.alerts.slackChannel'],
      [{ settings: { alerts: { runFinished: ['EMAIL', 'EMAIL'] } } }, 'settings.alerts.runFinished'],
      [{ avatarUrl: 'http://insecure.example.com/a.png' }, 'avatarUrl'],
    ];
    for (const [change, field] of cases) {
      const bad = await gql(
        ctx.url,
        UPDATE,
        { i: { organization: 'acme', team: 'vision', ...change } },
        teamAdmin.token,
      );
      expect(codeOf(bad), field).toBe('BAD_USER_INPUT');
      expect(bad.errors![0]!.extensions!.field).toBe(field);
    }
    for (const [actor, code] of [
      [member, 'FORBIDDEN'],
      [viewOnly, 'FORBIDDEN'],
      [outsider, 'FORBIDDEN'],
      [orgViewer, 'FORBIDDEN'],
      [otherOrgAdmin, 'NOT_FOUND'],
      [undefined, 'UNAUTHENTICATED'],
    ] as const) {
      expect(
        codeOf(
          await gql(
            ctx.url,
            UPDATE,
            { i: { organization: 'acme', team: 'vision', settings: { hidden: true } } },
            actor?.token,
          ),
        ),
        actor?.user.username,
      ).toBe(code);
    }
    const after = await gql(
      ctx.url,
      'query { team(organization: "acme", name: "vision") { avatarUrl settings { hidden alerts { slackChannel } } } }',
      {},
      teamAdmin.token,
    );
    expect(after.data!.team).toEqual({
      avatarUrl: 'https://cdn.example.com/v.png',
      settings: { hidden: false, alerts: { slackChannel: '#vision' } },
    });
  });

  it('makes a hidden team invisible to non-members in every query', async () => {
    await gql(
      ctx.url,
      CREATE,
      { i: { organization: 'acme', name: 'secret', settings: { hidden: true } } },
      orgAdmin.token,
    );
    await gql(ctx.url, ADD, { i: { organization: 'acme', team: 'secret', user: 'mike' } }, orgAdmin.token);
    const TEAMS = '{ organization(name: "acme") { teams(first: 100) { totalCount nodes { name } } } }';
    const names = async (token: string) =>
      (await gql(ctx.url, TEAMS, {}, token)).data!.organization.teams.nodes.map((n: { name: string }) => n.name);
    expect(await names(outsider.token)).not.toContain('secret');
    expect(await names(member.token)).toContain('secret');
    expect(await names(orgAdmin.token)).toContain('secret');
    expect(outcomeOf(await gql(ctx.url, TEAM, { n: 'secret' }, outsider.token))).toBe('absent');
    expect(
      codeOf(await gql(ctx.url, ADD, { i: { organization: 'acme', team: 'secret', user: 'otto' } }, outsider.token)),
    ).toBe('NOT_FOUND');
    const MEMBERS = '{ organization(name: "acme") { members(first: 100) { nodes { username teams { name role } } } } }';
    const mikeSeenByOutsider = (await gql(ctx.url, MEMBERS, {}, outsider.token)).data!.organization.members.nodes.find(
      (n: { username: string }) => n.username === 'mike',
    );
    expect(mikeSeenByOutsider.teams.map((t: { name: string }) => t.name)).not.toContain('secret');
    const mikeSeenByAdmin = (await gql(ctx.url, MEMBERS, {}, orgAdmin.token)).data!.organization.members.nodes.find(
      (n: { username: string }) => n.username === 'mike',
    );
    expect(mikeSeenByAdmin.teams).toEqual(
      expect.arrayContaining([
        { name: 'secret', role: 'MEMBER' },
        { name: 'vision', role: 'MEMBER' },
      ]),
    );
    // Visible (not hidden) teams: outsiders see the team but not its members or private content.
    const visible = await gql(
      ctx.url,
      TEAM.replace(' members { totalCount nodes { role user { username } } }', ''),
      { n: 'vision' },
      outsider.token,
    );
    expect(visible.data!.team.viewerPermissions).toEqual(['TEAM_VIEW']);
    expect(codeOf(await gql(ctx.url, TEAM, { n: 'vision' }, outsider.token))).toBe('FORBIDDEN');
  });

  it('fills teams in the members view and filters by team, at a fixed SQL cost', async () => {
    const Q =
      'query($f: Int, $teams: [String!]) { organization(name: "acme") { members(first: $f, teams: $teams) { ' +
      'totalCount nodes { username teams { name role } } } } }';
    const vision = await gql(ctx.url, Q, { f: 100, teams: ['vision'] }, orgAdmin.token);
    expect(vision.data!.organization.members.nodes.map((n: { username: string }) => n.username).sort()).toEqual([
      'mike',
      'oscar',
      'tara',
      'val',
      'vera',
    ]);
    const small = await countStatements(ctx.t, () => gql(ctx.url, Q, { f: 2 }, orgAdmin.token));
    const large = await countStatements(ctx.t, () => gql(ctx.url, Q, { f: 10 }, orgAdmin.token));
    const reads = (s: string[]) => s.filter((q) => !/outbox_emails|daily_activity|last_active_at = /.test(q));
    expect(reads(large.statements)).toHaveLength(reads(small.statements).length);
  });

  it('invitations carry team assignments, validated at invite time and applied on acceptance', async () => {
    const bad = await gql(
      ctx.url,
      INVITE,
      { i: { organization: 'acme', email: 'tm@example.com', sendEmail: false, teams: [{ team: 'no-such-team' }] } },
      orgAdmin.token,
    );
    expect(codeOf(bad)).toBe('BAD_USER_INPUT');
    expect(bad.errors![0]!.extensions!.field).toBe('teams.0.team');
    const viewerAsMember = await gql(
      ctx.url,
      INVITE,
      {
        i: {
          organization: 'acme',
          email: 'tm@example.com',
          role: 'VIEWER',
          sendEmail: false,
          teams: [{ team: 'vision', role: 'MEMBER' }],
        },
      },
      orgAdmin.token,
    );
    expect(codeOf(viewerAsMember)).toBe('BAD_USER_INPUT');
    const ok = await gql(
      ctx.url,
      'mutation($i: InviteUserInput!) { inviteUser(input: $i) { acceptUrl invitation { teams { team role } } } }',
      {
        i: {
          organization: 'acme',
          email: 'tm@example.com',
          sendEmail: false,
          teams: [{ team: 'vision' }, { team: 'NLP', role: 'VIEW_ONLY' }],
        },
      },
      orgAdmin.token,
    );
    expect(ok.data!.inviteUser.invitation.teams).toEqual([
      { team: 'vision', role: 'MEMBER' },
      { team: 'nlp', role: 'VIEW_ONLY' },
    ]);
    const token = new URL(ok.data!.inviteUser.acceptUrl).searchParams.get('token')!;
    const tm = await acceptAsNewUser(ctx.url, token, 'teamie');
    const perms = await gql(
      ctx.url,
      'query { vision: team(organization: "acme", name: "vision") { viewerPermissions } nlp: team(organization: ' +
        '"acme", name: "nlp") { viewerPermissions } }',
      {},
      tm.token,
    );
    expect(perms.data!.vision.viewerPermissions).toContain('PROJECT_CREATE');
    expect(perms.data!.nlp.viewerPermissions).not.toContain('PROJECT_CREATE');
    expect(perms.data!.nlp.viewerPermissions).toContain('TEAM_READ');
  });

  it('removal from the organization removes team memberships; deactivation hides them until reactivation', async () => {
    await gql(
      ctx.url,
      'mutation { reactivateMember(input: { organization: "acme", user: "dora" }) { member { status } } }',
      {},
      ctx.admin.token,
    );
    await gql(ctx.url, ADD, { i: { organization: 'acme', team: 'vision', user: 'dora' } }, orgAdmin.token);
    await gql(
      ctx.url,
      'mutation { deactivateMember(input: { organization: "acme", user: "dora" }) { member { status } } }',
      {},
      ctx.admin.token,
    );
    expect(outcomeOf(await gql(ctx.url, TEAM, { n: 'vision' }, deactivated.token))).toBe('absent');
    await gql(
      ctx.url,
      'mutation { reactivateMember(input: { organization: "acme", user: "dora" }) { member { status } } }',
      {},
      ctx.admin.token,
    );
    expect((await gql(ctx.url, TEAM, { n: 'vision' }, deactivated.token)).data!.team.viewerPermissions).toContain(
      'PROJECT_CREATE',
    );
    await gql(
      ctx.url,
      'mutation { removeMember(input: { organization: "acme", user: "dora" }) { user { username } } }',
      {},
      ctx.admin.token,
    );
    const rows = await ctx.t.server.db.orm.em
      .fork()
      .getConnection()
      .execute('select count(*)::int as n from team_memberships where user_id = ?', [deactivated.user.id]);
    expect(rows[0]!.n).toBe(0);
  });

  it('deletes a team only with its name typed back, and only by org admins', async () => {
    expect(
      codeOf(
        await gql(ctx.url, DELETE, { i: { organization: 'acme', team: 'nlp', confirmName: 'nlp' } }, teamAdmin.token),
      ),
    ).toBe('FORBIDDEN');
    await gql(ctx.url, ADD, { i: { organization: 'acme', team: 'nlp', user: 'tara', role: 'ADMIN' } }, orgAdmin.token);
    expect(
      codeOf(
        await gql(ctx.url, DELETE, { i: { organization: 'acme', team: 'nlp', confirmName: 'nlp' } }, teamAdmin.token),
      ),
    ).toBe('FORBIDDEN');
    const wrong = await gql(
      ctx.url,
      DELETE,
      { i: { organization: 'acme', team: 'nlp', confirmName: 'NLP ' } },
      orgAdmin.token,
    );
    expect(codeOf(wrong)).toBe('BAD_USER_INPUT');
    expect(wrong.errors![0]!.extensions!.field).toBe('confirmName');
    expect(
      codeOf(
        await gql(
          ctx.url,
          DELETE,
          { i: { organization: 'acme', team: 'nlp', confirmName: 'nlp' } },
          otherOrgAdmin.token,
        ),
      ),
    ).toBe('NOT_FOUND');
    expect(
      (await gql(ctx.url, DELETE, { i: { organization: 'acme', team: 'nlp', confirmName: 'nlp' } }, orgAdmin.token))
        .data!.deleteTeam.organization.name,
    ).toBe('acme');
    expect(outcomeOf(await gql(ctx.url, TEAM, { n: 'nlp' }, orgAdmin.token))).toBe('absent');
    const log = await gql(
      ctx.url,
      '{ organization(name: "acme") { auditLog(first: 100, actions: [TEAM_CREATED, TEAM_UPDATED, TEAM_DELETED, ' +
        'TEAM_MEMBER_ADDED, TEAM_MEMBER_ROLE_CHANGED, TEAM_MEMBER_REMOVED, TEAM_MEMBER_LEFT]) { nodes { action } } } }',
      {},
      ctx.admin.token,
    );
    const actions = new Set(log.data!.organization.auditLog.nodes.map((n: { action: string }) => n.action));
    expect([...actions].sort()).toEqual([
      'TEAM_CREATED',
      'TEAM_DELETED',
      'TEAM_MEMBER_ADDED',
      'TEAM_MEMBER_LEFT',
      'TEAM_MEMBER_REMOVED',
      'TEAM_MEMBER_ROLE_CHANGED',
      'TEAM_UPDATED',
    ]);
    void MemberStatus;
  });
});
