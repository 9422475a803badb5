import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, gql, type TestServer } from '../src/testing';
import { freePort, startSmtp, FROM, type FakeSmtp } from './smtp-fixture';

const SIGN_UP = 'mutation($i: SignUpInput!) { signUp(input: $i) { token } }';
const INVITE = 'mutation($i: InviteUserInput!) { inviteUser(input: $i) { acceptUrl invitation { id } } }';
const DELIVERY =
  'query { organization(name: "acme") { invitations { nodes { id email delivery { status attempts lastError sentAt ' +
  '} } } } }';

async function waitFor<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function linkIn(text: string): string {
  const match = /(http:\/\/127\.0\.0\.1:\d+\/invite\?token=[A-Za-z0-9_%-]+)/.exec(text);
  if (!match) throw new Error(`no accept link in:\n${text}`);
  return match[1]!;
}

describe('the invitation path over real SMTP', () => {
  let t: TestServer;
  let smtp: FakeSmtp | undefined;
  let smtpPort: number;
  let admin: string;

  beforeAll(async () => {
    smtpPort = await freePort();
    smtp = await startSmtp(smtpPort);
    const port = await freePort();
    t = await startTestServer({
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      SMTP_FROM: FROM,
      EMAIL_RETRY_BASE_SECONDS: '1',
    });
    admin = (
      await gql(t.url, SIGN_UP, {
        i: {
          email: 'admin@example.com',
          username: 'admin',
          name: 'Ada Admin',
          password: 'admin-password-1',
          organizationName: 'acme',
        },
      })
    ).data!.signUp.token;
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('invites, delivers the email, follows its link, accepts and logs in', async () => {
    const res = await gql(t.url, INVITE, { i: { organization: 'acme', email: 'newcomer@example.com' } }, admin);
    expect(res.data!.inviteUser.acceptUrl).toBeNull();
    // The sender is woken right after the commit: no polling wait.
    const message = await waitFor(
      () => smtp!.messages.find((m) => m.rcptTo.includes('newcomer@example.com')),
      'the invitation email',
    );
    expect(message.text).toMatch(/Subject: .*acme/i);
    const link = linkIn(message.text);

    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Join on Roster');
    const token = new URL(link).searchParams.get('token')!;
    // What the page's script does: preview, then accept.
    const preview = await gql(
      t.url,
      'query($t: String!) { invitationPreview(token: $t) { email organizationName invitedBy accountExists } }',
      { t: token },
    );
    expect(preview.data!.invitationPreview).toEqual({
      email: 'newcomer@example.com',
      organizationName: 'acme',
      invitedBy: 'admin',
      accountExists: false,
    });
    const accepted = await gql(
      t.url,
      'mutation($i: AcceptInvitationInput!) { acceptInvitation(input: $i) { user { username } organization { name } ' +
        '} }',
      {
        i: { token, username: 'newcomer', name: 'New Comer', password: 'newcomer-password' },
      },
    );
    expect(accepted.data!.acceptInvitation).toEqual({ user: { username: 'newcomer' }, organization: { name: 'acme' } });

    const login = await gql(
      t.url,
      'mutation { logIn(input: { login: "newcomer@example.com", password: "newcomer-password" }) { token } }',
    );
    const me = await gql(
      t.url,
      '{ viewer { user { username memberships { totalCount nodes { role status organization { name } } } } } }',
      {},
      login.data!.logIn.token,
    );
    expect(me.data!.viewer.user).toEqual({
      username: 'newcomer',
      memberships: { totalCount: 1, nodes: [{ role: 'MEMBER', status: 'ACTIVE', organization: { name: 'acme' } }] },
    });
    const delivery = await gql(t.url, DELIVERY, {}, admin);
    const row = delivery.data!.organization.invitations.nodes.find(
      (n: { email: string }) => n.email === 'newcomer@example.com',
    );
    expect(row.delivery).toMatchObject({ status: 'SENT', attempts: 1, lastError: null });
  });

  it('loses nothing while SMTP is down: the email arrives exactly once when it is back', async () => {
    await smtp!.close();
    smtp = undefined;
    const res = await gql(t.url, INVITE, { i: { organization: 'acme', email: 'patient@example.com' } }, admin);
    const id = res.data!.inviteUser.invitation.id;
    const failedOnce = await waitFor(async () => {
      const d = await gql(t.url, DELIVERY, {}, admin);
      const row = d.data!.organization.invitations.nodes.find((n: { id: string }) => n.id === id);
      return row.delivery.attempts >= 1 && row.delivery.status === 'QUEUED' ? row.delivery : undefined;
    }, 'a failed first attempt');
    expect(failedOnce.lastError).toMatch(/ECONNREFUSED|connect/i);

    smtp = await startSmtp(smtpPort);
    // Retries back off from EMAIL_RETRY_BASE_SECONDS=1; run the sender until the email is through.
    await waitFor(async () => {
      await t.server.mail.runOnce();
      return smtp!.messages.some((m) => m.rcptTo.includes('patient@example.com')) ? true : undefined;
    }, 'the retried email');
    for (let i = 0; i < 3; i++) await t.server.mail.runOnce();
    expect(smtp.messages.filter((m) => m.rcptTo.includes('patient@example.com'))).toHaveLength(1);
    const d = await gql(t.url, DELIVERY, {}, admin);
    expect(d.data!.organization.invitations.nodes.find((n: { id: string }) => n.id === id).delivery.status).toBe(
      'SENT',
    );
  });

  it('drops the unsent email of a revoked invitation', async () => {
    await smtp!.close();
    smtp = undefined;
    const res = await gql(t.url, INVITE, { i: { organization: 'acme', email: 'revoked@example.com' } }, admin);
    const id = res.data!.inviteUser.invitation.id;
    // Wait for the first (failed) attempt to finish: an email mid-send cannot be recalled.
    await waitFor(async () => {
      const d = await gql(t.url, DELIVERY, {}, admin);
      const row = d.data!.organization.invitations.nodes.find((n: { id: string }) => n.id === id);
      return row.delivery.attempts >= 1 && row.delivery.status === 'QUEUED' ? true : undefined;
    }, 'a failed first attempt');
    await gql(
      t.url,
      'mutation($i: RevokeInvitationInput!) { revokeInvitation(input: $i) { invitation { status } } }',
      { i: { id } },
      admin,
    );
    smtp = await startSmtp(smtpPort);
    await t.server.db.orm.em.fork().getConnection().execute('update outbox_emails set next_attempt_at = now()');
    await t.server.mail.runOnce();
    expect(smtp.messages.filter((m) => m.rcptTo.includes('revoked@example.com'))).toHaveLength(0);
  });
});
