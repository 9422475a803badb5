import { beforeAll, describe, expect, test } from 'vitest';
import {
  BadUserInputError,
  ConflictError,
  ForbiddenError,
  InvitationNotPendingError,
  InviteInvalidError,
  LastAdminError,
  MAX_INVITE_ROWS_PER_CALL,
  NotFoundError,
  NotOrgMemberError,
  RosterClient,
  RosterNetworkError,
  SeatLimitReachedError,
  type OrganizationMember,
} from '../src';
import { ADMIN, useServer } from './helpers';

const GRACE = { username: 'grace', name: 'Grace Hopper', password: 'a long enough password' } as const;

/** The `token` query parameter of an accept link. */
function tokenOf(acceptUrl: string | null | undefined): string {
  expect(acceptUrl).toEqual(expect.any(String));
  const token = new URL(acceptUrl!).searchParams.get('token');
  expect(token).toEqual(expect.any(String));
  return token!;
}

// Tests in this file run in order on one server and build on each other:
// invitations first, then bulk invites, membership lifecycle, seats, listings.
describe('invitations and membership', () => {
  const server = useServer();
  let admin: RosterClient;
  /** grace's own client, once she has accepted. */
  let grace: RosterClient;

  beforeAll(async () => {
    admin = new RosterClient({ url: server.url });
    const { organization } = await admin.signUp({ ...ADMIN, organizationName: 'acme' });
    expect(organization).toMatchObject({ name: 'acme', viewerRole: 'ADMIN' });
  });

  test(
    'inviteUser → invitationPreview → acceptInvitation on a ' + 'new anonymous client; the token is single-use',
    async () => {
      const invited = await admin.inviteUser({ organization: 'acme', email: 'Grace@Example.com', sendEmail: false });
      expect(invited.invitation).toMatchObject({
        email: 'grace@example.com',
        role: 'MEMBER',
        status: 'PENDING',
        expired: false,
        invitedBy: 'ada',
        delivery: null, // no email was queued
      });
      expect(Date.parse(invited.invitation.expiresAt)).toBeGreaterThan(Date.now());
      const token = tokenOf(invited.acceptUrl);

      const preview = await new RosterClient({ url: server.url }).invitationPreview({ token });
      expect(preview).toMatchObject({
        email: 'grace@example.com',
        organizationName: 'acme',
        role: 'MEMBER',
        invitedBy: 'ada',
        accountExists: false,
      });
      expect(await admin.invitationPreview({ token })).toEqual(preview);

      grace = new RosterClient({ url: server.url });
      const accepted = await grace.acceptInvitation({ token, ...GRACE });
      expect(accepted.user).toMatchObject({
        username: 'grace',
        email: 'grace@example.com',
        name: 'Grace Hopper',
        instanceAdmin: false,
      });
      expect(accepted.organization.name).toBe('acme');
      expect(accepted.token).toEqual(expect.any(String));
      expect(grace.getToken()).toBe(accepted.token);

      const viewer = await grace.viewer();
      expect(viewer).toMatchObject({ authenticatedWith: 'SESSION', user: { username: 'grace' } });
      expect(viewer?.user?.memberships.nodes).toEqual([
        expect.objectContaining({
          role: 'MEMBER',
          status: 'ACTIVE',
          organization: expect.objectContaining({ name: 'acme' }),
        }),
      ]);
      // The same list, paged: viewerMemberships / iterateViewerMemberships.
      const memberships = [];
      for await (const m of grace.iterateViewerMemberships({ pageSize: 1 })) memberships.push(m.organization.name);
      expect(memberships).toEqual(['acme']);

      const reuse = await new RosterClient({ url: server.url })
        .acceptInvitation({ token, username: 'grace2', name: 'Again', password: GRACE.password })
        .catch((e: unknown) => e);
      expect(reuse).toBeInstanceOf(InviteInvalidError);
      expect(reuse).toMatchObject({ code: 'INVITE_INVALID', field: 'token' });
      await expect(grace.invitationPreview({ token })).rejects.toBeInstanceOf(InviteInvalidError);
    },
  );

  test(
    'resendInvitation replaces the link; revokeInvitation ' + 'cancels it; an emailed invite shows its delivery',
    async () => {
      const { invitation, acceptUrl } = await admin.inviteUser({
        organization: 'acme',
        email: 'linus@example.com',
        role: 'VIEWER',
        sendEmail: false,
      });
      const oldToken = tokenOf(acceptUrl);
      const resent = await admin.resendInvitation({ id: invitation.id, sendEmail: false });
      const newToken = tokenOf(resent.acceptUrl);
      expect(newToken).not.toBe(oldToken);
      expect(resent.invitation).toMatchObject({ id: invitation.id, status: 'PENDING', role: 'VIEWER' });
      await expect(admin.invitationPreview({ token: oldToken })).rejects.toBeInstanceOf(InviteInvalidError);
      expect((await admin.invitationPreview({ token: newToken })).email).toBe('linus@example.com');

      const revoked = await admin.revokeInvitation({ id: invitation.id });
      expect(revoked.invitation).toMatchObject({ id: invitation.id, status: 'REVOKED' });
      await expect(admin.invitationPreview({ token: newToken })).rejects.toBeInstanceOf(InviteInvalidError);
      expect(revoked.changed).toBe(true);
      // Idempotent: revoking again succeeds and says nothing changed; updating or resending it is refused.
      expect(await admin.revokeInvitation({ id: invitation.id })).toMatchObject({
        changed: false,
        invitation: { status: 'REVOKED' },
      });
      const notPending = await admin.updateInvitation({ id: invitation.id, role: 'MEMBER' }).catch((e: unknown) => e);
      expect(notPending).toBeInstanceOf(InvitationNotPendingError);
      expect(notPending).toMatchObject({
        code: 'INVITATION_NOT_PENDING',
        path: ['updateInvitation'],
        extensions: { status: 'REVOKED' },
      });
      await expect(admin.resendInvitation({ id: invitation.id })).rejects.toBeInstanceOf(InvitationNotPendingError);

      // With email (no SMTP in tests): the invitation carries its outbox delivery state.
      const emailed = await admin.inviteUser({ organization: 'acme', email: 'margaret@example.com' });
      expect(emailed.acceptUrl).toBeNull();
      expect(emailed.invitation.delivery).toMatchObject({
        status: expect.stringMatching(/^(QUEUED|SENDING|LOGGED)$/),
        attempts: expect.any(Number),
      });

      await expect(admin.inviteUser({ organization: 'acme', email: 'margaret@example.com' })).rejects.toBeInstanceOf(
        ConflictError,
      );
    },
  );

  test('a member (not an admin) gets ForbiddenError from inviteUser', async () => {
    const error = await grace
      .inviteUser({ organization: 'acme', email: 'someone@example.com' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error).toMatchObject({ code: 'FORBIDDEN', path: ['inviteUser'] });
    await expect(grace.invitations({ organization: 'acme' })).rejects.toBeInstanceOf(ForbiddenError);
  });

  test('inviteMany with a CSV string: per-row results with whole-input indexes and typed errors', async () => {
    const csv = [
      'email,role',
      'alan@example.com,member',
      'barbara@example.com',
      'alan@example.com,admin', // duplicate of row 0
      'not-an-email,MEMBER',
      'claude@example.com,viewer',
    ].join('\n');
    const { results, succeeded, failed } = await admin.inviteMany({
      organization: 'acme',
      rows: csv,
      sendEmail: false,
    });
    expect({ succeeded, failed }).toEqual({ succeeded: 3, failed: 2 });
    expect(results.map((r) => [r.index, r.email, r.row.line, r.error?.code ?? null])).toEqual([
      [0, 'alan@example.com', 2, null],
      [1, 'barbara@example.com', 3, null],
      [2, 'alan@example.com', 4, 'CONFLICT'],
      [3, 'not-an-email', 5, 'BAD_USER_INPUT'],
      [4, 'claude@example.com', 6, null],
    ]);
    expect(results[2]!.error).toBeInstanceOf(ConflictError);
    expect(results[2]!.error).toMatchObject({ field: 'email', message: expect.stringContaining('pending invitation') });
    expect(results[3]!.error).toBeInstanceOf(BadUserInputError);
    expect((results[3]!.error as BadUserInputError).field).toBe('email');
    expect(results[3]!.invitation).toBeNull();
    expect(results[4]!.invitation).toMatchObject({ email: 'claude@example.com', role: 'VIEWER', status: 'PENDING' });
    expect(results[1]!.invitation?.role).toBe('MEMBER');
    for (const i of [0, 1, 4]) expect(tokenOf(results[i]!.acceptUrl)).toMatch(/^rsi_/);
  });

  test(
    'inviteMany splits 250 rows into 3 inviteUsers calls ' + 'of at most 100 and indexes over the whole input',
    async () => {
      await admin.createOrganization({ name: 'bulk' });
      const calls: Array<{ operationName: string; rows: number }> = [];
      const counting: typeof fetch = async (input, init) => {
        const body = JSON.parse(String(init?.body)) as {
          operationName: string;
          variables: { input?: { invitations?: unknown[] } };
        };
        calls.push({ operationName: body.operationName, rows: body.variables.input?.invitations?.length ?? 0 });
        return fetch(input, init);
      };
      const client = new RosterClient({ url: server.url, token: admin.getToken()!, fetch: counting });
      const rows = Array.from({ length: 250 }, (_, i) => ({
        email: `user${i}@bulk.example.com`,
        role: 'VIEWER' as const,
      }));
      rows[120] = { email: 'broken', role: 'VIEWER' };

      const { results, succeeded, failed } = await client.inviteMany({
        organization: 'bulk',
        rows,
        chunkSize: 100,
        sendEmail: false,
        concurrency: 1,
      });
      expect(calls).toEqual([
        { operationName: 'InviteUsers', rows: 100 },
        { operationName: 'InviteUsers', rows: 100 },
        { operationName: 'InviteUsers', rows: 50 },
      ]);
      expect(results).toHaveLength(250);
      expect(results.map((r) => r.index)).toEqual(rows.map((_, i) => i));
      expect(results.map((r) => r.email)).toEqual(rows.map((r) => r.email));
      expect({ succeeded, failed }).toEqual({ succeeded: 249, failed: 1 });
      expect(results[120]!.error).toBeInstanceOf(BadUserInputError);
      expect(results[249]!.invitation?.email).toBe('user249@bulk.example.com');
      expect((await admin.invitations({ organization: 'bulk', first: 1 })).totalCount).toBe(249);
    },
  );

  test("inviteMany: 1,000 rows per call by default; its cap is the server's (MAX_INVITE_ROWS_PER_CALL)", async () => {
    // The cap as the server documents it, from its schema: the SDK's constant must follow the server's.
    const schema = await admin.request<{ __type: { inputFields: Array<{ name: string; description: string }> } }>(
      '{ __type(name: "InviteUsersInput") { inputFields { name description } } }',
    );
    const description = schema.__type.inputFields.find((f) => f.name === 'invitations')!.description;
    expect(description).toMatch(/at most [\d,]+ rows/);
    expect(Number(/at most ([\d,]+) rows/.exec(description)![1]!.replaceAll(',', ''))).toBe(MAX_INVITE_ROWS_PER_CALL);

    await admin.createOrganization({ name: 'bulk-default' });
    const calls: number[] = [];
    const counting: typeof fetch = async (input, init) => {
      const body = JSON.parse(String(init?.body)) as { variables: { input?: { invitations?: unknown[] } } };
      calls.push(body.variables.input?.invitations?.length ?? 0);
      return fetch(input, init);
    };
    const client = new RosterClient({ url: server.url, token: admin.getToken()!, fetch: counting });
    const rows = Array.from({ length: 2500 }, (_, i) => ({ email: `p${i}@default.example.com` }));
    const { results, succeeded } = await client.inviteMany({ organization: 'bulk-default', rows, concurrency: 1 });
    expect(calls).toEqual([1000, 1000, 500]);
    expect(succeeded).toBe(2500);
    expect(results.map((r) => [r.index, r.invitation?.email])).toEqual(rows.map((r, i) => [i, r.email]));
  });

  test(
    'inviteMany: a chunk that fails as a whole (ForbiddenError, a dropped connection) marks its rows; bad ' +
      'arguments throw',
    async () => {
      const forbidden = await grace.inviteMany({ organization: 'acme', rows: 'x@example.com' });
      expect(forbidden).toMatchObject({ succeeded: 0, failed: 1 });
      expect(forbidden.results[0]!.error).toBeInstanceOf(ForbiddenError);
      expect(forbidden.results[0]!.error).toMatchObject({
        operationName: 'InviteUsers',
        requestId: expect.any(String),
      });
      expect(await admin.inviteMany({ organization: 'acme', rows: '# nothing to do\n' })).toEqual({
        results: [],
        succeeded: 0,
        failed: 0,
      });
      await expect(
        admin.inviteMany({ organization: 'acme', rows: [], chunkSize: MAX_INVITE_ROWS_PER_CALL + 1 }),
      ).rejects.toThrow(RangeError);
      await expect(admin.inviteMany({ organization: 'acme', rows: [], concurrency: 0 })).rejects.toThrow(RangeError);

      let calls = 0;
      const flaky: typeof fetch = async (input, init) => {
        calls += 1;
        if (calls === 2) throw new TypeError('socket hang up');
        return fetch(input, init);
      };
      const client = new RosterClient({ url: server.url, token: admin.getToken()!, fetch: flaky });
      const rows = ['f1', 'f2', 'f3'].map((n) => ({ email: `${n}@bulk.example.com` }));
      const result = await client.inviteMany({
        organization: 'bulk',
        rows,
        chunkSize: 2,
        sendEmail: false,
        concurrency: 1,
      });
      expect(calls).toBe(2); // a mutation is never retried
      expect(result).toMatchObject({ succeeded: 2, failed: 1 });
      expect(result.results.map((r) => [r.index, r.email, r.error?.name ?? null])).toEqual([
        [0, 'f1@bulk.example.com', null],
        [1, 'f2@bulk.example.com', null],
        [2, 'f3@bulk.example.com', 'RosterNetworkError'],
      ]);
      const dropped = result.results[2]!.error;
      expect(dropped).toBeInstanceOf(RosterNetworkError);
      expect(dropped).toMatchObject({
        operationName: 'InviteUsers',
        attempts: 1,
        message: expect.stringContaining('socket hang up'),
      });
      // Re-running the whole input is safe: rows already invited come back as ConflictError.
      const again = await admin.inviteMany({ organization: 'bulk', rows, sendEmail: false });
      expect(again.results.map((r) => r.error?.code ?? null)).toEqual(['CONFLICT', 'CONFLICT', null]);
    },
  );

  test(
    'updateMemberRole, deactivateMember, reactivateMember, ' + 'removeMember; the last admin cannot be demoted',
    async () => {
      expect((await admin.organization({ organization: 'acme' })).warnings.map((w) => w.code)).toEqual([
        'SINGLE_ADMIN',
      ]);
      const promoted = await admin.updateMemberRole({ organization: 'acme', user: 'grace', role: 'ADMIN' });
      expect(promoted.member).toMatchObject({ role: 'ADMIN' });
      expect((await admin.organization({ organization: 'acme' })).warnings).toEqual([]);
      expect(promoted.member).toMatchObject({
        username: 'grace',
        email: 'grace@example.com',
        role: 'ADMIN',
        status: 'ACTIVE',
        user: { username: 'grace' },
      });
      const demoted = await admin.updateMemberRole({ organization: 'acme', user: 'grace@example.com', role: 'VIEWER' });
      expect(demoted.member.role).toBe('VIEWER');

      const lastAdmin = await admin
        .updateMemberRole({ organization: 'acme', user: 'ada', role: 'MEMBER' })
        .catch((e: unknown) => e);
      expect(lastAdmin).toBeInstanceOf(LastAdminError);
      expect(lastAdmin).toMatchObject({ code: 'LAST_ADMIN' });
      await expect(admin.deactivateMember({ organization: 'acme', user: 'ada' })).rejects.toBeInstanceOf(
        LastAdminError,
      );

      const deactivated = await admin.deactivateMember({ organization: 'acme', user: 'grace' });
      expect(deactivated.member).toMatchObject({ username: 'grace', status: 'DEACTIVATED', role: 'VIEWER' });
      // Her session no longer reaches the organization.
      expect((await grace.organizations()).nodes.map((o) => o.name)).not.toContain('acme');
      expect(deactivated.changed).toBe(true);
      expect(await admin.deactivateMember({ organization: 'acme', user: 'grace' })).toMatchObject({
        changed: false,
        member: { status: 'DEACTIVATED' },
      });

      const reactivated = await admin.reactivateMember({ organization: 'acme', user: 'grace' });
      expect(reactivated).toMatchObject({
        changed: true,
        member: { username: 'grace', status: 'ACTIVE', role: 'VIEWER' },
      });
      expect((await admin.org('acme').reactivateMember({ user: 'grace' })).changed).toBe(false);
      expect((await grace.organization({ organization: 'acme' })).viewerRole).toBe('VIEWER');
      await admin.updateMemberRole({ organization: 'acme', user: 'grace', role: 'MEMBER' });

      const removed = await admin.removeMember({ organization: 'acme', user: 'grace' });
      expect(removed.user).toMatchObject({ username: 'grace' });
      expect(removed.organization.name).toBe('acme');
      await expect(grace.organization({ organization: 'acme' })).rejects.toBeInstanceOf(NotFoundError);
      expect(await grace.viewer()).toMatchObject({
        user: { username: 'grace', memberships: { totalCount: 0, nodes: [] } },
      });
      await expect(admin.removeMember({ organization: 'acme', user: 'grace' })).rejects.toBeInstanceOf(NotFoundError);

      // A removed email can be invited again; this time grace joins with her existing account's password.
      const again = await admin.inviteUser({ organization: 'acme', email: 'grace@example.com', sendEmail: false });
      const anonymous = new RosterClient({ url: server.url });
      expect((await anonymous.invitationPreview({ token: tokenOf(again.acceptUrl) })).accountExists).toBe(true);
      const rejoined = await anonymous.acceptInvitation({ token: tokenOf(again.acceptUrl), password: GRACE.password });
      expect(rejoined.user.username).toBe('grace');
      expect(anonymous.getToken()).toBe(rejoined.token);
    },
  );

  test(
    'seats: with the limit at the seats in use, a MEMBER invite is SeatLimitReachedError and a VIEWER invite ' +
      'still works',
    async () => {
      const before = await admin.seats({ organization: 'acme' });
      // ada, grace (ACTIVE) and the pending MEMBER invites of margaret, alan and barbara.
      expect(before).toEqual({ limit: null, used: 5, available: null });
      await admin.updateOrganization({ organization: 'acme', seatLimit: before.used });
      expect(await admin.seats({ organization: 'acme' })).toEqual({ limit: 5, used: 5, available: 0 });

      const full = await admin
        .inviteUser({ organization: 'acme', email: 'ken@example.com', sendEmail: false })
        .catch((e: unknown) => e);
      expect(full).toBeInstanceOf(SeatLimitReachedError);
      expect(full).toMatchObject({ code: 'SEAT_LIMIT_REACHED' });
      const bulk = await admin.inviteMany({ organization: 'acme', rows: 'ken@example.com,admin', sendEmail: false });
      expect(bulk.results[0]!.error).toBeInstanceOf(SeatLimitReachedError);

      const viewer = await admin.inviteUser({
        organization: 'acme',
        email: 'ken@example.com',
        role: 'VIEWER',
        sendEmail: false,
      });
      expect(viewer.invitation).toMatchObject({ role: 'VIEWER', status: 'PENDING' });
      expect(await admin.seats({ organization: 'acme' })).toEqual({ limit: 5, used: 5, available: 0 });
    },
  );

  test(
    'iterateMembers pages through every row, PENDING invitations included, without duplicates; members filters ' +
      'by status',
    async () => {
      const rows: OrganizationMember[] = [];
      for await (const member of admin.iterateMembers({ organization: 'acme', pageSize: 2 })) rows.push(member);
      const keys = rows.map((m) => m.email);
      expect(new Set(rows.map((m) => m.id)).size).toBe(rows.length);
      expect([...keys].sort()).toEqual(
        [
          'ada@example.com',
          'grace@example.com',
          'margaret@example.com',
          'alan@example.com',
          'barbara@example.com',
          'claude@example.com',
          'ken@example.com',
        ].sort(),
      );
      expect((await admin.members({ organization: 'acme', first: 1 })).totalCount).toBe(rows.length);

      const pending = await admin.members({ organization: 'acme', statuses: ['PENDING'], first: 100 });
      expect(pending.nodes.map((m) => m.email).sort()).toEqual([
        'alan@example.com',
        'barbara@example.com',
        'claude@example.com',
        'ken@example.com',
        'margaret@example.com',
      ]);
      for (const m of pending.nodes) {
        expect(m).toMatchObject({ status: 'PENDING', user: null, username: null, name: null });
        expect(m.invitation).toMatchObject({ email: m.email, status: 'PENDING', expired: false });
      }
      const active = await admin.members({ organization: 'acme', statuses: ['ACTIVE'], roles: ['ADMIN'] });
      expect(active.nodes.map((m) => m.username)).toEqual(['ada']);
      const searched: string[] = [];
      for await (const m of admin.iterateMembers({
        organization: 'acme',
        pageSize: 1,
        search: 'GRACE',
        orderBy: { field: 'NAME', direction: 'DESC' },
      }))
        searched.push(m.username ?? '');
      expect(searched).toEqual(['grace']);

      // A plain member sees ACTIVE members only, without emails.
      const seen: OrganizationMember[] = [];
      for await (const m of grace.iterateMembers({ organization: 'acme', pageSize: 2 })) seen.push(m);
      expect(seen.map((m) => [m.username, m.status, m.email])).toEqual([
        ['ada', 'ACTIVE', null],
        ['grace', 'ACTIVE', null],
      ]);

      const invitations: string[] = [];
      for await (const i of admin.iterateInvitations({ organization: 'acme', pageSize: 2, statuses: ['PENDING'] }))
        invitations.push(i.email);
      expect(invitations).toEqual([
        'ken@example.com',
        'claude@example.com',
        'barbara@example.com',
        'alan@example.com',
        'margaret@example.com',
      ]);
    },
  );

  test(
    'iterateAuditLog yields the actions we caused, newest ' + 'first; auditLog filters by action, actor and time',
    async () => {
      const events = [];
      for await (const event of admin.iterateAuditLog({ organization: 'acme', pageSize: 5 })) events.push(event);
      const times = events.map((e) => Date.parse(e.createdAt));
      expect(times).toEqual([...times].sort((a, b) => b - a));
      expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
      const actions = events.map((e) => e.action);
      for (const action of [
        'MEMBER_INVITED',
        'MEMBER_INVITE_ACCEPTED',
        'MEMBER_INVITE_RESENT',
        'MEMBER_INVITE_REVOKED',
        'MEMBER_ROLE_CHANGED',
        'MEMBER_DEACTIVATED',
        'MEMBER_REACTIVATED',
        'MEMBER_REMOVED',
      ]) {
        expect(actions, action).toContain(action);
      }
      // The latest action in acme was ken's VIEWER invitation.
      expect(events[0]).toMatchObject({
        action: 'MEMBER_INVITED',
        actor: { type: 'user', label: 'ada' },
        target: { type: 'invitation', label: 'ken@example.com' },
      });

      const roleChanges = [];
      for await (const e of admin.iterateAuditLog({
        organization: 'acme',
        pageSize: 2,
        actions: ['MEMBER_ROLE_CHANGED'],
      }))
        roleChanges.push(e.metadata);
      expect(roleChanges).toEqual([
        { from: 'VIEWER', to: 'MEMBER' },
        { from: 'ADMIN', to: 'VIEWER' },
        { from: 'MEMBER', to: 'ADMIN' },
      ]);

      const byGrace = await admin.auditLog({ organization: 'acme', actor: 'grace', first: 100 });
      expect(byGrace.nodes.map((e) => e.action)).toEqual([
        'MEMBER_INVITE_ACCEPTED',
        'MEMBER_INVITE_ACCEPTED',
        'USER_SIGNED_UP',
      ]);
      const future = await admin.auditLog({ organization: 'acme', since: new Date(Date.now() + 60_000) });
      expect(future).toMatchObject({ totalCount: 0, nodes: [] });
      const all = await admin.auditLog({
        organization: 'acme',
        until: new Date(Date.now() + 60_000).toISOString(),
        first: 1,
      });
      expect(all.totalCount).toBe(events.length);

      await expect(grace.auditLog({ organization: 'acme' })).rejects.toBeInstanceOf(ForbiddenError);
    },
  );

  test(
    'teams: create, read, add members (ACTIVE members only), roles, invitations with team assignments, leave, ' +
      'delete',
    async () => {
      const { team } = await admin.createTeam({
        organization: 'acme',
        name: 'vision',
        settings: { membersCanInvite: true },
      });
      expect(team).toMatchObject({
        name: 'vision',
        organization: { name: 'acme' },
        storage: { kind: 'MANAGED', provider: null, bucket: null },
        settings: { membersCanInvite: true, hidden: false, alerts: { runFinished: expect.any(Array) } },
      });
      expect(team.viewerPermissions.length).toBeGreaterThan(0);
      expect(await admin.team({ organization: 'acme', team: 'vision' })).toEqual(team);
      await expect(admin.createTeam({ organization: 'acme', name: 'vision' })).rejects.toBeInstanceOf(ConflictError);
      await expect(
        admin.createTeam({
          organization: 'acme',
          name: 'bucketed',
          storage: { kind: 'BUCKET', provider: 'AWS', bucket: 'No_Such Bucket' },
        }),
      ).rejects.toBeInstanceOf(BadUserInputError);

      const added = await admin.addTeamMember({ organization: 'acme', team: 'vision', user: 'grace' });
      expect(added.member).toMatchObject({ role: 'MEMBER', managedByIdp: false, user: { username: 'grace' } });
      await expect(
        admin.addTeamMember({ organization: 'acme', team: 'vision', user: 'alan@example.com' }),
      ).rejects.toBeInstanceOf(NotOrgMemberError);
      const promoted = await admin.updateTeamMemberRole({
        organization: 'acme',
        team: 'vision',
        user: 'grace@example.com',
        role: 'ADMIN',
      });
      expect(promoted.member.role).toBe('ADMIN');

      // The seats are full (see above): a VIEWER invitation with a team assignment still goes through.
      const invited = await admin.inviteUser({
        organization: 'acme',
        email: 'edsger@example.com',
        role: 'VIEWER',
        teams: [{ team: 'vision', role: 'VIEW_ONLY' }],
        sendEmail: false,
      });
      expect(invited.invitation.teams).toEqual([{ team: 'vision', role: 'VIEW_ONLY' }]);
      const bulk = await admin.inviteMany({
        organization: 'acme',
        rows: [{ email: 'tony@example.com', role: 'VIEWER', teams: [{ team: 'vision', role: 'VIEW_ONLY' }] }],
        sendEmail: false,
      });
      expect(bulk.results[0]!.invitation?.teams).toEqual([{ team: 'vision', role: 'VIEW_ONLY' }]);
      const edsger = new RosterClient({ url: server.url });
      await edsger.acceptInvitation({
        token: tokenOf(invited.acceptUrl),
        username: 'edsger',
        name: 'Edsger Dijkstra',
        password: GRACE.password,
      });

      const inTeam = await admin.members({ organization: 'acme', teams: ['vision'], first: 100 });
      expect(inTeam.nodes.map((m) => [m.username, m.teams])).toEqual([
        ['ada', [{ name: 'vision', role: 'ADMIN' }]],
        ['edsger', [{ name: 'vision', role: 'VIEW_ONLY' }]],
        ['grace', [{ name: 'vision', role: 'ADMIN' }]],
        // tony's pending invitation: its team assignments, in the same shape.
        [null, [{ name: 'vision', role: 'VIEW_ONLY' }]],
      ]);

      // updateInvitation: a VIEWER invitation turned MEMBER needs a seat (there is none); teams can change freely.
      const tonyId = bulk.results[0]!.invitation!.id;
      await expect(
        admin.updateInvitation({ id: tonyId, role: 'MEMBER', teams: [{ team: 'vision', role: 'MEMBER' }] }),
      ).rejects.toBeInstanceOf(SeatLimitReachedError);
      await expect(
        admin.updateInvitation({ id: tonyId, teams: [{ team: 'vision', role: 'MEMBER' }] }),
      ).rejects.toBeInstanceOf(BadUserInputError);
      expect(await admin.updateInvitation({ id: tonyId, teams: [] })).toMatchObject({
        changed: true,
        invitation: { role: 'VIEWER', teams: [] },
      });
      expect((await admin.updateInvitation({ id: tonyId, teams: [] })).changed).toBe(false);

      const updated = await admin.updateTeam({
        organization: 'acme',
        team: 'vision',
        avatarUrl: 'https://example.com/vision.png',
        settings: { hidden: true },
      });
      expect(updated.team).toMatchObject({
        avatarUrl: 'https://example.com/vision.png',
        settings: { hidden: true, membersCanInvite: true },
      });

      const removed = await admin.removeTeamMember({ organization: 'acme', team: 'vision', user: 'edsger' });
      expect(removed).toMatchObject({
        removedTeamMemberId: expect.any(String),
        user: { username: 'edsger' },
        team: { name: 'vision' },
      });
      expect((await admin.leaveTeam({ organization: 'acme', team: 'vision' })).team.name).toBe('vision');
      // grace (an org MEMBER) is now the team's only admin: she may not leave it unmanaged.
      await expect(grace.leaveTeam({ organization: 'acme', team: 'vision' })).rejects.toBeInstanceOf(LastAdminError);

      await expect(
        admin.deleteTeam({ organization: 'acme', team: 'vision', confirmName: 'visoin' }),
      ).rejects.toBeInstanceOf(BadUserInputError);
      expect(await admin.deleteTeam({ organization: 'acme', team: 'vision', confirmName: 'vision' })).toEqual({
        deletedTeamId: team.id,
        organization: expect.objectContaining({ name: 'acme' }),
      });
      await expect(admin.team({ organization: 'acme', team: 'vision' })).rejects.toBeInstanceOf(NotFoundError);
    },
  );
});
