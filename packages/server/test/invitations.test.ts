import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  instanceWithAdmin,
  addMember,
  gql,
  codeOf,
  inviteByLink,
  acceptAsNewUser,
  INVITE,
  ACCEPT,
  ADMIN_PASSWORD,
  type InstanceWithAdmin,
  outcomeOf,
} from './fixtures';
import { MemberStatus, OrgRole } from '../src/authz/roles';
import { MAX_BULK_INVITES } from '../src/modules/invitations/invitation.service';

const BULK =
  'mutation($i: InviteUsersInput!) { inviteUsers(input: $i) { succeeded failed results { index email acceptUrl ' +
  'invitation { id role } error { code field message } } } }';
const RESEND =
  'mutation($i: ResendInvitationInput!) { resendInvitation(input: $i) { acceptUrl invitation { id expiresAt status ' +
  '} } }';
const REVOKE = 'mutation($i: RevokeInvitationInput!) { revokeInvitation(input: $i) { invitation { id status } } }';
const SEATS = '{ organization(name: "acme") { seats { limit used available } } }';

describe('invitations', () => {
  let ctx: InstanceWithAdmin;
  beforeAll(async () => {
    ctx = await instanceWithAdmin();
  });
  afterAll(() => ctx?.t.close());

  it('invites without email: the link is returned once, only its hash is stored, and the seat is held', async () => {
    const res = await gql(
      ctx.url,
      INVITE,
      { i: { organization: 'acme', email: 'Nia@Example.com', sendEmail: false } },
      ctx.admin.token,
    );
    const { acceptUrl, invitation } = res.data!.inviteUser;
    expect(invitation).toMatchObject({ email: 'nia@example.com', role: 'MEMBER', status: 'PENDING' });
    expect(acceptUrl).toMatch(/\/invite\?token=rsi_/);
    const token = new URL(acceptUrl).searchParams.get('token')!;
    const expiresIn = Date.parse(invitation.expiresAt) - Date.now();
    expect(expiresIn).toBeGreaterThan(6.9 * 86_400_000);
    expect(expiresIn).toBeLessThan(7.1 * 86_400_000);
    const dump = JSON.stringify(
      await ctx.t.server.db.orm.em.fork().getConnection().execute('select * from invitations'),
    );
    expect(dump).not.toContain(token);
    const outbox = await ctx.t.server.db.orm.em
      .fork()
      .getConnection()
      .execute('select count(*)::int as n from outbox_emails');
    expect(outbox[0]!.n).toBe(0);
    expect((await gql(ctx.url, SEATS, {}, ctx.admin.token)).data!.organization.seats.used).toBe(2);
    const members = await gql(
      ctx.url,
      '{ organization(name: "acme") { members(statuses: [PENDING]) { nodes { email status role user { id } ' +
        'invitation { email expired delivery { status } } } } } }',
      {},
      ctx.admin.token,
    );
    expect(members.data!.organization.members.nodes).toEqual([
      {
        email: 'nia@example.com',
        status: 'PENDING',
        role: 'MEMBER',
        user: null,
        invitation: { email: 'nia@example.com', expired: false, delivery: null },
      },
    ]);
  });

  it('queues an email in the same transaction when sendEmail is on, and shows its delivery state', async () => {
    const res = await gql(
      ctx.url,
      INVITE,
      { i: { organization: 'acme', email: 'ola@example.com', role: 'VIEWER' } },
      ctx.admin.token,
    );
    expect(res.data!.inviteUser.acceptUrl).toBeNull();
    const id = res.data!.inviteUser.invitation.id;
    const rows = await ctx.t.server.db.orm.em
      .fork()
      .getConnection()
      .execute('select to_address, subject, status from outbox_emails where invitation_id = ?', [id]);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.to_address).toBe('ola@example.com');
    const invites = await gql(
      ctx.url,
      '{ organization(name: "acme") { invitations(statuses: [PENDING]) { totalCount nodes { email delivery { status ' +
        'attempts } } } } }',
      {},
      ctx.admin.token,
    );
    const ola = invites.data!.organization.invitations.nodes.find(
      (n: { email: string }) => n.email === 'ola@example.com',
    );
    expect(['QUEUED', 'SENDING', 'LOGGED']).toContain(ola.delivery.status);
  });

  it('refuses a second invitation or an invitation of a member with CONFLICT, writing nothing', async () => {
    const again = await gql(
      ctx.url,
      INVITE,
      { i: { organization: 'acme', email: 'NIA@example.com' } },
      ctx.admin.token,
    );
    expect(codeOf(again)).toBe('CONFLICT');
    expect(again.errors![0]!.message).toMatch(/resend/);
    const member = await gql(
      ctx.url,
      INVITE,
      { i: { organization: 'acme', email: 'admin@example.com' } },
      ctx.admin.token,
    );
    expect(codeOf(member)).toBe('CONFLICT');
    const count = await ctx.t.server.db.orm.em
      .fork()
      .getConnection()
      .execute("select count(*)::int as n from invitations where email = 'nia@example.com'");
    expect(count[0]!.n).toBe(1);
  });

  it('previews a token publicly and accepts it once, creating the user and an ACTIVE membership', async () => {
    const { token } = await inviteByLink(ctx.url, ctx.admin.token, 'acme', 'pia@example.com', 'ADMIN');
    const preview = await gql(
      ctx.url,
      'query($t: String!) { invitationPreview(token: $t) { email organizationName role invitedBy accountExists } }',
      { t: token },
    );
    expect(preview.data!.invitationPreview).toEqual({
      email: 'pia@example.com',
      organizationName: 'acme',
      role: 'ADMIN',
      invitedBy: 'admin',
      accountExists: false,
    });
    const accepted = await gql(ctx.url, ACCEPT, {
      i: { token, username: 'pia', name: 'Pia', password: 'pia-password-1' },
    });
    expect(accepted.data!.acceptInvitation).toMatchObject({
      user: { username: 'pia' },
      organization: { name: 'acme' },
    });
    const session = accepted.data!.acceptInvitation.token;
    const me = await gql(
      ctx.url,
      '{ viewer { user { email memberships { totalCount nodes { role status organization { name } } } } } }',
      {},
      session,
    );
    expect(me.data!.viewer.user).toEqual({
      email: 'pia@example.com',
      memberships: { totalCount: 1, nodes: [{ role: 'ADMIN', status: 'ACTIVE', organization: { name: 'acme' } }] },
    });
    const reuse = await gql(ctx.url, ACCEPT, {
      i: { token, username: 'pia2', name: 'Pia', password: 'pia-password-1' },
    });
    expect(codeOf(reuse)).toBe('INVITE_INVALID');
    const login = await gql(
      ctx.url,
      'mutation { logIn(input: { login: "pia", password: "pia-password-1" }) { user { username } } }',
    );
    expect(login.data!.logIn.user.username).toBe('pia');
  });

  it('signs up with an invitation token bound to the invited email', async () => {
    const { token } = await inviteByLink(ctx.url, ctx.admin.token, 'acme', 'quinn@example.com');
    const SIGN_UP =
      'mutation($i: SignUpInput!) { signUp(input: $i) { token user { username } organization { name } } }';
    const wrongEmail = await gql(ctx.url, SIGN_UP, {
      i: {
        email: 'other@example.com',
        username: 'quinn',
        name: 'Quinn',
        password: 'quinn-password',
        invitationToken: token,
      },
    });
    expect(codeOf(wrongEmail)).toBe('INVITE_INVALID');
    const ok = await gql(ctx.url, SIGN_UP, {
      i: {
        email: 'quinn@example.com',
        username: 'quinn',
        name: 'Quinn',
        password: 'quinn-password',
        invitationToken: token,
      },
    });
    expect(ok.data!.signUp).toMatchObject({ user: { username: 'quinn' }, organization: { name: 'acme' } });
  });

  it('attaches an existing account: logged in, or by its password; never for another email', async () => {
    const org2 = await gql(
      ctx.url,
      'mutation { createOrganization(input: { name: "beta" }) { organization { name } } }',
      {},
      ctx.admin.token,
    );
    expect(org2.data).toBeTruthy();
    const pia = await gql(ctx.url, 'mutation { logIn(input: { login: "pia", password: "pia-password-1" }) { token } }');
    const piaToken = pia.data!.logIn.token;
    const a = await inviteByLink(ctx.url, ctx.admin.token, 'beta', 'pia@example.com');
    expect(codeOf(await gql(ctx.url, ACCEPT, { i: { token: a.token } }))).toBe('INVALID_CREDENTIALS');
    const other = await addMember(ctx.t, null, 'rex');
    expect(codeOf(await gql(ctx.url, ACCEPT, { i: { token: a.token } }, other.token))).toBe('INVITE_INVALID');
    const accepted = await gql(ctx.url, ACCEPT, { i: { token: a.token } }, piaToken);
    expect(accepted.data!.acceptInvitation).toMatchObject({
      token: null,
      user: { username: 'pia' },
      organization: { name: 'beta' },
    });
    const b = await inviteByLink(ctx.url, ctx.admin.token, 'beta', 'quinn@example.com');
    const byPassword = await gql(ctx.url, ACCEPT, { i: { token: b.token, password: 'quinn-password' } });
    expect(byPassword.data!.acceptInvitation.user.username).toBe('quinn');
    expect(byPassword.data!.acceptInvitation.token).toMatch(/^rss_/);
  });

  it('refuses expired tokens with INVITE_EXPIRED and renews them on resend with a new token', async () => {
    const { id, token } = await inviteByLink(ctx.url, ctx.admin.token, 'acme', 'sam@example.com');
    await ctx.t.server.db.orm.em
      .fork()
      .getConnection()
      .execute(`update invitations set expires_at = now() - interval '1 minute' where id = ?`, [id]);
    expect(
      codeOf(await gql(ctx.url, ACCEPT, { i: { token, username: 'sam', name: 'Sam', password: 'sam-password-1' } })),
    ).toBe('INVITE_EXPIRED');
    const resent = await gql(ctx.url, RESEND, { i: { id, sendEmail: false } }, ctx.admin.token);
    const newToken = new URL(resent.data!.resendInvitation.acceptUrl).searchParams.get('token')!;
    expect(newToken).not.toBe(token);
    expect(Date.parse(resent.data!.resendInvitation.invitation.expiresAt)).toBeGreaterThan(Date.now() + 6 * 86_400_000);
    expect(
      codeOf(await gql(ctx.url, ACCEPT, { i: { token, username: 'sam', name: 'Sam', password: 'sam-password-1' } })),
    ).toBe('INVITE_INVALID');
    await acceptAsNewUser(ctx.url, newToken, 'sam');
  });

  it('revokes: the token stops working, the seat is freed, and the address can be invited again', async () => {
    const before = (await gql(ctx.url, SEATS, {}, ctx.admin.token)).data!.organization.seats.used;
    const { id, token } = await inviteByLink(ctx.url, ctx.admin.token, 'acme', 'tia@example.com');
    expect((await gql(ctx.url, SEATS, {}, ctx.admin.token)).data!.organization.seats.used).toBe(before + 1);
    const revoked = await gql(ctx.url, REVOKE, { i: { id } }, ctx.admin.token);
    expect(revoked.data!.revokeInvitation.invitation.status).toBe('REVOKED');
    expect((await gql(ctx.url, SEATS, {}, ctx.admin.token)).data!.organization.seats.used).toBe(before);
    expect(
      codeOf(await gql(ctx.url, ACCEPT, { i: { token, username: 'tia', name: 'Tia', password: 'tia-password-1' } })),
    ).toBe('INVITE_INVALID');
    // Idempotent: revoking again succeeds with changed: false.
    const revokedAgain = await gql(
      ctx.url,
      'mutation($i: RevokeInvitationInput!) { revokeInvitation(input: $i) { changed invitation { status } } }',
      { i: { id } },
      ctx.admin.token,
    );
    expect(revokedAgain.data!.revokeInvitation).toEqual({ changed: false, invitation: { status: 'REVOKED' } });
    const again = await inviteByLink(ctx.url, ctx.admin.token, 'acme', 'tia@example.com');
    expect(again.id).not.toBe(id);
  });

  it('bulk-invites with a result per row and partial success', async () => {
    const res = await gql(
      ctx.url,
      BULK,
      {
        i: {
          organization: 'acme',
          sendEmail: false,
          invitations: [
            { email: 'u1@example.com' },
            { email: 'not-an-email' },
            { email: 'u2@example.com', role: 'VIEWER' },
            { email: 'u1@example.com' },
            { email: 'admin@example.com' },
          ],
        },
      },
      ctx.admin.token,
    );
    const out = res.data!.inviteUsers;
    expect(out.succeeded).toBe(2);
    expect(out.failed).toBe(3);
    expect(
      out.results.map((r: { index: number; error: { code: string } | null }) => [r.index, r.error?.code ?? 'OK']),
    ).toEqual([
      [0, 'OK'],
      [1, 'BAD_USER_INPUT'],
      [2, 'OK'],
      [3, 'CONFLICT'],
      [4, 'CONFLICT'],
    ]);
    expect(out.results[1].error.field).toBe('email');
    expect(out.results[2].invitation.role).toBe('VIEWER');
    expect(out.results[0].acceptUrl).toMatch(/token=rsi_/);
  });

  it(
    'refuses invitation management to members, viewers, other ' +
      'organizations and anonymous callers, writing nothing',
    async () => {
      const member = await addMember(ctx.t, ctx.org, 'mo', OrgRole.MEMBER);
      const viewer = await addMember(ctx.t, ctx.org, 'vi', OrgRole.VIEWER);
      const deactivatedAdmin = await addMember(ctx.t, ctx.org, 'dee', OrgRole.ADMIN, MemberStatus.DEACTIVATED);
      const betaAdmin = await addMember(ctx.t, null, 'bea');
      await gql(
        ctx.url,
        'mutation { inviteUser(input: { organization: "beta", ' +
          'email: "bea@example.com", role: ADMIN, sendEmail: false ' +
          '}) { acceptUrl } }',
        {},
        ctx.admin.token,
      ).then((r) =>
        gql(
          ctx.url,
          ACCEPT,
          { i: { token: new URL(r.data!.inviteUser.acceptUrl).searchParams.get('token') } },
          betaAdmin.token,
        ),
      );
      const { id } = await inviteByLink(ctx.url, ctx.admin.token, 'acme', 'target@example.com');
      const before = await ctx.t.server.db.orm.em
        .fork()
        .getConnection()
        .execute('select count(*)::int as n from invitations');
      const cases: Array<[string | undefined, string]> = [
        [member.token, 'FORBIDDEN'],
        [viewer.token, 'FORBIDDEN'],
        [deactivatedAdmin.token, 'NOT_FOUND'],
        [betaAdmin.token, 'NOT_FOUND'],
        [undefined, 'UNAUTHENTICATED'],
      ];
      for (const [token, code] of cases) {
        expect(
          codeOf(
            await gql(
              ctx.url,
              INVITE,
              { i: { organization: 'acme', email: 'x@example.com', sendEmail: false } },
              token,
            ),
          ),
          `invite ${code}`,
        ).toBe(code);
        expect(
          codeOf(
            await gql(ctx.url, BULK, { i: { organization: 'acme', invitations: [{ email: 'y@example.com' }] } }, token),
          ),
          `bulk ${code}`,
        ).toBe(code);
        expect(codeOf(await gql(ctx.url, RESEND, { i: { id } }, token)), `resend ${code}`).toBe(
          code === 'UNAUTHENTICATED' ? code : code === 'FORBIDDEN' ? 'FORBIDDEN' : 'NOT_FOUND',
        );
        expect(codeOf(await gql(ctx.url, REVOKE, { i: { id } }, token)), `revoke ${code}`).toBe(
          code === 'UNAUTHENTICATED' ? code : code === 'FORBIDDEN' ? 'FORBIDDEN' : 'NOT_FOUND',
        );
        // A lookup by natural key answers null, not NOT_FOUND, for an organization the caller may not see (issue 9).
        expect(
          outcomeOf(await gql(ctx.url, '{ organization(name: "acme") { invitations { totalCount } } }', {}, token)),
          `list ${code}`,
        ).toBe(code === 'NOT_FOUND' ? 'absent' : code);
      }
      const after = await ctx.t.server.db.orm.em
        .fork()
        .getConnection()
        .execute('select count(*)::int as n from invitations');
      expect(after[0]!.n).toBe(before[0]!.n);
    },
  );

  it('refuses bad input with BAD_USER_INPUT naming the field', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ organization: 'acme', email: 'nope' }, 'email'],
      [{ organization: 'acme', email: `${'a'.repeat(250)}@example.com` }, 'email'],
      [{ organization: '', email: 'ok@example.com' }, 'organization'],
    ];
    for (const [input, field] of cases) {
      const res = await gql(ctx.url, INVITE, { i: input }, ctx.admin.token);
      expect(codeOf(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0]!.extensions!.field).toBe(field);
    }
    const badRole = await gql(
      ctx.url,
      INVITE,
      { i: { organization: 'acme', email: 'ok@example.com', role: 'OWNER' } },
      ctx.admin.token,
    );
    expect(codeOf(badRole)).toBe('BAD_USER_INPUT');
    const tooMany = await gql(
      ctx.url,
      BULK,
      {
        i: {
          organization: 'acme',
          invitations: Array.from({ length: MAX_BULK_INVITES + 1 }, (_, n) => ({ email: `b${n}@example.com` })),
        },
      },
      ctx.admin.token,
    );
    expect(codeOf(tooMany)).toBe('BAD_USER_INPUT');
    const newUserMissing = await inviteByLink(ctx.url, ctx.admin.token, 'acme', 'newbie@example.com');
    const missing = await gql(ctx.url, ACCEPT, {
      i: { token: newUserMissing.token, name: 'Newbie', password: 'newbie-password' },
    });
    expect(codeOf(missing)).toBe('BAD_USER_INPUT');
    expect(missing.errors![0]!.extensions!.field).toBe('username');
    const count = await ctx.t.server.db.orm.em
      .fork()
      .getConnection()
      .execute("select count(*)::int as n from invitations where email in ('nope', 'ok@example.com')");
    expect(count[0]!.n).toBe(0);
    expect(ADMIN_PASSWORD).toBeTruthy();
  });
});
