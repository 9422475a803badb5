import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  instanceWithAdmin,
  addMember,
  gql,
  codeOf,
  inviteByLink,
  acceptAsNewUser,
  type InstanceWithAdmin,
  type Actor,
} from './fixtures';
import { Organization } from '../src/modules/organizations/organization.entity';
import { MemberStatus, OrgRole } from '../src/authz/roles';

const UPDATE =
  'mutation($i: UpdateInvitationInput!) { updateInvitation(input: $i) { changed invitation { id role status teams { ' +
  'team role } } } }';
const REVOKE = 'mutation($i: RevokeInvitationInput!) { revokeInvitation(input: $i) { changed invitation { status } } }';
const RESEND = 'mutation($i: ResendInvitationInput!) { resendInvitation(input: $i) { acceptUrl } }';
const PENDING_ROWS =
  '{ organization(name: "acme") { members(first: 100, statuses: [PENDING]) { nodes { email role status teams { name ' +
  'role } invitation { id } } } } }';
const SEATS = '{ organization(name: "acme") { seats { limit used available } } }';
const auditCount = async (ctx: InstanceWithAdmin, action: string, targetId: string): Promise<number> => {
  const rows: Array<{ n: string }> = await ctx.t.server.db.orm.em
    .fork()
    .getConnection()
    .execute('select count(*) as n from audit_events where action = ? and target_id = ?', [action, targetId]);
  return Number(rows[0]!.n);
};

