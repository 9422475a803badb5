import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  instanceWithAdmin,
  addMember,
  gql,
  codeOf,
  inviteByLink,
  type InstanceWithAdmin,
  type Actor,
} from './fixtures';
import { MemberStatus, OrgRole } from '../src/authz/roles';

const SIGN_UP = 'mutation($i: SignUpInput!) { signUp(input: $i) { user { username } organization { name } } }';
const LOG_IN = 'mutation($i: LogInInput!) { logIn(input: $i) { user { username } } }';
const ADD = 'mutation($i: AddTeamMemberInput!) { addTeamMember(input: $i) { member { role user { username } } } }';
const ROLE = 'mutation($i: UpdateTeamMemberRoleInput!) { updateTeamMemberRole(input: $i) { member { role } } }';
const REMOVE = 'mutation($i: RemoveTeamMemberInput!) { removeTeamMember(input: $i) { user { username } } }';

type Res = Awaited<ReturnType<typeof gql>>;
/** What a caller learns from a refusal, with the login they typed themselves blanked out. */
const refusal = (res: Res, typed: string) => ({
  code: codeOf(res),
  message: res.errors?.[0]?.message.split(typed).join('<login>'),
  field: res.errors?.[0]?.extensions?.field,
});

const person = (email: string, invitationToken: string) => ({
  email,
  username: `u${Math.random().toString(36).slice(2, 10)}`,
  name: 'Prober',
  password: 'prober-password-1',
  invitationToken,
});

describe('no account probing', () => {
  let ctx: InstanceWithAdmin;
  let lead: Actor;
  beforeAll(async () => {
    // Throttling is tested elsewhere; here the timing test signs in many times.
    ctx = await instanceWithAdmin({
      SIGN_IN_MAX_FAILURES_PER_ACCOUNT: '1000',
      SIGN_IN_MAX_FAILURES_PER_ADDRESS: '1000',
    });
    lead = await addMember(ctx.t, ctx.org, 'lead', OrgRole.MEMBER);
    await addMember(ctx.t, ctx.org, 'insider', OrgRole.MEMBER);
    await addMember(ctx.t, ctx.org, 'sleeper', OrgRole.MEMBER, MemberStatus.DEACTIVATED);
    await addMember(ctx.t, null, 'outsider', OrgRole.MEMBER, MemberStatus.ACTIVE, { password: 'outsider-password-1' });
    const team = await gql(
      ctx.url,
      'mutation { createTeam(input: { organization: "acme", name: "vision" }) { team { name } } }',
      {},
      ctx.admin.token,
    );
    expect(team.errors).toBeUndefined();
    const added = await gql(
      ctx.url,
      ADD,
      { i: { organization: 'acme', team: 'vision', user: 'lead', role: 'ADMIN' } },
      ctx.admin.token,
    );
    expect(added.errors).toBeUndefined();
  });
  afterAll(() => ctx?.t.close());

  it('signUp with a junk token answers INVITE_INVALID the same for a known and an unknown email', async () => {
    const known = await gql(ctx.url, SIGN_UP, { i: person('outsider@example.com', 'rsi_made-up') });
    const unknown = await gql(ctx.url, SIGN_UP, { i: person('nobody@example.com', 'rsi_made-up') });
    expect(codeOf(known)).toBe('INVITE_INVALID');
    expect(refusal(known, '')).toEqual(refusal(unknown, ''));
  });

  it("signUp with someone else's valid token reveals nothing about the email given", async () => {
    const { token } = await inviteByLink(ctx.url, ctx.admin.token, 'acme', 'invitee@example.com');
    const known = await gql(ctx.url, SIGN_UP, { i: person('outsider@example.com', token) });
    const unknown = await gql(ctx.url, SIGN_UP, { i: person('nobody@example.com', token) });
    expect(codeOf(known)).toBe('INVITE_INVALID');
    expect(refusal(known, '')).toEqual(refusal(unknown, ''));
    // The invitee, with the address the token was sent to, signs up.
    const ok = await gql(ctx.url, SIGN_UP, { i: { ...person('invitee@example.com', token), username: 'invitee' } });
    expect(ok.data!.signUp).toEqual({ user: { username: 'invitee' }, organization: { name: 'acme' } });
  });

  it(
    'addTeamMember answers one neutral NOT_ORG_MEMBER for unknown users, users outside the organization and ' +
      'inactive members',
    async () => {
      const logins = [
        'nobody@example.com',
        'outsider@example.com',
        'nobody',
        'outsider',
        'sleeper',
        'sleeper@example.com',
      ];
      const answers = [];
      for (const user of logins) {
        const res = await gql(ctx.url, ADD, { i: { organization: 'acme', team: 'vision', user } }, lead.token);
        expect(res.errors?.[0]?.message).not.toMatch(user.includes('@') ? /outsider(?!@)|sleeper(?!@)/ : /@/);
        answers.push(refusal(res, user));
      }
      expect(answers[0]!.code).toBe('NOT_ORG_MEMBER');
      expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    },
  );

  it('updateTeamMemberRole and removeTeamMember answer one neutral NOT_FOUND for anyone not in the team', async () => {
    for (const mutation of [ROLE, REMOVE]) {
      const answers = [];
      for (const user of ['nobody@example.com', 'outsider@example.com', 'outsider', 'insider@example.com']) {
        const res = await gql(
          ctx.url,
          mutation,
          { i: { organization: 'acme', team: 'vision', user, ...(mutation === ROLE ? { role: 'MEMBER' } : {}) } },
          lead.token,
        );
        // no username behind an email
        if (user.includes('@')) expect(res.errors?.[0]?.message).not.toMatch(/"(outsider|insider)"/);
        answers.push(refusal(res, user));
      }
      expect(answers[0]!.code).toBe('NOT_FOUND');
      expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    }
  });

  it('takes as long to refuse an unknown login as a known one with a wrong password (medians of 15)', async () => {
    const time = async (login: string): Promise<number> => {
      const started = performance.now();
      const res = await gql(ctx.url, LOG_IN, { i: { login, password: 'not-the-password' } });
      const elapsed = performance.now() - started;
      expect(codeOf(res)).toBe('INVALID_CREDENTIALS');
      return elapsed;
    };
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    for (let i = 0; i < 3; i++) {
      await time('outsider');
      await time('ghost');
    }
    // Skipping argon2 for unknown logins measured about 2x here, in every measurement. On a busy 2-core machine
    // one series can be unlucky, so a measurement may be repeated: one within 1.5x out of three is equal timing.
    const seen: string[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const known: number[] = [];
      const unknown: number[] = [];
      // Interleaved, one at a time: a slow moment hits both series alike.
      for (let i = 0; i < 15; i++) {
        if (i % 2) {
          known.push(await time('outsider'));
          unknown.push(await time('ghost'));
        } else {
          unknown.push(await time('ghost@example.com'));
          known.push(await time('outsider@example.com'));
        }
      }
      const [k, u] = [median(known), median(unknown)];
      seen.push(`known ${k.toFixed(1)} ms / unknown ${u.toFixed(1)} ms`);
      if (Math.max(k, u) / Math.min(k, u) < 1.5) return;
    }
    expect.fail(`medians differ by more than 1.5x in every measurement: ${seen.join('; ')}`);
  });
});
