import { beforeAll, describe, expect, test } from 'vitest';
import {
  ForbiddenError,
  NotFoundError,
  RosterClient,
  RosterOrganization,
  RosterTeam,
  type InviteManyRowResult,
} from '../src';
import { ADMIN, useServer } from './helpers';

const PASSWORD = 'a long enough password';

/** The `token` query parameter of an accept link. */
function tokenOf(acceptUrl: string | null | undefined): string {
  const token = acceptUrl ? new URL(acceptUrl).searchParams.get('token') : null;
  expect(token).toEqual(expect.any(String));
  return token!;
}

// Runs in order on one server: the org handle, the team handle, then bulk invites through them.
describe('organization and team handles; inviteMany', () => {
  const server = useServer();
  let admin: RosterClient;
  beforeAll(async () => {
    admin = new RosterClient({ url: server.url });
    await admin.signUp({ ...ADMIN, organizationName: 'acme' });
  });

  test('roster.org(name) fills in the organization of every operation that takes one', async () => {
    const sent: Array<{ operationName: string; variables: Record<string, unknown> }> = [];
    const client = new RosterClient({
      url: server.url,
      token: admin.getToken()!,
      fetch: async (input, init) => {
        sent.push(JSON.parse(String(init?.body)) as { operationName: string; variables: Record<string, unknown> });
        return fetch(input, init);
      },
    });
    const acme = client.org('acme');
    expect(acme).toBeInstanceOf(RosterOrganization);
    expect(acme.organization).toBe('acme');

    expect((await acme.get()).name).toBe('acme');
    expect(await acme.seats()).toEqual({ limit: null, used: 1, available: null });
    const { team } = await acme.createTeam({ name: 'vision' });
    expect(team.organization.name).toBe('acme');
    const { invitation, acceptUrl } = await acme.inviteUser({
      email: 'grace@example.com',
      teams: [{ team: 'vision' }],
      sendEmail: false,
    });
    expect(invitation.teams).toEqual([{ team: 'vision', role: 'MEMBER' }]);
    const members = await acme.members({ statuses: ['ACTIVE', 'PENDING'] });
    expect(members.nodes.map((m) => m.email).sort()).toEqual(['ada@example.com', 'grace@example.com']);
    const names: string[] = [];
    for await (const t of acme.iterateTeams({ pageSize: 1 })) names.push(t.name);
    expect(names).toEqual(['vision']);
    expect(await acme.permissions()).toContain('MEMBER_INVITE');
    await acme.update({ displayName: 'Acme Corp' });
    expect((await client.organization({ organization: 'acme' })).displayName).toBe('Acme Corp');

    // What went over the wire: the same operations, with `organization` filled in.
    expect(sent.slice(0, 3)).toEqual([
      { query: expect.any(String), operationName: 'Organization', variables: { organization: 'acme' } },
      { query: expect.any(String), operationName: 'Seats', variables: { organization: 'acme' } },
      {
        query: expect.any(String),
        operationName: 'CreateTeam',
        variables: { input: { name: 'vision', organization: 'acme' } },
      },
    ]);

    const grace = new RosterClient({ url: server.url });
    await grace.acceptInvitation({
      token: tokenOf(acceptUrl),
      username: 'grace',
      name: 'Grace Hopper',
      password: PASSWORD,
    });
    await expect(grace.org('acme').auditLog()).rejects.toBeInstanceOf(ForbiddenError);
    await expect(client.org('no-such-org').seats()).rejects.toBeInstanceOf(NotFoundError);
  });

  test(
    'roster.org(name).team(name) fills in both: addMember, ' + 'members, permissions, projects, runs, update, delete',
    async () => {
      const vision = admin.org('acme').team('vision');
      expect(vision).toBeInstanceOf(RosterTeam);
      expect([vision.organization, vision.team]).toEqual(['acme', 'vision']);
      expect((await vision.get()).name).toBe('vision');
      expect(await vision.members()).toMatchObject({ totalCount: 2 }); // ada (creator), grace (from her invitation)

      await admin
        .org('acme')
        .inviteUser({ email: 'linus@example.com', sendEmail: false })
        .then(async ({ acceptUrl }) => {
          await new RosterClient({ url: server.url }).acceptInvitation({
            token: tokenOf(acceptUrl),
            username: 'linus',
            name: 'Linus',
            password: PASSWORD,
          });
        });
      const { member } = await vision.addMember({ user: 'linus', role: 'VIEW_ONLY' });
      expect(member).toMatchObject({ role: 'VIEW_ONLY', user: { username: 'linus' } });
      expect((await vision.updateMemberRole({ user: 'linus', role: 'MEMBER' })).member.role).toBe('MEMBER');
      const usernames: string[] = [];
      for await (const m of vision.iterateMembers({ pageSize: 1 })) usernames.push(m.user.username);
      expect(usernames).toEqual(['ada', 'grace', 'linus']);
      expect(await vision.permissions()).toContain('PROJECT_CREATE');

      await vision.createProject({ name: 'detector' });
      await vision.logRun({ project: 'detector', name: 'baseline' });
      expect((await vision.runs({ project: 'detector' })).nodes.map((r) => r.name)).toEqual(['baseline']);
      expect((await vision.projects()).totalCount).toBe(1);
      expect((await vision.removeMember({ user: 'linus' })).user.username).toBe('linus');
      expect((await vision.update({ settings: { membersCanInvite: true } })).team.settings.membersCanInvite).toBe(true);
      expect(await vision.delete({ confirmName: 'vision' })).toMatchObject({
        deletedTeamId: expect.any(String),
        organization: { name: expect.any(String) },
      });
      await expect(vision.get()).rejects.toBeInstanceOf(NotFoundError);
    },
  );

  test(
    'inviteMany keeps at most `concurrency` inviteUsers ' + 'calls in flight and reports every row in input order',
    async () => {
      let inFlight = 0;
      let maxInFlight = 0;
      let calls = 0;
      const slow: typeof fetch = async (input, init) => {
        calls += 1;
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        try {
          await new Promise((resolve) => setTimeout(resolve, 40));
          return await fetch(input, init);
        } finally {
          inFlight -= 1;
        }
      };
      const client = new RosterClient({ url: server.url, token: admin.getToken()!, fetch: slow });
      const rows = Array.from({ length: 10 }, (_, i) => ({ email: `bulk${i}@example.com`, role: 'VIEWER' as const }));
      rows[6] = { email: 'not-an-email', role: 'VIEWER' };

      const { results, succeeded, failed } = await client
        .org('acme')
        .inviteMany({ rows, chunkSize: 1, concurrency: 3, sendEmail: false });
      expect(calls).toBe(10);
      expect(maxInFlight).toBe(3);
      expect({ succeeded, failed }).toEqual({ succeeded: 9, failed: 1 });
      expect(results.map((r: InviteManyRowResult) => [r.index, r.email])).toEqual(rows.map((r, i) => [i, r.email]));
      expect(results[6]!.error).toMatchObject({ code: 'BAD_USER_INPUT', field: 'email', operationName: 'InviteUsers' });

      // concurrency: 1 is one call at a time.
      inFlight = 0;
      maxInFlight = 0;
      calls = 0;
      const more = Array.from({ length: 4 }, (_, i) => ({ email: `serial${i}@example.com`, role: 'VIEWER' as const }));
      await client.inviteMany({ organization: 'acme', rows: more, chunkSize: 1, concurrency: 1, sendEmail: false });
      expect({ calls, maxInFlight }).toEqual({ calls: 4, maxInFlight: 1 });
    },
  );

  test(
    'inviteMany with an AbortSignal: every chunk not finished when it aborts is marked RosterAbortError, sent or ' +
      'not',
    async () => {
      const controller = new AbortController();
      let calls = 0;
      const client = new RosterClient({
        url: server.url,
        token: admin.getToken()!,
        fetch: async (input, init) => {
          calls += 1;
          const response = await fetch(input, init);
          if (calls === 2) controller.abort(new Error('stop'));
          return response;
        },
      });
      const rows = Array.from({ length: 5 }, (_, i) => ({ email: `abort${i}@example.com`, role: 'VIEWER' as const }));
      const { results, succeeded, failed } = await client
        .org('acme')
        .inviteMany({ rows, chunkSize: 1, concurrency: 1, sendEmail: false }, { signal: controller.signal });
      expect(calls).toBe(2);
      expect(results.map((r) => r.error?.name ?? 'ok')).toEqual([
        'ok',
        'RosterAbortError',
        'RosterAbortError',
        'RosterAbortError',
        'RosterAbortError',
      ]);
      expect({ succeeded, failed }).toEqual({ succeeded: 1, failed: 4 });
      // The second chunk reached the server before the abort: a re-run reports it as a conflict.
      const again = await admin.org('acme').inviteMany({ rows: rows.slice(0, 3), sendEmail: false });
      expect(again.results.map((r) => r.error?.code ?? null)).toEqual(['CONFLICT', 'CONFLICT', null]);
    },
  );

  test('inviteMany reads a CSV with a teams column; the invitations carry the team assignments', async () => {
    await admin.org('acme').createTeam({ name: 'nlp' });
    await admin.org('acme').createTeam({ name: 'audio' });
    const csv = [
      'email,role,teams',
      'ken@example.com,member,nlp:ADMIN;audio',
      'barbara@example.com,viewer,audio:view_only',
      'claude@example.com,,',
    ].join('\n');
    const { results, failed } = await admin.org('acme').inviteMany({ rows: csv, sendEmail: false });
    expect(failed).toBe(0);
    expect(results.map((r) => [r.row.line, r.email, r.invitation?.role, r.invitation?.teams])).toEqual([
      [
        2,
        'ken@example.com',
        'MEMBER',
        [
          { team: 'nlp', role: 'ADMIN' },
          { team: 'audio', role: 'MEMBER' },
        ],
      ],
      [3, 'barbara@example.com', 'VIEWER', [{ team: 'audio', role: 'VIEW_ONLY' }]],
      [4, 'claude@example.com', 'MEMBER', []],
    ]);
  });
});
