/**
 * Issue 9, "a consistent API": regression tests for the shapes docs/API.md ("Conventions") records. Lookups by
 * natural key answer null instead of failing the whole response; closed sets are enums; PageInfo is Relay-complete;
 * growing lists are connections; explicit null clears a nullable setting; delete and remove payloads name what went.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instanceWithAdmin, addMember, gql, codeOf, type InstanceWithAdmin, type Actor } from './fixtures';
import { OrgRole } from '../src/authz/roles';
import { OrgPermission } from '../src/authz/permissions';
import { wireEnumName } from '../src/graphql/enums';

describe('consistent API shapes (issue 9)', () => {
  let ctx: InstanceWithAdmin;
  let member: Actor;
  let outsider: Actor;
  const ok = async (query: string, variables: Record<string, unknown> = {}, token = ctx.admin.token) => {
    const res = await gql(ctx.url, query, variables, token);
    if (res.errors) throw new Error(`${query.slice(0, 60)}: ${JSON.stringify(res.errors)}`);
    return res.data!;
  };

  beforeAll(async () => {
    ctx = await instanceWithAdmin();
    member = await addMember(ctx.t, ctx.org, 'mona', OrgRole.MEMBER);
    outsider = await addMember(ctx.t, null, 'otto');
    await ok('mutation { createOrganization(input: { name: "beta" }) { organization { name } } }');
    await ok('mutation { createTeam(input: { organization: "acme", name: "vision" }) { team { name } } }');
    await ok(
      'mutation { createTeam(input: { organization: "acme", name: "secret", settings: { hidden: true } }) { team { ' +
        'name } } }',
    );
    await ok(
      'mutation { createProject(input: { organization: "acme", team: "vision", name: "private-one", visibility: ' +
        'PRIVATE }) { project { name } } }',
    );
  });
  afterAll(() => ctx?.t.close());

  describe('lookups by natural key answer null, never failing the rest of the response', () => {
    it('organization: an unknown name is null beside instance and viewer, without errors', async () => {
      const res = await gql(
        ctx.url,
        '{ instance { version } viewer { user { username } } organization(name: "nope") { name } }',
        {},
        member.token,
      );
      expect(res.errors).toBeUndefined();
      expect(res.data).toEqual({
        instance: { version: expect.any(String) },
        viewer: { user: { username: 'mona' } },
        organization: null,
      });
    });

    it(
      'organization: one the caller may not see is null too ' + '(not NOT_FOUND): absent and invisible look alike',
      async () => {
        for (const [who, token] of [
          ['member of acme only', member.token],
          ['outsider', outsider.token],
        ] as const) {
          const res = await gql(
            ctx.url,
            '{ instance { version } viewer { user { username } } organization(name: "beta") { name seats { used } } }',
            {},
            token,
          );
          expect(res.errors, who).toBeUndefined();
          expect(res.data!.organization, who).toBeNull();
          expect(res.data!.viewer, who).not.toBeNull();
        }
        // Visible to a member: the same query answers it.
        expect((await ok('{ organization(name: "acme") { name } }', {}, member.token)).organization).toEqual({
          name: 'acme',
        });
      },
    );

    it(
      'team: an unknown team, an unknown organization, an ' + 'invisible organization and a hidden team are all null',
      async () => {
        const cases: Array<[string, string, string]> = [
          ['unknown team', 'acme', 'nope'],
          ['unknown organization', 'nope', 'vision'],
          ['organization the caller may not see', 'beta', 'vision'],
          ['hidden team, caller outside it', 'acme', 'secret'],
        ];
        for (const [what, organization, name] of cases) {
          const res = await gql(
            ctx.url,
            'query($o: String!, $n: String!) { instance { version } viewer { user { username } } team(organization: ' +
              '$o, name: $n) { name } }',
            { o: organization, n: name },
            member.token,
          );
          expect(res.errors, what).toBeUndefined();
          expect(res.data, what).toEqual({
            instance: { version: expect.any(String) },
            viewer: { user: { username: 'mona' } },
            team: null,
          });
        }
        expect((await ok('{ team(organization: "acme", name: "secret") { name } }')).team).toEqual({ name: 'secret' });
      },
    );

    it(
      'Team.project: an unknown project and a PRIVATE project seen from outside the team are null, the team still ' +
        'answers',
      async () => {
        for (const [what, name] of [
          ['unknown', 'nope'],
          ['private, caller outside the team', 'private-one'],
        ] as const) {
          const res = await gql(
            ctx.url,
            'query($p: String!) { viewer { user { username } } team(organization: "acme", name: "vision") { name ' +
              'project(name: $p) { name } } }',
            { p: name },
            member.token,
          );
          expect(res.errors, what).toBeUndefined();
          expect(res.data, what).toEqual({
            viewer: { user: { username: 'mona' } },
            team: { name: 'vision', project: null },
          });
        }
        expect(
          (await ok('{ team(organization: "acme", name: "vision") { project(name: "private-one") { name } } }')).team
            .project,
        ).toEqual({ name: 'private-one' });
      },
    );

    it(
      'anonymous callers are UNAUTHENTICATED, not null: a lapsed ' +
        'session should not read as "no such organization"',
      async () => {
        expect(codeOf(await gql(ctx.url, '{ organization(name: "acme") { name } }'))).toBe('UNAUTHENTICATED');
        expect(codeOf(await gql(ctx.url, '{ team(organization: "acme", name: "vision") { name } }'))).toBe(
          'UNAUTHENTICATED',
        );
      },
    );

    it('mutations that target an invisible organization or team still fail with NOT_FOUND', async () => {
      expect(
        codeOf(
          await gql(
            ctx.url,
            'mutation { createTeam(input: { organization: "beta", name: "x1" }) { team { name } } }',
            {},
            member.token,
          ),
        ),
      ).toBe('NOT_FOUND');
      expect(
        codeOf(
          await gql(
            ctx.url,
            'mutation { leaveTeam(input: { organization: "acme", team: "secret" }) { team { name } } }',
            {},
            member.token,
          ),
        ),
      ).toBe('NOT_FOUND');
    });
  });

  describe('closed sets are enums', () => {
    it(
      'viewerPermissions, CustomRole.permissions and the catalogue speak TeamPermission / OrganizationPermission ' +
        'values',
      async () => {
        const org = await ok('{ organization(name: "acme") { viewerPermissions } }');
        expect(org.organization.viewerPermissions).toEqual(Object.values(OrgPermission).map(wireEnumName).sort());
        const team = await ok('{ team(organization: "acme", name: "vision") { viewerPermissions } }');
        expect(team.team.viewerPermissions).toContain('PROJECT_DELETE');
        const role = await ok(
          'mutation { createCustomRole(input: { organization: "acme", name: "Cleaner", inheritsFrom: MEMBER, ' +
            'permissions: [RUN_DELETE, PROJECT_DELETE] }) { customRole { permissions } } }',
        );
        expect(role.createCustomRole.customRole.permissions).toEqual(['PROJECT_DELETE', 'RUN_DELETE']);
        const catalogue = await ok(
          '{ permissionCatalogue { permissions { name requires } roles { role permissions } } }',
        );
        expect(catalogue.permissionCatalogue.permissions).toContainEqual({
          name: 'RUN_DELETE_OWN',
          requires: ['RUN_CREATE'],
        });
      },
    );

    it('audit actions are AuditAction values, as output and as the auditLog filter', async () => {
      const log = await ok(
        '{ organization(name: "acme") { auditLog(first: 100, actions: [TEAM_CREATED]) { totalCount nodes { action ' +
          'target { label } } } } }',
      );
      expect(log.organization.auditLog.nodes.map((n: { target: { label: string } }) => n.target.label).sort()).toEqual([
        'secret',
        'vision',
      ]);
      expect(new Set(log.organization.auditLog.nodes.map((n: { action: string }) => n.action))).toEqual(
        new Set(['TEAM_CREATED']),
      );
    });

    it('warning codes are WarningCode values', async () => {
      const res = await ok(
        '{ instance { warnings { code } } organization(name: "beta") { warnings { code message } } }',
      );
      expect(res.instance.warnings.map((w: { code: string }) => w.code)).toContain('SINGLE_INSTANCE_ADMIN');
      expect(res.organization.warnings).toEqual([{ code: 'SINGLE_ADMIN', message: expect.any(String) }]);
    });

    it(
      'refuses unknown values: GRAPHQL_VALIDATION_FAILED inline, BAD_USER_INPUT as variables, before any resolver ' +
        'runs',
      async () => {
        const inline: string[] = [
          '{ organization(name: "acme") { auditLog(actions: [MEMBER_EXPLODED]) { totalCount } } }',
          '{ organization(name: "acme") { auditLog(actions: ["member.invited"]) { totalCount } } }',
          'mutation { createCustomRole(input: { organization: ' +
            '"acme", name: "Bad", inheritsFrom: MEMBER, permissions: ' +
            '[TEAM_EXPLODE] }) { customRole { id } } }',
        ];
        for (const query of inline)
          expect(codeOf(await gql(ctx.url, query, {}, ctx.admin.token)), query).toBe('GRAPHQL_VALIDATION_FAILED');
        const viaVariables: Array<[string, Record<string, unknown>]> = [
          [
            'query($a: [AuditAction!]) { organization(name: "acme") { auditLog(actions: $a) { totalCount } } }',
            { a: ['member.invited'] },
          ],
          [
            'mutation($i: CreateCustomRoleInput!) { createCustomRole(input: $i) { customRole { id } } }',
            { i: { organization: 'acme', name: 'Bad', inheritsFrom: 'MEMBER', permissions: ['run:delete'] } },
          ],
        ];
        for (const [query, variables] of viaVariables)
          expect(codeOf(await gql(ctx.url, query, variables, ctx.admin.token)), JSON.stringify(variables)).toBe(
            'BAD_USER_INPUT',
          );
        const roles = await ctx.t.server.db.orm.em
          .fork()
          .getConnection()
          .execute("select count(*)::int as n from custom_roles where name = 'Bad'");
        expect(roles[0]!.n).toBe(0);
      },
    );
  });

  describe('connections', () => {
    it('User.memberships pages with first/after and totalCount; PageInfo has all four Relay fields', async () => {
      const Q =
        'query($after: String) { viewer { user { memberships(first: 1, after: $after) { totalCount nodes { ' +
        'organization { name } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } } }';
      const first = (await ok(Q, { after: null })).viewer.user.memberships;
      expect(first.totalCount).toBe(2);
      expect(first.nodes).toEqual([{ organization: { name: 'acme' } }]);
      expect(first.pageInfo).toEqual({
        hasNextPage: true,
        hasPreviousPage: false,
        startCursor: first.pageInfo.endCursor,
        endCursor: expect.any(String),
      });
      const second = (await ok(Q, { after: first.pageInfo.endCursor })).viewer.user.memberships;
      expect(second.nodes).toEqual([{ organization: { name: 'beta' } }]);
      expect(second.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
      // Another user's memberships stay private: an empty connection, not an error.
      const seen = await ok(
        '{ organization(name: "acme") { members(first: 10, search: "admin") { nodes { user { memberships { ' +
          'totalCount nodes { organization { name } } } } } } } }',
        {},
        member.token,
      );
      expect(seen.organization.members.nodes[0].user.memberships).toEqual({ totalCount: 0, nodes: [] });
    });

    it('an empty page has null start and end cursors', async () => {
      const res = await ok(
        '{ organization(name: "beta") { customRoles(first: 5) { totalCount edges { cursor } pageInfo { hasNextPage ' +
          'hasPreviousPage startCursor endCursor } } } }',
      );
      expect(res.organization.customRoles).toEqual({
        totalCount: 0,
        edges: [],
        pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
      });
    });
  });

  describe('explicit null clears a nullable setting; omitted keeps it', () => {
    it('updateTeam avatarUrl: null removes it, "" is refused', async () => {
      const UPDATE = 'mutation($i: UpdateTeamInput!) { updateTeam(input: $i) { team { avatarUrl } } }';
      expect(
        (await ok(UPDATE, { i: { organization: 'acme', team: 'vision', avatarUrl: 'https://cdn.example.com/v.png' } }))
          .updateTeam.team.avatarUrl,
      ).toBe('https://cdn.example.com/v.png');
      expect(
        (await ok(UPDATE, { i: { organization: 'acme', team: 'vision', settings: { hidden: false } } })).updateTeam.team
          .avatarUrl,
      ).toBe('https://cdn.example.com/v.png');
      const empty = await gql(
        ctx.url,
        UPDATE,
        { i: { organization: 'acme', team: 'vision', avatarUrl: '' } },
        ctx.admin.token,
      );
      expect(codeOf(empty)).toBe('BAD_USER_INPUT');
      expect(empty.errors![0]!.extensions!.field).toBe('avatarUrl');
      expect(
        (await ok(UPDATE, { i: { organization: 'acme', team: 'vision', avatarUrl: null } })).updateTeam.team.avatarUrl,
      ).toBeNull();
    });

    it('updateCustomRole description: null clears it, "" is refused', async () => {
      const created = await ok(
        'mutation { createCustomRole(input: { organization: "acme", name: "Describer", description: "first", ' +
          'inheritsFrom: VIEW_ONLY, permissions: [] }) { customRole { id } } }',
      );
      const id = created.createCustomRole.customRole.id as string;
      const UPDATE =
        'mutation($i: UpdateCustomRoleInput!) { updateCustomRole(input: $i) { customRole { name description } } }';
      expect((await ok(UPDATE, { i: { id, name: 'Describer 2' } })).updateCustomRole.customRole).toEqual({
        name: 'Describer 2',
        description: 'first',
      });
      const empty = await gql(ctx.url, UPDATE, { i: { id, description: '' } }, ctx.admin.token);
      expect(codeOf(empty)).toBe('BAD_USER_INPUT');
      expect(empty.errors![0]!.extensions!.field).toBe('description');
      expect((await ok(UPDATE, { i: { id, description: null } })).updateCustomRole.customRole.description).toBeNull();
    });

    it('updateOrganization seatLimit and settings.apiKeyMaxLifetimeDays: null clears, omitted keeps', async () => {
      const UPDATE =
        'mutation($i: UpdateOrganizationInput!) { updateOrganization(input: $i) { organization { seatLimit settings ' +
        '{ apiKeyMaxLifetimeDays } } } }';
      expect(
        (await ok(UPDATE, { i: { organization: 'beta', seatLimit: 5, settings: { apiKeyMaxLifetimeDays: 30 } } }))
          .updateOrganization.organization,
      ).toEqual({ seatLimit: 5, settings: { apiKeyMaxLifetimeDays: 30 } });
      expect(
        (await ok(UPDATE, { i: { organization: 'beta', displayName: 'Beta' } })).updateOrganization.organization,
      ).toEqual({ seatLimit: 5, settings: { apiKeyMaxLifetimeDays: 30 } });
      expect(
        (await ok(UPDATE, { i: { organization: 'beta', seatLimit: null, settings: { apiKeyMaxLifetimeDays: null } } }))
          .updateOrganization.organization,
      ).toEqual({ seatLimit: null, settings: { apiKeyMaxLifetimeDays: null } });
    });
  });

  describe('delete and remove payloads name what went and return its parent', () => {
    it('deleteTeam, removeTeamMember and removeMember', async () => {
      await ok('mutation { createTeam(input: { organization: "acme", name: "doomed" }) { team { name } } }');
      await ok(
        'mutation { addTeamMember(input: { organization: "acme", team: "doomed", user: "mona" }) { member { id } } }',
      );
      const members = await ok(
        '{ team(organization: "acme", name: "doomed") { id members { nodes { id user { username } } } } }',
      );
      const mona = members.team.members.nodes.find((n: { user: { username: string } }) => n.user.username === 'mona');
      const removed = await ok(
        'mutation { removeTeamMember(input: { organization: "acme", team: "doomed", user: "mona" }) { ' +
          'removedTeamMemberId team { name members { totalCount } } user { username } } }',
      );
      expect(removed.removeTeamMember).toEqual({
        removedTeamMemberId: mona.id,
        team: { name: 'doomed', members: { totalCount: 1 } },
        user: { username: 'mona' },
      });
      const deleted = await ok(
        'mutation { deleteTeam(input: { organization: "acme", team: "doomed", confirmName: "doomed" }) { ' +
          'deletedTeamId organization { name teams(search: "doomed") { totalCount } } } }',
      );
      expect(deleted.deleteTeam).toEqual({
        deletedTeamId: members.team.id,
        organization: { name: 'acme', teams: { totalCount: 0 } },
      });

      const leaver = await addMember(ctx.t, ctx.org, 'lea', OrgRole.MEMBER);
      const row = await ok('{ organization(name: "acme") { members(search: "lea") { nodes { id username } } } }');
      const gone = await ok(
        'mutation { removeMember(input: { organization: "acme", user: "lea" }) { removedMemberId organization { ' +
          'name } user { username } } }',
      );
      expect(gone.removeMember).toEqual({
        removedMemberId: row.organization.members.nodes[0].id,
        organization: { name: 'acme' },
        user: { username: leaver.user.username },
      });
    });
  });
});
