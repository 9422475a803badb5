import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ref } from '@mikro-orm/core';
import {
  instanceWithAdmin,
  addMember,
  gql,
  codeOf,
  countStatements,
  contextOn,
  inviteByLink,
  settledOutcome,
  type InstanceWithAdmin,
} from './fixtures';
import {
  INVITE_CHUNK_ROWS,
  InvitationService,
  type BulkInviteResult,
} from '../src/modules/invitations/invitation.service';
import { Organization } from '../src/modules/organizations/organization.entity';
import { Membership } from '../src/modules/organizations/membership.entity';
import { User } from '../src/modules/accounts/user.entity';
import { MemberStatus, OrgRole } from '../src/authz/roles';
import { Authz } from '../src/authz/policy';
import { hashSecret } from '../src/auth/secrets';
import { renderInvitationEmail } from '../src/modules/mail/templates';
import type { Database } from '../src/db/orm';

const BULK =
  'mutation($i: InviteUsersInput!) { inviteUsers(input: $i) { succeeded failed results { index email acceptUrl ' +
  'invitation { id email role status teams { team role } } error { code field message } } } }';
/** Rows per transaction in the service: the statement bounds below are per chunk. */
const CHUNK = INVITE_CHUNK_ROWS;
/** The 2,000- and 10,000-row tests take seconds, more on a machine shared with other test runs; nothing is timed. */
const LARGE_TEST_TIMEOUT_MS = 180_000;

interface Row {
  email: string;
  role?: string;
  teams?: Array<{ team: string; role?: string }>;
}
interface Result {
  index: number;
  email: string;
  acceptUrl: string | null;
  invitation: { id: string; email: string; role: string; status: string; teams: Array<{ team: string; role: string }> };
  error: { code: string; field: string | null; message: string } | null;
}

