import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instanceWithAdmin, addMember, gql, codeOf, type InstanceWithAdmin, type Actor } from './fixtures';
import { MemberStatus, OrgRole } from '../src/authz/roles';
import { TEAM_PERMISSION_CATALOGUE, TeamPermission } from '../src/authz/team-permissions';
import { wireEnumName } from '../src/graphql/enums';

const CREATE =
  'mutation($i: CreateCustomRoleInput!) { createCustomRole(input: $i) { customRole { id name inheritsFrom ' +
  'permissions description } } }';
const UPDATE =
  'mutation($i: UpdateCustomRoleInput!) { updateCustomRole(input: $i) { customRole { id name inheritsFrom ' +
  'permissions } } }';
const DELETE =
  'mutation($i: DeleteCustomRoleInput!) { deleteCustomRole(input: $i) { deletedCustomRoleId organization { name } ' +
  'reassigned } }';
const ASSIGN =
  'mutation($i: UpdateTeamMemberRoleInput!) { updateTeamMemberRole(input: $i) { member { role customRole user { ' +
  'username } } } }';
const PERMS = 'query { team(organization: "acme", name: "core") { viewerPermissions } }';
const project = (name: string, token: string) =>
  gql(
    ctx.url,
    'mutation($i: CreateProjectInput!) { createProject(input: $i) { project { name } } }',
    { i: { organization: 'acme', team: 'core', name } },
    token,
  );
const deleteProject = (name: string, token: string) =>
  gql(
    ctx.url,
    'mutation($i: DeleteProjectInput!) { deleteProject(input: $i) { deletedProjectId team { name } } }',
    { i: { organization: 'acme', team: 'core', project: name } },
    token,
  );
let ctx: InstanceWithAdmin;