describe('updateInvitation', () => {
  let ctx: InstanceWithAdmin;
  let member: Actor;
  let viewer: Actor;
  let deactivatedAdmin: Actor;
  let betaAdmin: Actor;
  let betaInvitationId: string;

  beforeAll(async () => {
    ctx = await instanceWithAdmin();
    const must = async (query: string, variables: Record<string, unknown> = {}) => {
      const res = await gql(ctx.url, query, variables, ctx.admin.token);
      if (!res.data) throw new Error(JSON.stringify(res.errors));
      return res.data;
    };
    for (const name of ['core', 'ml', 'ops'])
      await must('mutation($i: CreateTeamInput!) { createTeam(input: $i) { team { name } } }', {
        i: { organization: 'acme', name },
      });
    await must('mutation { createOrganization(input: { name: "beta" }) { organization { name } } }');
    const beta = await ctx.t.server.db.orm.em.fork().findOneOrFail(Organization, { name: 'beta' });
    member = await addMember(ctx.t, ctx.org, 'mem', OrgRole.MEMBER);
    viewer = await addMember(ctx.t, ctx.org, 'vie', OrgRole.VIEWER);
    deactivatedAdmin = await addMember(ctx.t, ctx.org, 'dad', OrgRole.ADMIN, MemberStatus.DEACTIVATED);
    betaAdmin = await addMember(ctx.t, beta, 'badm', OrgRole.ADMIN);
    betaInvitationId = (await inviteByLink(ctx.url, betaAdmin.token, 'beta', 'only-beta@example.com')).id;
  });
  afterAll(() => ctx?.t.close());

  it(
    'changes the role and the teams of a pending invitation, audited once; the members row shows the teams as ' +
      'MemberTeam',
    async () => {
      const { id, token } = await inviteByLink(ctx.url, ctx.admin.token, 'acme', 'ivy@example.com');
      const res = await gql(
        ctx.url,
        UPDATE,
        { i: { id, role: 'ADMIN', teams: [{ team: 'ml', role: 'ADMIN' }, { team: 'core' }] } },
        ctx.admin.token,
      );
      expect(res.errors).toBeUndefined();
      expect(res.data!.updateInvitation).toEqual({
        changed: true,
        invitation: {
          id,
          role: 'ADMIN',
          status: 'PENDING',
          teams: [
            { team: 'ml', role: 'ADMIN' },
            { team: 'core', role: 'MEMBER' },
          ],
        },
      });
      const rows = (await gql(ctx.url, PENDING_ROWS, {}, ctx.admin.token)).data!.organization.members.nodes;
      // Same shape as an active row: { name, role }, sorted by team name; the pending row's role follows the
      // invitation.
      expect(rows.find((r: { email: string }) => r.email === 'ivy@example.com')).toEqual({
        email: 'ivy@example.com',
        role: 'ADMIN',
        status: 'PENDING',
        teams: [
          { name: 'core', role: 'MEMBER' },
          { name: 'ml', role: 'ADMIN' },
        ],
        invitation: { id },
      });
      // Filtering the members view by team finds the pending row through its invitation.
      const byTeam = await gql(
        ctx.url,
        '{ organization(name: "acme") { members(teams: ["ml"]) { nodes { email status } } } }',
        {},
        ctx.admin.token,
      );
      expect(byTeam.data!.organization.members.nodes).toContainEqual({ email: 'ivy@example.com', status: 'PENDING' });

      const log = await gql(
        ctx.url,
        '{ organization(name: "acme") { auditLog(actions: [MEMBER_INVITATION_UPDATED]) { nodes { actor { label } ' +
          'target { type id label } metadata } } } }',
        {},
        ctx.admin.token,
      );
      expect(log.data!.organization.auditLog.nodes).toEqual([
        {
          actor: { label: 'admin' },
          target: { type: 'invitation', id, label: 'ivy@example.com' },
          metadata: {
            from: { role: 'MEMBER', teams: [] },
            to: {
              role: 'ADMIN',
              teams: [
                { team: 'ml', role: 'ADMIN' },
                { team: 'core', role: 'MEMBER' },
              ],
            },
          },
        },
      ]);

      // The same values again: nothing changes and nothing is audited (team order does not matter).
      const same = await gql(
        ctx.url,
        UPDATE,
        {
          i: {
            id,
            role: 'ADMIN',
            teams: [
              { team: 'core', role: 'MEMBER' },
              { team: 'ml', role: 'ADMIN' },
            ],
          },
        },
        ctx.admin.token,
      );
      expect(same.data!.updateInvitation.changed).toBe(false);
      expect(await auditCount(ctx, 'member.invitation_updated', id)).toBe(1);

      // Acceptance applies the updated role and teams.
      const ivy = await acceptAsNewUser(ctx.url, token, 'ivy');
      const me = await gql(
        ctx.url,
        '{ organization(name: "acme") { viewerRole members(search: "ivy") { nodes { status teams { name role } } } } }',
        {},
        ivy.token,
      );
      expect(me.data!.organization.viewerRole).toBe('ADMIN');
      expect(me.data!.organization.members.nodes).toEqual([
        {
          status: 'ACTIVE',
          teams: [
            { name: 'core', role: 'MEMBER' },
            { name: 'ml', role: 'ADMIN' },
          ],
        },
      ]);
    },
  );

  it('keeps omitted fields, clears teams with [] or null, and re-checks kept teams against a new role', async () => {
    const { id } = await inviteByLink(ctx.url, ctx.admin.token, 'acme', 'jon@example.com');
    await gql(ctx.url, UPDATE, { i: { id, teams: [{ team: 'core', role: 'MEMBER' }] } }, ctx.admin.token);
    // Only the role: teams stay; but a VIEWER cannot keep a MEMBER team role.
    const misfit = await gql(ctx.url, UPDATE, { i: { id, role: 'VIEWER' } }, ctx.admin.token);
    expect(codeOf(misfit)).toBe('BAD_USER_INPUT');
    expect(misfit.errors![0]!.extensions).toMatchObject({ field: 'teams' });
    const both = await gql(ctx.url, UPDATE, { i: { id, role: 'VIEWER', teams: [{ team: 'core' }] } }, ctx.admin.token);
    expect(both.data!.updateInvitation.invitation).toMatchObject({
      role: 'VIEWER',
      teams: [{ team: 'core', role: 'VIEW_ONLY' }],
    });
    const roleOnly = await gql(ctx.url, UPDATE, { i: { id, role: 'MEMBER' } }, ctx.admin.token);
    expect(roleOnly.data!.updateInvitation.invitation).toMatchObject({
      role: 'MEMBER',
      teams: [{ team: 'core', role: 'VIEW_ONLY' }],
    });
    expect(
      (await gql(ctx.url, UPDATE, { i: { id, teams: [] } }, ctx.admin.token)).data!.updateInvitation.invitation.teams,
    ).toEqual([]);
    await gql(ctx.url, UPDATE, { i: { id, teams: [{ team: 'ops' }] } }, ctx.admin.token);
    expect(
      (await gql(ctx.url, UPDATE, { i: { id, teams: null } }, ctx.admin.token)).data!.updateInvitation.invitation.teams,
    ).toEqual([]);
  });

  it('takes a seat when a VIEWER invitation becomes MEMBER or ADMIN, and refuses it without a free seat', async () => {
    const { id } = await inviteByLink(ctx.url, ctx.admin.token, 'acme', 'vera@example.com', 'VIEWER');
    const used = (await gql(ctx.url, SEATS, {}, ctx.admin.token)).data!.organization.seats.used;
    await gql(
      ctx.url,
      'mutation($i: UpdateOrganizationInput!) { updateOrganization(input: $i) { organization { seatLimit } } }',
      { i: { organization: 'acme', seatLimit: used } },
      ctx.admin.token,
    );
    const full = await gql(ctx.url, UPDATE, { i: { id, role: 'MEMBER' } }, ctx.admin.token);
    expect(codeOf(full)).toBe('SEAT_LIMIT_REACHED');
    expect(
      (
        await gql(
          ctx.url,
          '{ organization(name: "acme") { invitations(statuses: [PENDING]) { nodes { id role } } } }',
          {},
          ctx.admin.token,
        )
      ).data!.organization.invitations.nodes,
    ).toContainEqual({ id, role: 'VIEWER' });
    await gql(
      ctx.url,
      'mutation { updateOrganization(input: { organization: "acme", seatLimit: null }) { organization { seatLimit } ' +
        '} }',
      {},
      ctx.admin.token,
    );
    expect(
      (await gql(ctx.url, UPDATE, { i: { id, role: 'MEMBER' } }, ctx.admin.token)).data!.updateInvitation.invitation
        .role,
    ).toBe('MEMBER');
    expect((await gql(ctx.url, SEATS, {}, ctx.admin.token)).data!.organization.seats.used).toBe(used + 1);
    // Back to VIEWER frees it.
    await gql(ctx.url, UPDATE, { i: { id, role: 'VIEWER' } }, ctx.admin.token);
    expect((await gql(ctx.url, SEATS, {}, ctx.admin.token)).data!.organization.seats.used).toBe(used);
  });

  it('refuses bad input with BAD_USER_INPUT naming the field', async () => {
    const { id } = await inviteByLink(ctx.url, ctx.admin.token, 'acme', 'bad-input@example.com');
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ id }, 'role'],
      [{ id, role: null }, 'role'],
      [{ id, teams: [{ team: 'nope' }] }, 'teams.0.team'],
      [{ id, teams: [{ team: 'core', role: 'SERVICE' }] }, 'teams.0.role'],
      [{ id, teams: [{ team: 'core' }, { team: 'core' }] }, 'teams.1.team'],
      [{ id, role: 'VIEWER', teams: [{ team: 'core', role: 'ADMIN' }] }, 'teams.0.role'],
      [{ id: 'not-an-id', role: 'ADMIN' }, 'id'],
    ];
    for (const [input, field] of cases) {
      const res = await gql(ctx.url, UPDATE, { i: input }, ctx.admin.token);
      expect(codeOf(res), JSON.stringify(input)).toBe('BAD_USER_INPUT');
      expect(res.errors![0]!.extensions!.field, JSON.stringify(input)).toBe(field);
    }
    expect(await auditCount(ctx, 'member.invitation_updated', id)).toBe(0);
  });

  it(
    'refuses members, viewers, deactivated admins, other ' + 'organizations and anonymous callers, writing nothing',
    async () => {
      const { id } = await inviteByLink(ctx.url, ctx.admin.token, 'acme', 'target@example.com');
      const input = { i: { id, role: 'ADMIN', teams: [{ team: 'core' }] } };
      for (const [actor, code] of [
        [member, 'FORBIDDEN'],
        [viewer, 'FORBIDDEN'],
        [deactivatedAdmin, 'NOT_FOUND'],
        [betaAdmin, 'NOT_FOUND'],
        [undefined, 'UNAUTHENTICATED'],
      ] as const) {
        expect(codeOf(await gql(ctx.url, UPDATE, input, actor?.token)), actor?.user.username ?? 'anonymous').toBe(code);
      }
      // Another organization's invitation id, and an unknown id: NOT_FOUND for an admin of acme too.
      expect(codeOf(await gql(ctx.url, UPDATE, { i: { id: betaInvitationId, role: 'ADMIN' } }, member.token))).toBe(
        'NOT_FOUND',
      );
      const acmeAdmin = await addMember(ctx.t, ctx.org, 'aadm', OrgRole.ADMIN);
      expect(codeOf(await gql(ctx.url, UPDATE, { i: { id: betaInvitationId, role: 'ADMIN' } }, acmeAdmin.token))).toBe(
        'NOT_FOUND',
      );
      expect(
        codeOf(
          await gql(
            ctx.url,
            UPDATE,
            { i: { id: '00000000-0000-4000-8000-000000000000', role: 'ADMIN' } },
            ctx.admin.token,
          ),
        ),
      ).toBe('NOT_FOUND');
      const rows = (
        await gql(
          ctx.url,
          '{ organization(name: "acme") { invitations(first: 100) { nodes { id role teams { team } } } } }',
          {},
          ctx.admin.token,
        )
      ).data!.organization.invitations.nodes;
      expect(rows).toContainEqual({ id, role: 'MEMBER', teams: [] });
      expect(await auditCount(ctx, 'member.invitation_updated', id)).toBe(0);
      expect(await auditCount(ctx, 'member.invitation_updated', betaInvitationId)).toBe(0);
    },
  );

  it(
    'refuses accepted and revoked invitations with ' + 'INVITATION_NOT_PENDING (resend too; revoke of an accepted one)',
    async () => {
      const accepted = await inviteByLink(ctx.url, ctx.admin.token, 'acme', 'done@example.com');
      await acceptAsNewUser(ctx.url, accepted.token, 'done');
      const revoked = await inviteByLink(ctx.url, ctx.admin.token, 'acme', 'gone@example.com');
      await gql(ctx.url, REVOKE, { i: { id: revoked.id } }, ctx.admin.token);
      for (const [id, status] of [
        [accepted.id, 'ACCEPTED'],
        [revoked.id, 'REVOKED'],
      ] as const) {
        const res = await gql(ctx.url, UPDATE, { i: { id, role: 'ADMIN' } }, ctx.admin.token);
        expect(codeOf(res)).toBe('INVITATION_NOT_PENDING');
        expect(res.errors![0]!.extensions).toMatchObject({ status });
        expect(codeOf(await gql(ctx.url, RESEND, { i: { id, sendEmail: false } }, ctx.admin.token))).toBe(
          'INVITATION_NOT_PENDING',
        );
      }
      expect(codeOf(await gql(ctx.url, REVOKE, { i: { id: accepted.id } }, ctx.admin.token))).toBe(
        'INVITATION_NOT_PENDING',
      );
    },
  );
});