describe('inviteUsers in bulk', () => {
  let ctx: InstanceWithAdmin;
  let second: Database | undefined;
  const sql = (query: string, params: unknown[] = []) =>
    ctx.t.server.db.orm.em.fork().getConnection().execute(query, params) as Promise<Array<Record<string, unknown>>>;

  beforeAll(async () => {
    ctx = await instanceWithAdmin();
    // The statement counts are the request's alone: the background sender would add its own per email it delivers.
    // The emails stay QUEUED, as written in the request's transactions.
    await ctx.t.server.mail.stop();
    for (const name of ['platform', 'research']) {
      const res = await gql(
        ctx.url,
        'mutation($i: CreateTeamInput!) { createTeam(input: $i) { team { name } } }',
        { i: { organization: 'acme', name } },
        ctx.admin.token,
      );
      expect(res.errors).toBeUndefined();
    }
  });
  afterAll(async () => {
    await second?.close();
    await ctx?.t.close();
  });

  it(
    '2,000 rows: each row invited in input order with one membership, email and audit event, in a constant number of ' +
      'statements per chunk',
    async () => {
      const n = 2000;
      const roles = [OrgRole.MEMBER, OrgRole.ADMIN, OrgRole.VIEWER];
      const rows: Row[] = Array.from({ length: n }, (_, i) => {
        const role = roles[i % 3]!;
        const teams =
          i % 2 === 1
            ? undefined
            : [
                { team: 'Platform' },
                ...(i % 4 === 0 && role !== OrgRole.VIEWER ? [{ team: 'research', role: 'ADMIN' }] : []),
              ];
        return { email: `Person.Number${i}@Example-Corp.com`, role, ...(teams ? { teams } : {}) };
      });
      const { result: res, statements } = await countStatements(ctx.t, () =>
        gql<{ inviteUsers: { succeeded: number; failed: number; results: Result[] } }>(
          ctx.url,
          BULK,
          { i: { organization: 'acme', invitations: rows } },
          ctx.admin.token,
        ),
      );
      expect(res.errors).toBeUndefined();
      const out = res.data!.inviteUsers;
      expect([out.succeeded, out.failed]).toEqual([n, 0]);
      expect(out.results.map((r) => [r.index, r.email, r.error, r.acceptUrl])).toEqual(
        rows.map((row, i) => [i, row.email, null, null]),
      );
      expect(
        out.results.map((r) => [r.invitation.email, r.invitation.role, r.invitation.status, r.invitation.teams]),
      ).toEqual(
        rows.map((row) => [
          row.email.toLowerCase(),
          row.role,
          'PENDING',
          (row.teams ?? []).map((t) => ({
            team: t.team.toLowerCase(),
            role: t.role ?? Authz.defaultTeamRole(row.role as OrgRole),
          })),
        ]),
      );

      // Per chunk of INVITE_CHUNK_ROWS rows: BEGIN, the organization lock, (for a caller who is not an instance
      // admin: their membership,) the members, the pending invitations and the teams with these addresses or names,
      // the plan cache setting, one insert each of invitations, memberships, outbox emails and audit events, COMMIT.
      // Per request: the session and the organization. 242 statements for these 2,000 rows, 0.12 per row.
      const inserts = statements.filter((s) => /^insert/i.test(s));
      expect(inserts.map((s) => /^insert into "(\w+)"/.exec(s)?.[1])).toEqual(
        Array.from({ length: n / CHUNK }, () => [
          'invitations',
          'org_memberships',
          'outbox_emails',
          'audit_events',
        ]).flat(),
      );
      expect(statements.length, statements.map((s) => s.slice(0, 80)).join('\n')).toBeLessThanOrEqual(
        (n / CHUNK) * 12 + 2,
      );

      // Newest first means the batch in reverse input order, as when each row had its own transaction.
      const newest = rows
        .slice(-50)
        .reverse()
        .map((row) => row.email.toLowerCase());
      const lists = await gql(
        ctx.url,
        '{ organization(name: "acme") { invitations(first: 50) { nodes { email } } members(first: 50, ' +
          'statuses: [PENDING], orderBy: { field: ADDED_AT, direction: DESC }) { nodes { email } } } }',
        {},
        ctx.admin.token,
      );
      expect(lists.data!.organization.invitations.nodes.map((i: { email: string }) => i.email)).toEqual(newest);
      expect(lists.data!.organization.members.nodes.map((m: { email: string }) => m.email)).toEqual(newest);

      const ids = out.results.map((r) => r.invitation.id);
      const written = await sql(
        `select i.id, i.email, i.role, i.token_hash, i.expires_at, m.status as membership, m.role as membership_role,
                o.to_address, o.subject, o.text_body, o.html_body, o.status as email_status,
                a.actor_label, a.target_label, a.metadata
           from invitations i
           join org_memberships m on m.invitation_id = i.id
           join outbox_emails o on o.invitation_id = i.id
           join audit_events a on a.target_id = i.id::text and a.action = 'member.invited'
          where i.id in (?)`,
        [ids],
      );
      expect(written).toHaveLength(n);
      const byId = new Map(written.map((w) => [w.id as string, w]));
      const org = ctx.org;
      for (const [i, r] of out.results.entries()) {
        const w = byId.get(r.invitation.id)!;
        expect([w.membership, w.membership_role, w.to_address, w.email_status]).toEqual([
          'PENDING',
          r.invitation.role,
          r.invitation.email,
          'QUEUED',
        ]);
        expect([w.actor_label, w.target_label, w.metadata]).toEqual([
          'admin',
          r.invitation.email,
          { role: r.invitation.role, sendEmail: true, teams: r.invitation.teams },
        ]);
        // The token exists only in the email; the invitation keeps its SHA-256. The email is the template's.
        const acceptUrl = /https?:\/\/\S+\/invite\?token=\S+/.exec(w.text_body as string)?.[0];
        const token = new URL(acceptUrl!).searchParams.get('token')!;
        expect(token, `row ${i}`).toMatch(/^rsi_/);
        expect(hashSecret(token)).toBe(w.token_hash);
        const expected = renderInvitationEmail({
          organizationDisplayName: org.displayName,
          organizationName: org.name,
          inviterName: 'admin',
          email: r.invitation.email,
          role: r.invitation.role,
          acceptUrl: acceptUrl!,
          expiresAt: new Date(w.expires_at as string),
        });
        expect([w.subject, w.text_body, w.html_body]).toEqual([expected.subject, expected.text, expected.html]);
      }
      const tokens = new Set(written.map((w) => w.token_hash));
      expect(tokens.size).toBe(n);
    },
    LARGE_TEST_TIMEOUT_MS,
  );

  it('a mixed batch: every row its exact outcome, in input order, as inviteUser would answer it', async () => {
    const em = ctx.t.server.db.orm.em.fork();
    const admin = await em.findOneOrFail(User, { username: 'admin' });
    const org = em.create(Organization, { name: 'mixed', displayName: 'Mixed', seatLimit: 5 });
    em.create(Membership, { organization: org, user: ref(admin), role: OrgRole.ADMIN, status: MemberStatus.ACTIVE });
    await em.flush();
    const mona = await addMember(ctx.t, org, 'mona');
    await addMember(ctx.t, org, 'dora', OrgRole.MEMBER, MemberStatus.DEACTIVATED);
    await inviteByLink(ctx.url, ctx.admin.token, 'mixed', 'pat@example.com');
    const team = await gql(
      ctx.url,
      'mutation { createTeam(input: { organization: "mixed", name: "core" }) { team { name } } }',
      {},
      ctx.admin.token,
    );
    expect(team.errors).toBeUndefined();
    // Seats: the admin, mona and pat's pending invitation hold 3 of 5.
    const rows: Row[] = [
      { email: 'new1@example.com' },
      { email: 'not-an-email' },
      { email: 'NEW1@example.com', role: 'VIEWER' },
      { email: mona.user.email },
      { email: 'dora@example.com', role: 'VIEWER' },
      { email: 'pat@example.com', role: 'VIEWER' },
      { email: 'v1@example.com', role: 'VIEWER', teams: [{ team: 'nope' }] },
      { email: 'v2@example.com', role: 'VIEWER', teams: [{ team: 'core', role: 'MEMBER' }] },
      { email: mona.user.email, teams: [{ team: 'nope' }] },
      { email: 'new2@example.com', teams: [{ team: 'Core' }] },
      { email: 'new3@example.com' },
      { email: 'new3@example.com', role: 'VIEWER' },
      { email: 'new4@example.com', role: 'ADMIN' },
      { email: 'v3@example.com', role: 'VIEWER', teams: [{ team: 'core' }, { team: 'core' }] },
      { email: 'v4@example.com', role: 'VIEWER', teams: [{ team: '' }] },
      { email: 'v5@example.com', role: 'OWNER' },
    ];
    const res = await gql<{ inviteUsers: { succeeded: number; failed: number; results: Result[] } }>(
      ctx.url,
      BULK,
      { i: { organization: 'mixed', invitations: rows, sendEmail: false } },
      ctx.admin.token,
    );
    // An unknown role enum is refused by GraphQL itself, before any row: the whole call.
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    rows.pop();

    const ok = await gql<{ inviteUsers: { succeeded: number; failed: number; results: Result[] } }>(
      ctx.url,
      BULK,
      { i: { organization: 'mixed', invitations: rows, sendEmail: false } },
      ctx.admin.token,
    );
    expect(ok.errors).toBeUndefined();
    const out = ok.data!.inviteUsers;
    const outcome = (r: Result) => (r.error ? [r.error.code, r.error.field] : ['OK', r.invitation.role]);
    expect(out.results.map((r) => [r.index, r.email, ...outcome(r)])).toEqual([
      [0, 'new1@example.com', 'OK', 'MEMBER'],
      [1, 'not-an-email', 'BAD_USER_INPUT', 'email'],
      [2, 'NEW1@example.com', 'CONFLICT', 'email'],
      [3, mona.user.email, 'CONFLICT', 'email'],
      [4, 'dora@example.com', 'CONFLICT', 'email'],
      [5, 'pat@example.com', 'CONFLICT', 'email'],
      [6, 'v1@example.com', 'BAD_USER_INPUT', 'teams.0.team'],
      [7, 'v2@example.com', 'BAD_USER_INPUT', 'teams.0.role'],
      [8, mona.user.email, 'CONFLICT', 'email'],
      [9, 'new2@example.com', 'OK', 'MEMBER'],
      [10, 'new3@example.com', 'SEAT_LIMIT_REACHED', null],
      [11, 'new3@example.com', 'OK', 'VIEWER'],
      [12, 'new4@example.com', 'SEAT_LIMIT_REACHED', null],
      [13, 'v3@example.com', 'BAD_USER_INPUT', 'teams.1.team'],
      [14, 'v4@example.com', 'BAD_USER_INPUT', 'teams.0.team'],
    ]);
    expect([out.succeeded, out.failed]).toEqual([3, 12]);
    const messages = out.results.map((r) => r.error?.message ?? '');
    expect(messages[2]).toMatch(/^new1@example\.com already has a pending invitation to "mixed": resend it instead\.$/);
    expect(messages[3]).toBe(`${mona.user.email} is already a member of "mixed".`);
    expect(messages[4]).toBe('dora@example.com is already a member of "mixed" (deactivated: reactivate them instead).');
    expect(messages[10]).toMatch(/^"mixed" has no free seat \(5 of 5 used\)/);
    expect(out.results[9]!.invitation.teams).toEqual([{ team: 'core', role: Authz.defaultTeamRole(OrgRole.MEMBER) }]);
    expect(out.results.filter((r) => !r.error).every((r) => /\/invite\?token=rsi_/.test(r.acceptUrl!))).toBe(true);

    // inviteUser, sent each failed row alone now, answers the same code, field and message (rows whose address a
    // later row invited aside: alone, they now meet that invitation).
    const invited = new Set(out.results.filter((r) => !r.error).map((r) => r.invitation.email));
    for (const [i, r] of out.results.entries()) {
      if (!r.error || invited.has(r.email.toLowerCase())) continue;
      const alone = await gql(
        ctx.url,
        'mutation($i: InviteUserInput!) { inviteUser(input: $i) { invitation { id } } }',
        { i: { organization: 'mixed', sendEmail: false, ...rows[i] } },
        ctx.admin.token,
      );
      const error = alone.errors?.[0];
      expect([error?.extensions?.code, error?.extensions?.field ?? null, error?.message], `row ${i}`).toEqual([
        r.error.code,
        r.error.field,
        r.error.message,
      ]);
    }

    const pending = await sql(
      "select email from invitations where organization_id = ? and status = 'PENDING' order by email",
      [org.id],
    );
    expect(pending.map((p) => p.email)).toEqual([
      'new1@example.com',
      'new2@example.com',
      'new3@example.com',
      'pat@example.com',
    ]);
    const seats = await gql(ctx.url, '{ organization(name: "mixed") { seats { limit used } } }', {}, ctx.admin.token);
    expect(seats.data!.organization.seats).toEqual({ limit: 5, used: 5 });
  });

  it(
    'a realistic 10,000-row request (40-character addresses, role, two teams) fits the body limit and every query ' +
      'limit, and is written in a constant number of statements per chunk',
    async () => {
      const n = 10_000;
      const first = ['alexandra', 'benjamin', 'christopher', 'dominique', 'elisabeth', 'frederick'];
      const last = ['montgomery', 'richardson', 'vanderberg', 'oconnell', 'fitzgerald'];
      const invitations = Array.from({ length: n }, (_, i) => ({
        email: `${first[i % 6]}.${last[i % 5]}${i}@example-corp.com`,
        role: i % 10 === 0 ? 'ADMIN' : 'MEMBER',
        teams: [
          { team: 'platform', role: 'MEMBER' },
          { team: 'research', role: 'VIEW_ONLY' },
        ],
      }));
      const body = JSON.stringify({ query: BULK, variables: { i: { organization: 'acme', invitations } } });
      // More than the former 1 MiB limit, within the current one.
      expect(Buffer.byteLength(body)).toBeGreaterThan(1024 * 1024);
      expect(Buffer.byteLength(body)).toBeLessThanOrEqual(ctx.t.server.config.requestBodyMaxBytes);
      const { result: res, statements } = await countStatements(ctx.t, () =>
        gql<{ inviteUsers: { succeeded: number; results: Result[] } }>(
          ctx.url,
          BULK,
          { i: { organization: 'acme', invitations } },
          ctx.admin.token,
        ),
      );
      expect(res.errors).toBeUndefined();
      expect(res.data!.inviteUsers.succeeded).toBe(n);
      expect(res.data!.inviteUsers.results.map((r) => [r.index, r.invitation.email, r.error])).toEqual(
        invitations.map((row, i) => [i, row.email, null]),
      );
      expect(statements.length).toBeLessThanOrEqual((n / CHUNK) * 12 + 2);
      const count = await sql(
        'select count(*)::int as n from outbox_emails ' +
          "where to_address like '%@example-corp.com' and kind = 'invitation'",
      );
      expect(count[0]!.n).toBe(n + 2000);
    },
    LARGE_TEST_TIMEOUT_MS,
  );

  it.skipIf(!process.env.DATABASE_URL)(
    'two concurrent calls through two connection pools, with overlapping addresses and a seat limit: no address ' +
      'invited twice, the seat limit reached and never passed',
    async () => {
      second = await ctx.t.openExtraDatabase();
      const pools = [ctx.t.server.db.orm, second.orm];
      for (let round = 0; round < 3; round++) {
        const em = ctx.t.server.db.orm.em.fork();
        const admin = await em.findOneOrFail(User, { username: 'admin' });
        const limit = 1001;
        const org = em.create(Organization, { name: `race-${round}`, displayName: `Race ${round}`, seatLimit: limit });
        em.create(Membership, {
          organization: org,
          user: ref(admin),
          role: OrgRole.ADMIN,
          status: MemberStatus.ACTIVE,
        });
        await em.flush();
        // 1,200 rows each (twelve chunks), 600 addresses in both (in opposite orders), every tenth row a VIEWER
        // (no seat).
        const shared = Array.from({ length: 600 }, (_, i) => `shared${i}@example.com`);
        const rowsOf = (own: string, sharedOrder: string[]) =>
          [...sharedOrder, ...Array.from({ length: 600 }, (_, i) => `${own}${i}@example.com`)].map((email, i) => ({
            email,
            role: i % 10 === 9 ? OrgRole.VIEWER : OrgRole.MEMBER,
          }));
        const calls = [rowsOf('a', shared), rowsOf('b', [...shared].reverse())];
        const settled = await Promise.allSettled(
          calls.map((invitations, i) =>
            new InvitationService(contextOn(pools[i]!, ctx.t.server, admin)).inviteMany({
              organization: org.name,
              invitations,
              sendEmail: false,
            }),
          ),
        );
        expect(settled.map(settledOutcome), `round ${round}`).toEqual(['ok', 'ok']);
        const [a, b] = settled.map((s) => (s as PromiseFulfilledResult<BulkInviteResult>).value) as [
          BulkInviteResult,
          BulkInviteResult,
        ];
        const codes = new Set([...a.results, ...b.results].map((r) => r.error?.code ?? 'OK'));
        expect(
          [...codes].every((c) => ['OK', 'CONFLICT', 'SEAT_LIMIT_REACHED'].includes(c)),
          [...codes].join(),
        ).toBe(true);
        const okEmails = [...a.results, ...b.results].filter((r) => !r.error).map((r) => r.email);
        expect(new Set(okEmails).size, `round ${round}: an address invited twice`).toBe(okEmails.length);
        // A shared address refused as a CONFLICT by one call was invited by the other.
        for (const [mine, theirs] of [
          [a, b],
          [b, a],
        ] as const) {
          const theirOk = new Set(theirs.results.filter((r) => !r.error).map((r) => r.email));
          for (const r of mine.results.filter((x) => x.error?.code === 'CONFLICT'))
            expect(theirOk.has(r.email), r.email).toBe(true);
        }
        // Every seat taken, none more: seat rows succeed until the limit, VIEWER rows whenever their address is free.
        const rows = await sql(
          `select count(*)::int as n, count(distinct email)::int as emails,
                  count(*) filter (where role <> 'VIEWER')::int as seats
             from invitations where organization_id = ? and status = 'PENDING'`,
          [org.id],
        );
        expect(rows[0], `round ${round}`).toEqual({ n: okEmails.length, emails: okEmails.length, seats: limit - 1 });
        const seats = await gql(
          ctx.url,
          'query($o: String!) { organization(name: $o) { seats { limit used available } } }',
          { o: org.name },
          ctx.admin.token,
        );
        expect(seats.data!.organization.seats).toEqual({ limit, used: limit, available: 0 });
      }
    },
  );
});