describe('custom roles', () => {
  let teamAdmin: Actor;
  let alice: Actor;
  let bob: Actor;
  let viewer: Actor;
  let deleterId: string;

  beforeAll(async () => {
    ctx = await instanceWithAdmin();
    teamAdmin = await addMember(ctx.t, ctx.org, 'tess', OrgRole.MEMBER);
    alice = await addMember(ctx.t, ctx.org, 'alice', OrgRole.MEMBER);
    bob = await addMember(ctx.t, ctx.org, 'bob', OrgRole.MEMBER);
    viewer = await addMember(ctx.t, ctx.org, 'vic', OrgRole.VIEWER);
    await gql(
      ctx.url,
      'mutation { createTeam(input: { organization: "acme", name: "core" }) { team { name } } }',
      {},
      ctx.admin.token,
    );
    for (const [user, role] of [
      ['tess', 'ADMIN'],
      ['alice', 'MEMBER'],
      ['bob', 'MEMBER'],
      ['vic', 'VIEW_ONLY'],
    ]) {
      await gql(
        ctx.url,
        'mutation($i: AddTeamMemberInput!) { addTeamMember(input: $i) { member { role } } }',
        { i: { organization: 'acme', team: 'core', user, role } },
        ctx.admin.token,
      );
    }
  });
  afterAll(() => ctx?.t.close());

  it('publishes the permission catalogue with descriptions, dependencies and the built-in roles', async () => {
    const res = await gql(
      ctx.url,
      '{ permissionCatalogue { maxCustomRolesPerOrganization permissions { name description requires grantedTo } ' +
        'roles { role permissions inheritable } } }',
    );
    const cat = res.data!.permissionCatalogue;
    expect(cat.maxCustomRolesPerOrganization).toBe(50);
    expect(cat.permissions.map((p: { name: string }) => p.name)).toEqual(
      Object.values(TeamPermission).map(wireEnumName),
    );
    const del = cat.permissions.find((p: { name: string }) => p.name === 'PROJECT_DELETE');
    expect(del).toMatchObject({ requires: ['TEAM_READ'], grantedTo: ['ADMIN'] });
    expect(cat.roles.find((r: { role: string }) => r.role === 'MEMBER').inheritable).toBe(true);
    expect(cat.roles.find((r: { role: string }) => r.role === 'ADMIN').inheritable).toBe(false);
  });

  it('creates roles, validating base, permissions, dependencies, names and the cap of 50', async () => {
    const res = await gql(
      ctx.url,
      CREATE,
      {
        i: {
          organization: 'acme',
          name: 'Deleter',
          description: 'cleans up',
          inheritsFrom: 'MEMBER',
          permissions: ['PROJECT_DELETE', 'PROJECT_CREATE'],
        },
      },
      ctx.admin.token,
    );
    const role = res.data!.createCustomRole.customRole;
    deleterId = role.id;
    // project:create comes with MEMBER already, so only the addition is kept.
    expect(role).toMatchObject({
      name: 'Deleter',
      inheritsFrom: 'MEMBER',
      permissions: ['PROJECT_DELETE'],
      description: 'cleans up',
    });
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ name: 'x', inheritsFrom: 'MEMBER', permissions: [] }, 'name'],
      [{ name: 'Admins', inheritsFrom: 'ADMIN', permissions: [] }, 'inheritsFrom'],
      [{ name: 'Svc', inheritsFrom: 'SERVICE', permissions: [] }, 'inheritsFrom'],
      [{ name: 'Needs', inheritsFrom: 'VIEW_ONLY', permissions: ['RUN_DELETE_OWN'] }, 'permissions'],
    ];
    for (const [input, field] of cases) {
      const bad = await gql(ctx.url, CREATE, { i: { organization: 'acme', ...input } }, ctx.admin.token);
      expect(codeOf(bad), JSON.stringify(input)).toBe('BAD_USER_INPUT');
      expect(bad.errors![0]!.extensions!.field).toBe(field);
    }
    // Permissions are an enum: an unknown one (or the `object:operation` string) is refused before any resolver runs.
    for (const permission of ['PROJECT_EXPLODE', 'project:delete']) {
      const bad = await gql(
        ctx.url,
        CREATE,
        { i: { organization: 'acme', name: 'Bogus', inheritsFrom: 'MEMBER', permissions: [permission] } },
        ctx.admin.token,
      );
      expect(codeOf(bad), permission).toBe('BAD_USER_INPUT');
      expect(bad.errors![0]!.message).toMatch(/TeamPermission/);
    }
    const inline = await gql(
      ctx.url,
      'mutation { createCustomRole(input: { organization: "acme", name: "Bogus", inheritsFrom: MEMBER, permissions: ' +
        '[PROJECT_EXPLODE] }) { customRole { id } } }',
      {},
      ctx.admin.token,
    );
    expect(codeOf(inline)).toBe('GRAPHQL_VALIDATION_FAILED');
    const deps = await gql(
      ctx.url,
      CREATE,
      { i: { organization: 'acme', name: 'Needs', inheritsFrom: 'VIEW_ONLY', permissions: ['RUN_DELETE_OWN'] } },
      ctx.admin.token,
    );
    expect(deps.errors![0]!.message).toMatch(/requires RUN_CREATE/);
    expect(
      codeOf(
        await gql(
          ctx.url,
          CREATE,
          { i: { organization: 'acme', name: 'Deleter', inheritsFrom: 'MEMBER', permissions: [] } },
          ctx.admin.token,
        ),
      ),
    ).toBe('CONFLICT');
    for (let n = 1; n < 50; n++)
      await gql(
        ctx.url,
        CREATE,
        { i: { organization: 'acme', name: `filler-${n}`, inheritsFrom: 'VIEW_ONLY', permissions: [] } },
        ctx.admin.token,
      );
    const over = await gql(
      ctx.url,
      CREATE,
      { i: { organization: 'acme', name: 'one-too-many', inheritsFrom: 'VIEW_ONLY', permissions: [] } },
      ctx.admin.token,
    );
    expect(codeOf(over)).toBe('CONFLICT');
    expect(over.errors![0]!.message).toMatch(/50/);
    // customRoles is a connection: every member pages through all 50 by name, 20 at a time.
    const ROLES =
      'query($after: String) { organization(name: "acme") { customRoles(first: 20, after: $after) { totalCount ' +
      'nodes { name } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }';
    const names: string[] = [];
    let after: string | null = null;
    for (let pages = 1; ; pages++) {
      const page: {
        totalCount: number;
        nodes: Array<{ name: string }>;
        pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null };
      } = (await gql(ctx.url, ROLES, { after }, alice.token)).data!.organization.customRoles;
      expect(page.totalCount).toBe(50);
      expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
      names.push(...page.nodes.map((n) => n.name));
      if (!page.pageInfo.hasNextPage) {
        expect(pages).toBe(3);
        break;
      }
      after = page.pageInfo.endCursor;
    }
    expect(names).toHaveLength(50);
    expect(new Set(names).size).toBe(50);
    for (let n = 1; n < 50; n++) {
      const id = (
        await ctx.t.server.db.orm.em
          .fork()
          .getConnection()
          .execute('select id from custom_roles where name = ?', [`filler-${n}`])
      )[0]!.id;
      await gql(ctx.url, DELETE, { i: { id } }, ctx.admin.token);
    }
  });

  it('refuses role management to everyone but org admins, writing nothing', async () => {
    const deactivated = await addMember(ctx.t, ctx.org, 'dee', OrgRole.ADMIN, MemberStatus.DEACTIVATED);
    const outsider = await addMember(ctx.t, null, 'out');
    const before = await ctx.t.server.db.orm.em
      .fork()
      .getConnection()
      .execute('select id, name, permissions from custom_roles order by id');
    for (const [actor, code] of [
      [teamAdmin, 'FORBIDDEN'],
      [alice, 'FORBIDDEN'],
      [viewer, 'FORBIDDEN'],
      [deactivated, 'NOT_FOUND'],
      [outsider, 'NOT_FOUND'],
      [undefined, 'UNAUTHENTICATED'],
    ] as const) {
      expect(
        codeOf(
          await gql(
            ctx.url,
            CREATE,
            { i: { organization: 'acme', name: 'Sneaky', inheritsFrom: 'MEMBER', permissions: ['PROJECT_DELETE'] } },
            actor?.token,
          ),
        ),
      ).toBe(code);
      expect(
        codeOf(
          await gql(
            ctx.url,
            UPDATE,
            { i: { id: deleterId, permissions: ['PROJECT_DELETE', 'RUN_DELETE'] } },
            actor?.token,
          ),
        ),
      ).toBe(code);
      expect(codeOf(await gql(ctx.url, DELETE, { i: { id: deleterId } }, actor?.token))).toBe(code);
    }
    expect(
      await ctx.t.server.db.orm.em
        .fork()
        .getConnection()
        .execute('select id, name, permissions from custom_roles order by id'),
    ).toEqual(before);
  });

  it(
    'lets a holder of project:delete delete a project a plain ' + 'member cannot; deleting the role reverts the holder',
    async () => {
      await project('bobs-project', bob.token);
      await project('bobs-other', bob.token);
      expect(codeOf(await deleteProject('bobs-project', alice.token))).toBe('FORBIDDEN');
      // Team admins assign custom roles; members may not.
      expect(
        codeOf(
          await gql(
            ctx.url,
            ASSIGN,
            { i: { organization: 'acme', team: 'core', user: 'alice', customRole: 'Deleter' } },
            bob.token,
          ),
        ),
      ).toBe('FORBIDDEN');
      const assigned = await gql(
        ctx.url,
        ASSIGN,
        { i: { organization: 'acme', team: 'core', user: 'alice', customRole: 'Deleter' } },
        teamAdmin.token,
      );
      expect(assigned.data!.updateTeamMemberRole.member).toEqual({
        role: 'MEMBER',
        customRole: 'Deleter',
        user: { username: 'alice' },
      });
      expect((await gql(ctx.url, PERMS, {}, alice.token)).data!.team.viewerPermissions).toContain('PROJECT_DELETE');
      expect((await deleteProject('bobs-project', alice.token)).data!.deleteProject).toEqual({
        deletedProjectId: expect.any(String),
        team: { name: 'core' },
      });

      const removed = await gql(ctx.url, DELETE, { i: { id: deleterId } }, ctx.admin.token);
      expect(removed.data!.deleteCustomRole.reassigned).toBe(1);
      const member = await gql(
        ctx.url,
        '{ team(organization: "acme", name: "core") { members { nodes { role customRole user { username } } } } }',
        {},
        teamAdmin.token,
      );
      expect(
        member.data!.team.members.nodes.find((n: { user: { username: string } }) => n.user.username === 'alice'),
      ).toEqual({ role: 'MEMBER', customRole: null, user: { username: 'alice' } });
      expect(codeOf(await deleteProject('bobs-other', alice.token))).toBe('FORBIDDEN');
      expect((await gql(ctx.url, PERMS, {}, alice.token)).data!.team.viewerPermissions).not.toContain('PROJECT_DELETE');
    },
  );

  it(
    'lets a VIEW_ONLY-based role with run:create log runs, keeps added permissions when the base changes, and ' +
      'limits org viewers',
    async () => {
      await project('shared', bob.token);
      const logger = await gql(
        ctx.url,
        CREATE,
        { i: { organization: 'acme', name: 'Logger', inheritsFrom: 'VIEW_ONLY', permissions: ['RUN_CREATE'] } },
        ctx.admin.token,
      );
      const loggerId = logger.data!.createCustomRole.customRole.id;
      const logRun = (token: string) =>
        gql(
          ctx.url,
          'mutation { logRun(input: { organization: "acme", team: ' +
            '"core", project: "shared" }) { run { name createdBy ' +
            '{ username } } } }',
          {},
          token,
        );
      expect(codeOf(await logRun(viewer.token))).toBe('FORBIDDEN');
      // An organization VIEWER may hold a VIEW_ONLY-based role, not a MEMBER-based one.
      await gql(
        ctx.url,
        CREATE,
        { i: { organization: 'acme', name: 'Member plus', inheritsFrom: 'MEMBER', permissions: ['RUN_DELETE'] } },
        ctx.admin.token,
      );
      expect(
        codeOf(
          await gql(
            ctx.url,
            ASSIGN,
            { i: { organization: 'acme', team: 'core', user: 'vic', customRole: 'Member plus' } },
            teamAdmin.token,
          ),
        ),
      ).toBe('BAD_USER_INPUT');
      const ok = await gql(
        ctx.url,
        ASSIGN,
        { i: { organization: 'acme', team: 'core', user: 'vic', customRole: 'Logger' } },
        teamAdmin.token,
      );
      expect(ok.data!.updateTeamMemberRole.member).toMatchObject({ role: 'VIEW_ONLY', customRole: 'Logger' });
      expect((await logRun(viewer.token)).data!.logRun.run.createdBy.username).toBe('vic');
      expect(codeOf(await project('viewer-project', viewer.token))).toBe('FORBIDDEN');

      // Changing the base keeps the additions; holders follow the new base.
      await gql(
        ctx.url,
        ASSIGN,
        { i: { organization: 'acme', team: 'core', user: 'bob', customRole: 'Logger' } },
        teamAdmin.token,
      );
      const changed = await gql(ctx.url, UPDATE, { i: { id: loggerId, inheritsFrom: 'MEMBER' } }, ctx.admin.token);
      // run:create now comes with MEMBER
      expect(changed.data!.updateCustomRole.customRole).toMatchObject({ inheritsFrom: 'MEMBER', permissions: [] });
      const again = await gql(
        ctx.url,
        UPDATE,
        { i: { id: loggerId, inheritsFrom: 'VIEW_ONLY', permissions: ['RUN_CREATE', 'RUN_STOP'] } },
        ctx.admin.token,
      );
      expect(again.data!.updateCustomRole.customRole).toMatchObject({
        inheritsFrom: 'VIEW_ONLY',
        permissions: ['RUN_CREATE', 'RUN_STOP'],
      });
      const members = await gql(
        ctx.url,
        '{ team(organization: "acme", name: "core") { members { nodes { role customRole user { username } } } } }',
        {},
        teamAdmin.token,
      );
      expect(
        members.data!.team.members.nodes.find((n: { user: { username: string } }) => n.user.username === 'bob'),
      ).toMatchObject({ role: 'VIEW_ONLY', customRole: 'Logger' });
      expect((await gql(ctx.url, PERMS, {}, bob.token)).data!.team.viewerPermissions).toEqual(
        expect.arrayContaining(['RUN_CREATE', 'RUN_STOP', 'TEAM_READ']),
      );
      expect(codeOf(await project('bob-cannot', bob.token))).toBe('FORBIDDEN');
      const dependency = await gql(
        ctx.url,
        UPDATE,
        { i: { id: loggerId, permissions: ['RUN_DELETE_OWN'] } },
        ctx.admin.token,
      );
      expect(codeOf(dependency)).toBe('BAD_USER_INPUT');
    },
  );

  it('adds a member with a custom role in one call: team admins only, base role checked, audited', async () => {
    await addMember(ctx.t, ctx.org, 'carol', OrgRole.MEMBER);
    await addMember(ctx.t, ctx.org, 'dan', OrgRole.MEMBER);
    await gql(
      ctx.url,
      'mutation { createTeam(input: { organization: "acme", name: "squad", settings: { membersCanInvite: true } }) ' +
        '{ team { name } } }',
      {},
      ctx.admin.token,
    );
    const ADD =
      'mutation($i: AddTeamMemberInput!) { addTeamMember(input: $i) { member { role customRole user { username } } } }';
    const add = (i: Record<string, unknown>, token: string) =>
      gql(ctx.url, ADD, { i: { organization: 'acme', team: 'squad', ...i } }, token);
    await add({ user: 'bob', role: 'MEMBER' }, ctx.admin.token);
    await add({ user: 'tess', role: 'ADMIN' }, ctx.admin.token);
    await gql(
      ctx.url,
      CREATE,
      { i: { organization: 'acme', name: 'Runner', inheritsFrom: 'MEMBER', permissions: ['RUN_DELETE'] } },
      ctx.admin.token,
    );

    // bob may invite (membersCanInvite) but not grant a custom role: that would escalate privileges.
    const refused = await add({ user: 'carol', customRole: 'Runner' }, bob.token);
    expect(codeOf(refused)).toBe('FORBIDDEN');
    expect((await add({ user: 'dan' }, bob.token)).data!.addTeamMember.member.role).toBe('MEMBER');

    const unknown = await add({ user: 'carol', customRole: 'Nope' }, teamAdmin.token);
    expect(codeOf(unknown)).toBe('BAD_USER_INPUT');
    expect(unknown.errors?.[0]?.extensions?.field).toBe('customRole');
    const wrongBase = await add({ user: 'carol', role: 'ADMIN', customRole: 'Runner' }, teamAdmin.token);
    expect(codeOf(wrongBase)).toBe('BAD_USER_INPUT');
    expect(wrongBase.errors![0]).toMatchObject({
      message: 'Custom role "Runner" builds on MEMBER; omit role or give MEMBER.',
      extensions: { field: 'role' },
    });

    const added = await add({ user: 'carol', customRole: 'Runner' }, teamAdmin.token);
    expect(added.data!.addTeamMember.member).toEqual({
      role: 'MEMBER',
      customRole: 'Runner',
      user: { username: 'carol' },
    });
    const log = await gql(
      ctx.url,
      '{ organization(name: "acme") { auditLog(first: 20, actions: [TEAM_MEMBER_ADDED]) { nodes { target { label } ' +
        'metadata } } } }',
      {},
      ctx.admin.token,
    );
    const event = log.data!.organization.auditLog.nodes.find(
      (n: { target: { label: string } }) => n.target.label === 'carol',
    );
    expect(event.metadata).toEqual({ team: 'squad', role: 'MEMBER', customRole: 'Runner' });
  });

  it('audits creation, change, deletion and assignment', async () => {
    const log = await gql(
      ctx.url,
      '{ organization(name: "acme") { auditLog(first: 100, actions: [CUSTOM_ROLE_CREATED, CUSTOM_ROLE_UPDATED, ' +
        'CUSTOM_ROLE_DELETED, CUSTOM_ROLE_ASSIGNED]) { nodes { action target { label } } } } }',
      {},
      ctx.admin.token,
    );
    const actions = new Set(log.data!.organization.auditLog.nodes.map((n: { action: string }) => n.action));
    expect([...actions].sort()).toEqual([
      'CUSTOM_ROLE_ASSIGNED',
      'CUSTOM_ROLE_CREATED',
      'CUSTOM_ROLE_DELETED',
      'CUSTOM_ROLE_UPDATED',
    ]);
    expect(Object.keys(TEAM_PERMISSION_CATALOGUE)).toHaveLength(Object.values(TeamPermission).length);
  });
});
