import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../src/testing';
import type { Config } from '../src/config';
import type { Database } from '../src/db/orm';
import { EmailSender, retryDelaySeconds } from '../src/modules/mail/email-sender';
import { enqueueEmail } from '../src/modules/mail/outbox';
import { EmailStatus, OutboxEmail } from '../src/modules/mail/outbox-email.entity';
import { renderInvitationEmail } from '../src/modules/mail/templates';

import {
  BOUNCING,
  FROM,
  SMTP_PASSWORD,
  SMTP_USER,
  freePort,
  startSmtp,
  type FakeSmtp,
  type ReceivedMessage,
} from './smtp-fixture';

/** A pino logger whose lines the test can read. */
function captureLogger(): { logger: pino.Logger; text(): string } {
  const lines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
  return { logger, text: () => lines.join('') };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 20 ms until it holds; fails with `what` after `timeoutMs`. */
async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for: ${what}`);
    await sleep(20);
  }
}

function acceptUrlFor(to: string): string {
  return `https://roster.example.com/accept-invitation?token=${'t'.repeat(43)}-${encodeURIComponent(to)}&from=email`;
}

describe('invitation emails', () => {
  let t: TestServer;
  let smtpPort: number;
  let smtp: FakeSmtp;
  let config: Config;

  beforeAll(async () => {
    smtpPort = await freePort();
    smtp = await startSmtp(smtpPort);
    t = await startTestServer({
      SMTP_URL: `smtp://${SMTP_USER}:${encodeURIComponent(SMTP_PASSWORD)}@127.0.0.1:${smtpPort}`,
      SMTP_FROM: FROM,
      EMAIL_MAX_ATTEMPTS: '2',
      EMAIL_RETRY_BASE_SECONDS: '30',
      // The tests run the sender themselves.
      EMAIL_POLL_SECONDS: '3600',
    });
    config = t.server.config;
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  /** Queues an invitation email the way the invitation service does (the outbox row commits with the flush). */
  async function queue(to: string): Promise<string> {
    const em = t.server.db.orm.em.fork();
    const rendered = renderInvitationEmail({
      organizationDisplayName: 'Acme Research',
      organizationName: 'acme',
      inviterName: 'Ada Admin',
      email: to,
      role: 'MEMBER',
      acceptUrl: acceptUrlFor(to),
      expiresAt: new Date(Date.now() + 7 * 86_400_000),
    });
    const email = enqueueEmail(em, { kind: 'invitation', to, ...rendered, invitationId: null });
    await em.flush();
    return email.id;
  }

  function load(id: string): Promise<OutboxEmail> {
    return t.server.db.orm.em.fork().findOneOrFail(OutboxEmail, id);
  }

  function makeDue(id: string): Promise<unknown> {
    return t.server.db.orm.em
      .fork()
      .getConnection()
      .execute(`update outbox_emails set next_attempt_at = now() - interval '1 second' where id = ?`, [id]);
  }

  function received(to: string): ReceivedMessage[] {
    return smtp.messages.filter((m) => m.rcptTo.includes(to));
  }

  it('delivers a queued email once, with From, To, Subject and the link, then wipes its bodies', async () => {
    const to = 'new.user@example.com';
    const id = await queue(to);
    expect((await load(id)).status).toBe(EmailStatus.QUEUED);

    expect(await t.server.mail.runOnce()).toBe(1);
    expect(await t.server.mail.runOnce()).toBe(0);

    const [message, ...others] = received(to);
    expect(others).toHaveLength(0);
    expect(smtp.logins).toContain(SMTP_USER);
    expect(message!.mailFrom).toBe('roster@example.com');
    expect(message!.rcptTo).toEqual([to]);
    expect(message!.text).toMatch(/^From: Roster <roster@example\.com>$/m);
    expect(message!.text).toMatch(/^To: new\.user@example\.com$/m);
    expect(message!.text).toMatch(/^Subject: You are invited to join Acme Research on Roster$/m);
    // The link on a line of its own in the text part, and as a link in the HTML part.
    expect(message!.text).toContain(`\r\n${acceptUrlFor(to)}\r\n`);
    expect(message!.text).toContain(`href="${acceptUrlFor(to).replace(/&/g, '&amp;')}"`);

    const row = await load(id);
    expect(row).toMatchObject({
      status: EmailStatus.SENT,
      attempts: 1,
      lastError: null,
      textBody: null,
      htmlBody: null,
      lockedUntil: null,
    });
    expect(row.sentAt).toBeInstanceOf(Date);
  });

  it('keeps the email queued with the error while SMTP is down, and delivers it once SMTP is back', async () => {
    await smtp.close();
    const to = 'during.outage@example.com';
    const id = await queue(to);
    const before = Date.now();
    expect(await t.server.mail.runOnce()).toBe(1);

    let row = await load(id);
    expect(row.status).toBe(EmailStatus.QUEUED);
    expect(row.attempts).toBe(1);
    expect(row.lastError).toMatch(/ECONNREFUSED/);
    expect(row.lastError).not.toContain(SMTP_PASSWORD);
    expect(row.textBody).toContain(acceptUrlFor(to));
    // First retry after EMAIL_RETRY_BASE_SECONDS (30 s) plus at most 10% jitter.
    expect(row.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(before + 29_000);
    expect(row.nextAttemptAt.getTime()).toBeLessThanOrEqual(Date.now() + 34_000);
    // Not due yet: nothing is attempted.
    expect(await t.server.mail.runOnce()).toBe(0);

    smtp = await startSmtp(smtpPort);
    await makeDue(id);
    expect(await t.server.mail.runOnce()).toBe(1);
    expect(await t.server.mail.runOnce()).toBe(0);
    expect(received(to)).toHaveLength(1);
    row = await load(id);
    expect(row).toMatchObject({
      status: EmailStatus.SENT,
      attempts: 2,
      lastError: null,
      textBody: null,
      htmlBody: null,
    });
  });

  it('gives up after EMAIL_MAX_ATTEMPTS, keeping the last error and no SMTP password anywhere', async () => {
    const wrongPassword = 'not-the-password';
    const logs = captureLogger();
    const misconfigured = new EmailSender(
      t.server.db.orm,
      { ...config, smtpUrl: `smtp://${SMTP_USER}:${wrongPassword}@127.0.0.1:${smtpPort}` },
      logs.logger,
    );
    misconfigured.start();
    try {
      const to = 'never.reached@example.com';
      const id = await queue(to);
      expect(await misconfigured.runOnce()).toBe(1);
      let row = await load(id);
      expect(row).toMatchObject({ status: EmailStatus.QUEUED, attempts: 1 });
      expect(row.lastError).toMatch(/535|Invalid login/i);

      await makeDue(id);
      expect(await misconfigured.runOnce()).toBe(1);
      row = await load(id);
      expect(row).toMatchObject({
        status: EmailStatus.FAILED,
        attempts: 2,
        textBody: null,
        htmlBody: null,
        sentAt: null,
      });
      expect(row.lastError).toMatch(/535|Invalid login/i);
      expect(row.lastError).not.toContain(wrongPassword);
      expect(await misconfigured.runOnce()).toBe(0);
      expect(received(to)).toHaveLength(0);

      expect(logs.text()).toContain(`"host":"127.0.0.1","port":${smtpPort}`);
      expect(logs.text()).toContain('giving up');
      expect(logs.text()).not.toContain(wrongPassword);
    } finally {
      await misconfigured.stop();
    }
  });

  it('fails at once when the SMTP server refuses the recipient for good', async () => {
    const id = await queue(BOUNCING);
    expect(await t.server.mail.runOnce()).toBe(1);
    const row = await load(id);
    expect(row).toMatchObject({ status: EmailStatus.FAILED, attempts: 1 });
    expect(row.lastError).toMatch(/550/);
  });

  it('takes over an email whose sender died mid-send, but not one still being sent', async () => {
    const crashed = await queue('crashed@example.com');
    const busy = await queue('busy@example.com');
    const conn = t.server.db.orm.em.fork().getConnection();
    await conn.execute(
      `update outbox_emails set status = 'SENDING', attempts = 1, locked_until = now() - interval '1 second' where ` +
        `id = ?`,
      [crashed],
    );
    await conn.execute(
      `update outbox_emails set status = 'SENDING', attempts = 1, locked_until = now() + interval '5 minutes' where ` +
        `id = ?`,
      [busy],
    );

    expect(await t.server.mail.runOnce()).toBe(1);
    expect(await load(crashed)).toMatchObject({ status: EmailStatus.SENT, attempts: 2 });
    expect(received('crashed@example.com')).toHaveLength(1);
    expect(await load(busy)).toMatchObject({ status: EmailStatus.SENDING, attempts: 1 });
    expect(received('busy@example.com')).toHaveLength(0);
    await conn.execute(`update outbox_emails set status = 'FAILED', locked_until = null where id = ?`, [busy]);
  });

  it('kick() delivers soon without waiting for the poll, once for many kicks', async () => {
    const to = 'kicked@example.com';
    const id = await queue(to);
    for (let i = 0; i < 5; i++) t.server.mail.kick();
    const deadline = Date.now() + 5_000;
    while ((await load(id)).status !== EmailStatus.SENT && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect((await load(id)).status).toBe(EmailStatus.SENT);
    expect(await t.server.mail.runOnce()).toBe(0);
    expect(received(to)).toHaveLength(1);
  });

  it('writes the message with its link to the log when no SMTP is configured', async () => {
    const logs = captureLogger();
    const logOnly = new EmailSender(
      t.server.db.orm,
      { ...config, smtpUrl: undefined, smtpFrom: undefined },
      logs.logger,
    );
    try {
      const to = 'no.smtp@example.com';
      const id = await queue(to);
      expect(await logOnly.runOnce()).toBe(1);
      const row = await load(id);
      expect(row).toMatchObject({
        status: EmailStatus.LOGGED,
        attempts: 1,
        textBody: null,
        htmlBody: null,
        lastError: null,
      });
      expect(logs.text()).toContain('No SMTP configured');
      expect(logs.text()).toContain(to);
      expect(logs.text()).toContain(acceptUrlFor(to));
      expect(received(to)).toHaveLength(0);
    } finally {
      await logOnly.stop();
    }
  });

  // Short so the tests take seconds; production defaults to 30 s (see config.test.ts).
  const LEASE_SECONDS = 3;
  const POLL_SECONDS = 1;
  /** Timers, statements and SMTP round trips on a loaded CI machine. */
  const SLACK_MS = 1500;

  it(
    'retries an email whose sender died right after claiming ' + 'it within the lease plus one poll, exactly once',
    async () => {
      const to = 'claimed.then.died@example.com';
      const id = await queue(to);
      // What a sender leaves behind when it claims a row and dies: SENDING, the attempt counted, a fresh lease nobody
      // renews.
      await t.server.db.orm.em
        .fork()
        .getConnection()
        .execute(
          `update outbox_emails set status = 'SENDING', attempts = attempts + 1, locked_until = now() + ` +
            `make_interval(secs => ?) where id = ?`,
          [LEASE_SECONDS, id],
        );
      const diedAt = Date.now();

      const survivor = new EmailSender(
        t.server.db.orm,
        { ...config, emailLeaseSeconds: LEASE_SECONDS, emailPollSeconds: POLL_SECONDS },
        t.server.logger,
      );
      survivor.start();
      try {
        // Polling finds it, but leaves it alone while the lease runs: it could be a live, slow send.
        await sleep(LEASE_SECONDS * 1000 - 1000);
        expect(await load(id)).toMatchObject({ status: EmailStatus.SENDING, attempts: 1 });
        expect(received(to)).toHaveLength(0);

        await until(
          'the survivor to send it',
          async () => (await load(id)).status === EmailStatus.SENT,
          (LEASE_SECONDS + POLL_SECONDS) * 1000 + SLACK_MS,
        );
        expect(Date.now() - diedAt).toBeLessThanOrEqual((LEASE_SECONDS + POLL_SECONDS) * 1000 + SLACK_MS);
        // More polls change nothing.
        await sleep(2 * POLL_SECONDS * 1000);
        expect(received(to)).toHaveLength(1);
        expect(await load(id)).toMatchObject({
          status: EmailStatus.SENT,
          attempts: 2,
          lockedUntil: null,
          textBody: null,
        });
      } finally {
        await survivor.stop();
      }
    },
  );

  it(
    'never sends twice while a live sender waits on an SMTP ' + 'server slower than the lease; the heartbeat renews it',
    async () => {
      const leased = { ...config, emailLeaseSeconds: LEASE_SECONDS };
      // On PostgreSQL the rival has its own pool, as another server process would. PGlite serves one
      // connection, so there both share it: claims go through the database either way.
      const other: Database | null = process.env.DATABASE_URL ? await t.openExtraDatabase() : null;
      const slowSender = new EmailSender(t.server.db.orm, leased, t.server.logger);
      const rival = new EmailSender(other?.orm ?? t.server.db.orm, leased, t.server.logger);
      // Each acceptance takes longer than a lease. Five emails make one batch sent four at a time, so the
      // fifth also waits in the sender's hands for longer than a lease before its own slow send starts.
      smtp.acceptDelayMs = (LEASE_SECONDS + 1) * 1000;
      try {
        const recipients = Array.from({ length: 5 }, (_, i) => `slow.acceptance.${i}@example.com`);
        const ids: string[] = [];
        for (const to of recipients) ids.push(await queue(to));
        let settled = false;
        const sending = slowSender.runOnce().finally(() => (settled = true));
        await until('messages at the SMTP server', () => smtp.pending > 0, 5_000);
        const firstLease = (await load(ids[4]!)).lockedUntil!.getTime();

        // Until the slow sender is done the rival keeps looking (far more often than it would poll) and
        // finds nothing due.
        let rivalAttempts = 0;
        let latestLease = firstLease;
        while (!settled) {
          rivalAttempts += await rival.runOnce();
          const waiting = await load(ids[4]!);
          if (waiting.lockedUntil) latestLease = Math.max(latestLease, waiting.lockedUntil.getTime());
          await sleep(100);
        }
        expect(await sending).toBe(5);
        rivalAttempts += await rival.runOnce();

        expect(rivalAttempts).toBe(0);
        for (const to of recipients) expect(received(to), to).toHaveLength(1);
        for (const id of ids)
          expect(await load(id)).toMatchObject({ status: EmailStatus.SENT, attempts: 1, lockedUntil: null });
        // The heartbeat pushed the lease of the email that waited forward, well past the first one.
        expect(latestLease - firstLease).toBeGreaterThanOrEqual(LEASE_SECONDS * 1000);
      } finally {
        smtp.acceptDelayMs = 0;
        await slowSender.stop();
        await rival.stop();
        await other?.close();
      }
    },
  );

  // Killing a sender means cutting its database pool; the shared PGlite connection cannot be cut alone.
  it.skipIf(!process.env.DATABASE_URL)(
    'retries within the lease plus one poll an email whose sender died mid-send, before SMTP accepted it',
    async () => {
      const leased = { ...config, emailLeaseSeconds: LEASE_SECONDS, emailPollSeconds: POLL_SECONDS };
      // The doomed sender's own SMTP server holds the message, so its send is in progress when it dies.
      const stuckPort = await freePort();
      const stuckSmtp = await startSmtp(stuckPort);
      stuckSmtp.acceptDelayMs = 60_000;
      const doomedDb: Database = await t.openExtraDatabase();
      const doomed = new EmailSender(
        doomedDb.orm,
        { ...leased, smtpUrl: `smtp://${SMTP_USER}:${encodeURIComponent(SMTP_PASSWORD)}@127.0.0.1:${stuckPort}` },
        captureLogger().logger,
      );
      const survivor = new EmailSender(t.server.db.orm, leased, t.server.logger);
      try {
        const to = 'died.mid.send@example.com';
        const id = await queue(to);
        const doomedRun = doomed.runOnce();
        await until('the message data at the stuck SMTP server', () => stuckSmtp.pending === 1, 5_000);
        // Let a heartbeat or two renew the claim, so it is a live lease that must lapse.
        await sleep(LEASE_SECONDS * 1000);
        expect(await load(id)).toMatchObject({ status: EmailStatus.SENDING, attempts: 1 });

        // The process dies: no more renewals or writes, and its SMTP transaction ends without acceptance.
        await doomedDb.close();
        stuckSmtp.abortPending();
        const diedAt = Date.now();
        survivor.start();

        await until(
          'the survivor to send it',
          async () => (await load(id)).status === EmailStatus.SENT,
          (LEASE_SECONDS + POLL_SECONDS) * 1000 + SLACK_MS,
        );
        expect(Date.now() - diedAt).toBeLessThanOrEqual((LEASE_SECONDS + POLL_SECONDS) * 1000 + SLACK_MS);
        await doomedRun;
        await sleep(2 * POLL_SECONDS * 1000);
        expect(received(to)).toHaveLength(1);
        expect(stuckSmtp.messages).toHaveLength(0);
        expect(await load(id)).toMatchObject({ status: EmailStatus.SENT, attempts: 2, lockedUntil: null });
      } finally {
        await survivor.stop();
        await doomed.stop();
        await stuckSmtp.close();
      }
    },
  );

  it.skipIf(!process.env.DATABASE_URL)(
    'delivers each email exactly once with two server processes sending at once',
    async () => {
      const other: Database = await t.openExtraDatabase();
      const second = new EmailSender(other.orm, config, t.server.logger);
      try {
        const recipients = Array.from({ length: 20 }, (_, i) => `concurrent.${i}@example.com`);
        const em = t.server.db.orm.em.fork();
        for (const to of recipients) {
          enqueueEmail(em, {
            kind: 'invitation',
            to,
            subject: `Invitation for ${to}`,
            text: `Open ${acceptUrlFor(to)}`,
            html: '<p>Open</p>',
          });
        }
        await em.flush();

        const [first, secondCount] = await Promise.all([t.server.mail.runOnce(), second.runOnce()]);
        expect(first + secondCount).toBe(20);
        for (const to of recipients) expect(received(to), to).toHaveLength(1);
        const rows: Array<{ status: string; n: string }> = await em
          .getConnection()
          .execute(
            `select status, count(*) as n from outbox_emails where to_address like 'concurrent.%' group by status`,
          );
        expect(rows).toEqual([{ status: EmailStatus.SENT, n: '20' }]);
      } finally {
        await second.stop();
        await other.close();
      }
    },
  );
});

describe('invitation email template', () => {
  const params = {
    organizationDisplayName: '<script>alert("x")</script> & Co',
    organizationName: 'evil-co',
    inviterName: null,
    email: "o'neil@example.com",
    role: 'ADMIN',
    acceptUrl: 'https://roster.example.com/accept?token=abc&x="y"',
    expiresAt: new Date('2030-01-02T03:04:00Z'),
  };

  it('escapes every value in the HTML body', () => {
    const { html } = renderInvitationEmail(params);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co');
    expect(html).toContain('href="https://roster.example.com/accept?token=abc&amp;x=&quot;y&quot;"');
    expect(html).toContain('o&#39;neil@example.com');
  });

  it('puts the link on a line of its own in the text body and says who, what and until when', () => {
    const { subject, text } = renderInvitationEmail({
      ...params,
      organizationDisplayName: 'Acme\r\nBcc: x@evil.test',
      inviterName: 'Ada Admin',
    });
    expect(subject).toBe('You are invited to join Acme Bcc: x@evil.test on Roster');
    expect(text.split('\n')).toContain(params.acceptUrl);
    expect(text).toContain('Ada Admin has invited you to join Acme Bcc: x@evil.test (evil-co) on Roster as an admin.');
    expect(text).toContain("o'neil@example.com");
    expect(text).toContain('January 2, 2030 at 3:04 AM UTC');
  });

  it('backs off exponentially, capped at an hour', () => {
    const noJitter = (): number => 0;
    expect([1, 2, 3, 4].map((n) => retryDelaySeconds(n, 30, noJitter))).toEqual([30, 60, 120, 240]);
    expect(retryDelaySeconds(20, 30, noJitter)).toBe(3600);
    expect(retryDelaySeconds(1, 30, () => 1)).toBeCloseTo(33);
  });
});
