import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  instanceWithAdmin,
  addMember,
  gql,
  codeOf,
  countStatements,
  inviteByLink,
  type InstanceWithAdmin,
  type Actor,
  outcomeOf,
} from './fixtures';
import { MemberStatus, OrgRole } from '../src/authz/roles';

const ROLE = 'mutation($i: UpdateMemberRoleInput!) { updateMemberRole(input: $i) { member { username role status } } }';
const REMOVE =
  'mutation($i: RemoveMemberInput!) { removeMember(input: $i) { removedMemberId user { username } organization { ' +
  'name } } }';
const DEACTIVATE =
  'mutation($i: DeactivateMemberInput!) { deactivateMember(input: $i) { member { username status } } }';
const REACTIVATE =
  'mutation($i: ReactivateMemberInput!) { reactivateMember(input: $i) { member { username status } } }';
const SEATS = '{ organization(name: "acme") { seats { limit used available } } }';
const WHO_ORG = '{ organization(name: "acme") { name viewerRole } }';

describe('membership lifecycle', () => {
  let ctx: InstanceWithAdmin;
  let mia: Actor;
  beforeAll(async () => {
    ctx = await instanceWithAdmin();
    mia = await addMember(ctx.t, ctx.org, 'mia', OrgRole.MEMBER);
    await addMember(ctx.t, ctx.org, 'vic', OrgRole.VIEWER);
  });
  afterAll(() => ctx?.t.close());

  it('changes roles by username or email, audited with from and to', async () => {
    const up = await gql(
      ctx.url,
      ROLE,
      { i: { organization: 'acme', user: 'MIA@example.com', role: 'ADMIN' } },
      ctx.admin.token,
    );
    expect(up.data!.updateMemberRole.member).toEqual({ username: 'mia', role: 'ADMIN', status: 'ACTIVE' });
    const down = await gql(
      ctx.url,
      ROLE,
      { i: { organization: 'acme', user: 'mia', role: 'MEMBER' } },
      ctx.admin.token,
    );
    expect(down.data!.updateMemberRole.member.role).toBe('MEMBER');
    const log = await gql(
      ctx.url,
      '{ organization(name: "acme") { auditLog(actions: [MEMBER_ROLE_CHANGED]) { nodes { actor { label } target { ' +
        'label } metadata } } } }',
      {},
      ctx.admin.token,
    );
    expect(log.data!.organization.auditLog.nodes).toEqual([
      { actor: { label: 'admin' }, target: { label: 'mia' }, metadata: { from: 'ADMIN', to: 'MEMBER' } },
      { actor: { label: 'admin' }, target: { label: 'mia' }, metadata: { from: 'MEMBER', to: 'ADMIN' } },
    ]);
  });

  it('refuses to demote, deactivate or remove the last active admin, including themselves', async () => {
    for (const [query, input] of [
      [ROLE, { organization: 'acme', user: 'admin', role: 'MEMBER' }],
      [DEACTIVATE, { organization: 'acme', user: 'admin' }],
      [REMOVE, { organization: 'acme', user: 'admin' }],
    ] as const) {
      const res = await gql(ctx.url, query, { i: input }, ctx.admin.token);
      expect(codeOf(res)).toBe('LAST_ADMIN');
    }
    expect((await gql(ctx.url, WHO_ORG, {}, ctx.admin.token)).data!.organization.viewerRole).toBe('ADMIN');
    const warn = await gql(ctx.url, '{ organization(name: "acme") { warnings { code } } }', {}, ctx.admin.token);
    expect(warn.data!.organization.warnings).toEqual([{ code: 'SINGLE_ADMIN' }]);
  });

  it('deactivation cuts sessions and API keys off at once and frees the seat; reactivation restores them', async () => {
    const key = (await gql(ctx.url, 'mutation { createApiKey(input: { name: "k" }) { secret } }', {}, mia.token)).data!
      .createApiKey.secret;
    expect((await gql(ctx.url, WHO_ORG, {}, key)).data!.organization.viewerRole).toBe('MEMBER');
    const seatsBefore = (await gql(ctx.url, SEATS, {}, ctx.admin.token)).data!.organization.seats.used;
    const res = await gql(ctx.url, DEACTIVATE, { i: { organization: 'acme', user: 'mia' } }, ctx.admin.token);
    expect(res.data!.deactivateMember.member).toEqual({ username: 'mia', status: 'DEACTIVATED' });
    for (const credential of [mia.token, key])
      expect(outcomeOf(await gql(ctx.url, WHO_ORG, {}, credential))).toBe('absent');
    expect((await gql(ctx.url, SEATS, {}, ctx.admin.token)).data!.organization.seats.used).toBe(seatsBefore - 1);
    // Idempotent: again succeeds, says nothing changed, and writes no second audit event.
    const again = await gql(
      ctx.url,
      'mutation($i: DeactivateMemberInput!) { deactivateMember(input: $i) { changed member { status } } }',
      { i: { organization: 'acme', user: 'mia' } },
      ctx.admin.token,
    );
    expect(again.data!.deactivateMember).toEqual({ changed: false, member: { status: 'DEACTIVATED' } });
    const back = await gql(ctx.url, REACTIVATE, { i: { organization: 'acme', user: 'mia' } }, ctx.admin.token);
    expect(back.data!.reactivateMember.member.status).toBe('ACTIVE');
    expect((await gql(ctx.url, WHO_ORG, {}, key)).data!.organization.viewerRole).toBe('MEMBER');
  });

  it('enforces the seat limit on invites, reactivations and viewer promotions', async () => {
    const used = (await gql(ctx.url, SEATS, {}, ctx.admin.token)).data!.organization.seats.used;
    await gql(
      ctx.url,
      'mutation($i: UpdateOrganizationInput!) { updateOrganization(input: $i) { organization { seatLimit } } }',
      { i: { organization: 'acme', seatLimit: used } },
      ctx.admin.token,
    );
    expect((await gql(ctx.url, SEATS, {}, ctx.admin.token)).data!.organization.seats).toEqual({
      limit: used,
      used,
      available: 0,
    });
    const invite = await gql(
      ctx.url,
      'mutation { inviteUser(input: { organization: "acme", email: "full@example.com", sendEmail: false }) { ' +
        'acceptUrl } }',
      {},
      ctx.admin.token,
    );
    expect(codeOf(invite)).toBe('SEAT_LIMIT_REACHED');
    expect(invite.errors![0]!.extensions).toMatchObject({ limit: used, used });
    // Viewers need no seat.
    const viewerInvite = await gql(
      ctx.url,
      'mutation { inviteUser(input: { organization: "acme", email: "viewer@example.com", role: VIEWER, sendEmail: ' +
        'false }) { acceptUrl } }',
      {},
      ctx.admin.token,
    );
    expect(viewerInvite.data!.inviteUser.acceptUrl).toBeTruthy();
    expect(
      codeOf(await gql(ctx.url, ROLE, { i: { organization: 'acme', user: 'vic', role: 'MEMBER' } }, ctx.admin.token)),
    ).toBe('SEAT_LIMIT_REACHED');
    await gql(ctx.url, DEACTIVATE, { i: { organization: 'acme', user: 'mia' } }, ctx.admin.token);
    expect(
      (await gql(ctx.url, ROLE, { i: { organization: 'acme', user: 'vic', role: 'MEMBER' } }, ctx.admin.token)).data!
        .updateMemberRole.member.role,
    ).toBe('MEMBER');
    expect(codeOf(await gql(ctx.url, REACTIVATE, { i: { organization: 'acme', user: 'mia' } }, ctx.admin.token))).toBe(
      'SEAT_LIMIT_REACHED',
    );
    // Demoting to viewer frees a seat, so reactivation fits again.
    await gql(ctx.url, ROLE, { i: { organization: 'acme', user: 'vic', role: 'VIEWER' } }, ctx.admin.token);
    expect(
      (await gql(ctx.url, REACTIVATE, { i: { organization: 'acme', user: 'mia' } }, ctx.admin.token)).data!
        .reactivateMember.member.status,
    ).toBe('ACTIVE');
    await gql(
      ctx.url,
      'mutation { updateOrganization(input: { organization: "acme", seatLimit: null }) { organization { seatLimit } ' +
        '} }',
      {},
      ctx.admin.token,
    );
  });

  it('removes a member but keeps the account; the address can be invited again; members may leave', async () => {
    const rita = await addMember(ctx.t, ctx.org, 'rita', OrgRole.MEMBER);
    const res = await gql(ctx.url, REMOVE, { i: { organization: 'acme', user: 'rita' } }, ctx.admin.token);
    expect(res.data!.removeMember).toEqual({
      removedMemberId: expect.any(String),
      user: { username: 'rita' },
      organization: { name: 'acme' },
    });
    expect(outcomeOf(await gql(ctx.url, WHO_ORG, {}, rita.token))).toBe('absent');
    expect((await gql(ctx.url, '{ viewer { user { username } } }', {}, rita.token)).data!.viewer.user.username).toBe(
      'rita',
    );
    const again = await inviteByLink(ctx.url, ctx.admin.token, 'acme', 'rita@example.com');
    const accepted = await gql(
      ctx.url,
      'mutation($i: AcceptInvitationInput!) { acceptInvitation(input: $i) { organization { name } } }',
      { i: { token: again.token } },
      rita.token,
    );
    expect(accepted.data!.acceptInvitation.organization.name).toBe('acme');
    const left = await gql(ctx.url, REMOVE, { i: { organization: 'acme', user: 'rita' } }, rita.token);
    expect(left.data!.removeMember.user.username).toBe('rita');
  });

  it(
    'refuses member management to members, viewers, deactivated ' + 'admins, other organizations and anonymous callers',
    async () => {
      const member = await addMember(ctx.t, ctx.org, 'mem', OrgRole.MEMBER);
      const viewer = await addMember(ctx.t, ctx.org, 'vie', OrgRole.VIEWER);
      const deactivated = await addMember(ctx.t, ctx.org, 'dad', OrgRole.ADMIN, MemberStatus.DEACTIVATED);
      const outsider = await addMember(ctx.t, null, 'out');
      await addMember(ctx.t, ctx.org, 'victim', OrgRole.MEMBER);
      const snapshot = () =>
        ctx.t.server.db.orm.em
          .fork()
          .getConnection()
          .execute(
            'select m.role, m.status from org_memberships m join users u on u.id = m.user_id where u.username = ' +
              "'victim'",
          );
      const before = await snapshot();
      const ops: Array<[string, Record<string, unknown>]> = [
        [ROLE, { organization: 'acme', user: 'victim', role: 'ADMIN' }],
        [DEACTIVATE, { organization: 'acme', user: 'victim' }],
        [REACTIVATE, { organization: 'acme', user: 'victim' }],
        [REMOVE, { organization: 'acme', user: 'victim' }],
      ];
      for (const [query, input] of ops) {
        for (const [actor, code] of [
          [member, 'FORBIDDEN'],
          [viewer, 'FORBIDDEN'],
          [deactivated, 'NOT_FOUND'],
          [outsider, 'NOT_FOUND'],
          [undefined, 'UNAUTHENTICATED'],
        ] as const) {
          expect(
            codeOf(await gql(ctx.url, query, { i: input }, actor?.token)),
            `${query.slice(9, 30)} by ${actor?.user.username ?? 'anonymous'}`,
          ).toBe(code);
        }
      }
      expect(await snapshot()).toEqual(before);
      expect(
        codeOf(
          await gql(ctx.url, ROLE, { i: { organization: 'acme', user: 'victim', role: 'OWNER' } }, ctx.admin.token),
        ),
      ).toBe('BAD_USER_INPUT');
      expect(
        codeOf(
          await gql(ctx.url, ROLE, { i: { organization: 'acme', user: 'nobody', role: 'ADMIN' } }, ctx.admin.token),
        ),
      ).toBe('NOT_FOUND');
      expect(
        codeOf(await gql(ctx.url, REMOVE, { i: { organization: 'acme', user: 'x'.repeat(300) } }, ctx.admin.token)),
      ).toBe('BAD_USER_INPUT');
    },
  );
});