describe('idempotent mutations say changed: false and audit once', () => {
  let ctx: InstanceWithAdmin;
  beforeAll(async () => {
    ctx = await instanceWithAdmin();
    await addMember(ctx.t, ctx.org, 'mia', OrgRole.MEMBER);
  });
  afterAll(() => ctx?.t.close());

  it('deactivateMember, reactivateMember and updateMemberRole', async () => {
    const mia = (
      await ctx.t.server.db.orm.em.fork().getConnection().execute("select id from users where username = 'mia'")
    )[0]!.id as string;
    const run = async (mutation: string, extra: Record<string, unknown> = {}) => {
      const type = mutation[0]!.toUpperCase() + mutation.slice(1);
      const res = await gql(
        ctx.url,
        `mutation($i: ${type}Input!) { ${mutation}(input: $i) { changed member { status role } } }`,
        { i: { organization: 'acme', user: 'mia', ...extra } },
        ctx.admin.token,
      );
      expect(res.errors, mutation).toBeUndefined();
      return res.data![mutation];
    };
    expect(await run('reactivateMember')).toEqual({ changed: false, member: { status: 'ACTIVE', role: 'MEMBER' } });
    expect(await auditCount(ctx, 'member.reactivated', mia)).toBe(0);
    expect(await run('deactivateMember')).toEqual({ changed: true, member: { status: 'DEACTIVATED', role: 'MEMBER' } });
    expect(await run('deactivateMember')).toEqual({
      changed: false,
      member: { status: 'DEACTIVATED', role: 'MEMBER' },
    });
    expect(await auditCount(ctx, 'member.deactivated', mia)).toBe(1);
    expect(await run('reactivateMember')).toEqual({ changed: true, member: { status: 'ACTIVE', role: 'MEMBER' } });
    expect(await run('reactivateMember')).toEqual({ changed: false, member: { status: 'ACTIVE', role: 'MEMBER' } });
    expect(await auditCount(ctx, 'member.reactivated', mia)).toBe(1);
    expect(await run('updateMemberRole', { role: 'MEMBER' })).toEqual({
      changed: false,
      member: { status: 'ACTIVE', role: 'MEMBER' },
    });
    expect(await run('updateMemberRole', { role: 'VIEWER' })).toEqual({
      changed: true,
      member: { status: 'ACTIVE', role: 'VIEWER' },
    });
    expect(await auditCount(ctx, 'member.role_changed', mia)).toBe(1);
  });

  it('revokeInvitation and revokeApiKey', async () => {
    const { id } = await inviteByLink(ctx.url, ctx.admin.token, 'acme', 'twice@example.com');
    for (const changed of [true, false, false]) {
      expect((await gql(ctx.url, REVOKE, { i: { id } }, ctx.admin.token)).data!.revokeInvitation).toEqual({
        changed,
        invitation: { status: 'REVOKED' },
      });
    }
    expect(await auditCount(ctx, 'member.invite_revoked', id)).toBe(1);

    const key = (
      await gql(ctx.url, 'mutation { createApiKey(input: { name: "k" }) { apiKey { id } } }', {}, ctx.admin.token)
    ).data!.createApiKey.apiKey.id as string;
    for (const changed of [true, false]) {
      const res = await gql(
        ctx.url,
        'mutation($i: RevokeApiKeyInput!) { revokeApiKey(input: $i) { changed apiKey { status } } }',
        { i: { id: key } },
        ctx.admin.token,
      );
      expect(res.data!.revokeApiKey).toEqual({ changed, apiKey: { status: 'REVOKED' } });
    }
    expect(await auditCount(ctx, 'api_key.revoked', key)).toBe(1);
  });
});