describe('members view', () => {
  let ctx: InstanceWithAdmin;
  beforeAll(async () => {
    ctx = await instanceWithAdmin();
    const people: Array<[string, OrgRole, MemberStatus]> = [
      ['alice', OrgRole.ADMIN, MemberStatus.ACTIVE],
      ['bob', OrgRole.MEMBER, MemberStatus.ACTIVE],
      ['carol', OrgRole.VIEWER, MemberStatus.ACTIVE],
      ['dave', OrgRole.MEMBER, MemberStatus.DEACTIVATED],
      ['erin', OrgRole.MEMBER, MemberStatus.ACTIVE],
      ['frank', OrgRole.VIEWER, MemberStatus.ACTIVE],
    ];
    for (const [name, role, status] of people) await addMember(ctx.t, ctx.org, name, role, status);
    await inviteByLink(ctx.url, ctx.admin.token, 'acme', 'gina@example.com', 'MEMBER');
    await inviteByLink(ctx.url, ctx.admin.token, 'acme', 'hank@example.com', 'VIEWER');
  });
  afterAll(() => ctx?.t.close());

  const Q =
    `query($first: Int, $after: String, $search: String, $roles: [OrgRole!], $statuses: [MemberStatus!], ` +
    `$orderBy: MemberOrder) {
    organization(name: "acme") { members(first: $first, after: $after, search: $search, roles: $roles, statuses: ` +
    `$statuses, orderBy: $orderBy) {
      totalCount pageInfo { hasNextPage endCursor } nodes { name username email role status lastActiveAt addedAt ` +
    `user { username } invitation { email } } } } }`;
  // biome-ignore lint/suspicious/noExplicitAny: reads the members query's own fields.
  const names = (res: { data?: any }) =>
    res.data!.organization.members.nodes.map((n: { username: string | null; email: string }) => n.username ?? n.email);

  it('shows admins every row, pending invitations included, sorted by name', async () => {
    const res = await gql(ctx.url, Q, { first: 100 }, ctx.admin.token);
    expect(res.data!.organization.members.totalCount).toBe(9);
    // Sorted by display name; the admin's is "Instance Admin".
    expect(names(res)).toEqual([
      'alice',
      'bob',
      'carol',
      'dave',
      'erin',
      'frank',
      'gina@example.com',
      'hank@example.com',
      'admin',
    ]);
    const gina = res.data!.organization.members.nodes.find((n: { email: string }) => n.email === 'gina@example.com');
    expect(gina).toMatchObject({
      status: 'PENDING',
      username: null,
      user: null,
      invitation: { email: 'gina@example.com' },
    });
  });

  it('shows others the active members only, without emails', async () => {
    const bob = await gql(
      ctx.url,
      'mutation { logIn(input: { login: "admin", password: "admin-password-1" }) { token } }',
    );
    expect(bob.data).toBeTruthy();
    const member = await addMember(ctx.t, ctx.org, 'zed', OrgRole.MEMBER);
    const res = await gql(ctx.url, Q, { first: 100 }, member.token);
    expect(names(res)).toEqual(['alice', 'bob', 'carol', 'erin', 'frank', 'admin', 'zed']);
    expect(
      res.data!.organization.members.nodes.every(
        (n: { email: string | null; invitation: unknown }) => n.email === null && n.invitation === null,
      ),
    ).toBe(true);
    const bySearchEmail = await gql(ctx.url, Q, { search: 'example.com' }, member.token);
    expect(bySearchEmail.data!.organization.members.totalCount).toBe(0);
  });

  it('searches case-insensitively and filters by role and status', async () => {
    expect(names(await gql(ctx.url, Q, { search: 'ALI' }, ctx.admin.token))).toEqual(['alice']);
    expect(names(await gql(ctx.url, Q, { search: 'gina@EXAMPLE' }, ctx.admin.token))).toEqual(['gina@example.com']);
    expect(names(await gql(ctx.url, Q, { roles: ['VIEWER'] }, ctx.admin.token))).toEqual([
      'carol',
      'frank',
      'hank@example.com',
    ]);
    expect(names(await gql(ctx.url, Q, { statuses: ['DEACTIVATED', 'PENDING'] }, ctx.admin.token))).toEqual([
      'dave',
      'gina@example.com',
      'hank@example.com',
    ]);
    expect(names(await gql(ctx.url, Q, { roles: ['MEMBER'], statuses: ['ACTIVE'] }, ctx.admin.token))).toEqual([
      'bob',
      'erin',
      'zed',
    ]);
    expect(names(await gql(ctx.url, Q, { search: '100%_' }, ctx.admin.token))).toEqual([]);
  });

  it('sorts by role, last active and added date, both ways', async () => {
    const byRole = names(await gql(ctx.url, Q, { first: 100, orderBy: { field: 'ROLE' } }, ctx.admin.token));
    expect(byRole).toEqual([
      'alice',
      'admin',
      'bob',
      'dave',
      'erin',
      'gina@example.com',
      'zed',
      'carol',
      'frank',
      'hank@example.com',
    ]);
    // The activity tracker writes at most every 5 minutes per user, so these values stay during the test.
    await ctx.t.server.db.orm.em
      .fork()
      .getConnection()
      .execute(
        `update users set last_active_at = case username when 'bob' then now() - interval '1 minute' when 'carol' ` +
          `then now() - interval '1 hour' when 'frank' then now() - interval '1 day' end`,
      );
    const byActive = names(
      await gql(
        ctx.url,
        Q,
        { first: 3, orderBy: { field: 'LAST_ACTIVE', direction: 'DESC' }, statuses: ['ACTIVE'] },
        ctx.admin.token,
      ),
    );
    expect(byActive).toEqual(['bob', 'carol', 'frank']);
    const desc = names(
      await gql(ctx.url, Q, { first: 100, orderBy: { field: 'ADDED_AT', direction: 'DESC' } }, ctx.admin.token),
    );
    expect(desc[0]).toBe('zed');
    expect(desc.at(-1)).toBe('admin');
  });

  it('pages with cursors in every order without gaps or repeats', async () => {
    for (const orderBy of [
      { field: 'NAME' },
      { field: 'ROLE', direction: 'DESC' },
      { field: 'LAST_ACTIVE' },
      { field: 'ADDED_AT', direction: 'DESC' },
    ]) {
      const all = names(await gql(ctx.url, Q, { first: 100, orderBy }, ctx.admin.token));
      const paged: string[] = [];
      let after: string | null = null;
      for (;;) {
        // biome-ignore lint/suspicious/noExplicitAny: the paging loop reads its own query's fields.
        const page: any = await gql(ctx.url, Q, { first: 3, after, orderBy }, ctx.admin.token);
        paged.push(...names(page));
        if (!page.data.organization.members.pageInfo.hasNextPage) break;
        after = page.data.organization.members.pageInfo.endCursor;
      }
      expect(paged, JSON.stringify(orderBy)).toEqual(all);
    }
  });

  it('costs the same number of SQL statements for a page of 3 and a page of 10', async () => {
    // Descending by name, both pages hold a pending invitation and users, so every batch loader runs.
    const orderBy = { field: 'NAME', direction: 'DESC' };
    const small = await countStatements(ctx.t, () => gql(ctx.url, Q, { first: 3, orderBy }, ctx.admin.token));
    const large = await countStatements(ctx.t, () => gql(ctx.url, Q, { first: 10, orderBy }, ctx.admin.token));
    expect(large.result.data!.organization.members.nodes).toHaveLength(10);
    const reads = (s: string[]) => s.filter((q) => !/outbox_emails|daily_activity|last_active_at = /.test(q));
    expect(
      reads(large.statements),
      JSON.stringify({ small: reads(small.statements), large: reads(large.statements) }, null, 1),
    ).toHaveLength(reads(small.statements).length);
    expect(reads(large.statements).length).toBeLessThanOrEqual(6);
  });
});
