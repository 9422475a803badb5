import type { MikroORM } from '@mikro-orm/postgresql';
import { createTransport, type Transporter } from 'nodemailer';
import type { Config } from '../../config';
import type { Logger } from '../../logger';
import { EmailStatus } from './outbox-email.entity';

/** Rows claimed per statement; a full batch makes the sender claim again at once. */
const CLAIM_BATCH = 10;
/** SMTP connections open at once per process. */
const SEND_CONCURRENCY = 4;
/**
 * How long a claim lasts. Far longer than a batch can take with the SMTP timeouts below, so a live
 * sender's claim never expires mid-send; once it expires the row is taken over (the sender crashed).
 */
const LOCK_SECONDS = 600;
const SMTP_TIMEOUTS = { connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 };
const MAX_RETRY_DELAY_SECONDS = 3600;
/** A kick waits this long, so the kicks of a bulk invite end in one run. */
const KICK_DELAY_MS = 50;

interface ClaimedEmail {
  id: string;
  kind: string;
  to_address: string;
  subject: string;
  text_body: string | null;
  html_body: string | null;
  /** Including this attempt. */
  attempts: number;
}

/** Delay before retry number `attempts` + 1: base * 2^(attempts-1), capped at an hour, plus up to 10% jitter. */
export function retryDelaySeconds(attempts: number, baseSeconds: number, random: () => number = Math.random): number {
  const delay = Math.min(baseSeconds * 2 ** Math.max(attempts - 1, 0), MAX_RETRY_DELAY_SECONDS);
  return delay * (1 + 0.1 * random());
}

/**
 * Delivers the outbox (outbox_emails) in the background. Any number of processes may run one: rows are
 * claimed with `for update skip locked` in a single statement, so each email is sent by one process; a
 * claim that outlives its lock (the process died) is taken over. Sending is at least once: a crash between
 * the SMTP reply and recording it sends that email again. No transaction is held during network I/O.
 */
export class EmailSender {
  private readonly logger: Logger;
  private readonly transport: Transporter | null;
  /** Where mail goes, for logs: never the credentials. */
  private readonly endpoint: { host: string; port: number } | null;
  /** The SMTP password (raw and decoded), scrubbed from error messages before they are stored or logged. */
  private readonly secrets: string[];
  private pollTimer: NodeJS.Timeout | undefined;
  private kickTimer: NodeJS.Timeout | undefined;
  /** Settles when the last queued run has finished: runs never overlap within a process. */
  private tail: Promise<unknown> = Promise.resolve();
  /** A run queued behind the current one and not started yet: later requests join it. */
  private queued: Promise<number> | null = null;
  private stopped = false;

  constructor(
    private readonly orm: MikroORM,
    private readonly config: Config,
    logger: Logger,
  ) {
    this.logger = logger.child({ component: 'mail' });
    const url = config.smtpUrl ? parseSmtpUrl(config.smtpUrl) : null;
    this.transport = config.smtpUrl ? createTransport({ url: config.smtpUrl, ...SMTP_TIMEOUTS }) : null;
    this.endpoint = url && { host: url.hostname, port: Number(url.port || (url.protocol === 'smtps:' ? 465 : 587)) };
    this.secrets = url?.password ? [...new Set([url.password, decodeURIComponent(url.password)])] : [];
  }

  /** Polls every EMAIL_POLL_SECONDS until stop(). */
  start(): void {
    if (this.stopped || this.pollTimer) return;
    if (this.endpoint) {
      this.logger.info({ ...this.endpoint, from: this.config.smtpFrom }, 'Sending email through SMTP');
    } else {
      this.logger.warn('No SMTP_URL set: emails (invitation links) are written to this log instead of being sent');
    }
    this.pollTimer = setInterval(() => this.runInBackground(), this.config.emailPollSeconds * 1000);
    this.pollTimer.unref();
  }

  /** Asks for a run soon (e.g. right after an email was committed); many kicks make one run. */
  kick(): void {
    if (this.stopped || this.kickTimer) return;
    this.kickTimer = setTimeout(() => {
      this.kickTimer = undefined;
      this.runInBackground();
    }, KICK_DELAY_MS);
    this.kickTimer.unref();
  }

  /**
   * Claims and delivers every due email (batch after batch); returns how many it attempted. Calls made
   * while a run is in progress wait for it and share the one run queued behind it.
   */
  runOnce(): Promise<number> {
    if (this.queued) return this.queued;
    const run = this.tail.then(() => {
      this.queued = null;
      return this.drain();
    });
    this.queued = run;
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Stops polling, waits for the run in flight and closes the SMTP transport. Final. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.pollTimer);
    clearTimeout(this.kickTimer);
    this.kickTimer = undefined;
    await this.tail;
    this.transport?.close();
  }

  private runInBackground(): void {
    if (this.stopped) return;
    this.runOnce().catch((err: unknown) => this.logger.error({ err }, 'Email delivery run failed; retrying at the next poll'));
  }

  private async drain(): Promise<number> {
    let attempted = 0;
    for (;;) {
      const batch = await this.claim();
      attempted += batch.length;
      await forEachLimit(batch, SEND_CONCURRENCY, (email) => this.deliver(email));
      if (batch.length < CLAIM_BATCH || this.stopped) return attempted;
    }
  }

  /** One statement, so one short transaction: due rows, and rows whose sender died, become SENDING for LOCK_SECONDS. */
  private claim(): Promise<ClaimedEmail[]> {
    return this.orm.em.getConnection().execute<ClaimedEmail[]>(
      `update outbox_emails
          set status = ?, attempts = attempts + 1, locked_until = now() + make_interval(secs => ?)
        where id in (
          select id from outbox_emails
           where (status = ? and next_attempt_at <= now()) or (status = ? and locked_until < now())
           order by next_attempt_at
           limit ?
           for update skip locked)
        returning id, kind, to_address, subject, text_body, html_body, attempts`,
      [EmailStatus.SENDING, LOCK_SECONDS, EmailStatus.QUEUED, EmailStatus.SENDING, CLAIM_BATCH],
    );
  }

  /** Sends (or logs) one claimed email and records the outcome; never throws. */
  private async deliver(email: ClaimedEmail): Promise<void> {
    try {
      if (!this.transport) {
        this.logger.info(
          { emailId: email.id, kind: email.kind, to: email.to_address, subject: email.subject },
          `No SMTP configured: ${email.kind} email to ${email.to_address} not sent; share this link with them:\n\n${email.text_body ?? ''}`,
        );
        await this.finish(email, EmailStatus.LOGGED, null);
        return;
      }
      try {
        await this.transport.sendMail({
          from: this.config.smtpFrom,
          to: email.to_address,
          subject: email.subject,
          text: email.text_body ?? '',
          html: email.html_body ?? undefined,
        });
      } catch (err) {
        await this.recordFailure(email, err);
        return;
      }
      this.logger.debug({ emailId: email.id, kind: email.kind, attempts: email.attempts }, 'Email sent');
      await this.finish(email, EmailStatus.SENT, null);
    } catch (err) {
      // The database failed while recording: the claim expires and the email is retried (maybe sent twice).
      this.logger.error({ err, emailId: email.id }, 'Could not record the outcome of an email delivery');
    }
  }

  private async recordFailure(email: ClaimedEmail, err: unknown): Promise<void> {
    const error = this.describe(err);
    const permanent = isPermanentRejection(err);
    if (permanent || email.attempts >= this.config.emailMaxAttempts) {
      this.logger.error({ emailId: email.id, kind: email.kind, attempts: email.attempts, error }, 'Email delivery failed; giving up');
      await this.finish(email, EmailStatus.FAILED, error);
      return;
    }
    const delay = retryDelaySeconds(email.attempts, this.config.emailRetryBaseSeconds);
    this.logger.warn({ emailId: email.id, kind: email.kind, attempts: email.attempts, retryInSeconds: Math.round(delay), error }, 'Email delivery failed; will retry');
    await this.execute(
      `update outbox_emails set status = ?, next_attempt_at = now() + make_interval(secs => ?), locked_until = null, last_error = ?
        where id = ? and status = ? and attempts = ?`,
      [EmailStatus.QUEUED, delay, error, email.id, EmailStatus.SENDING, email.attempts],
    );
  }

  /**
   * Final states. The bodies carry the invitation token, so they are wiped once they are no longer needed.
   * The `attempts` guard keeps a sender whose claim was taken over from overwriting the newer claim.
   */
  private async finish(email: ClaimedEmail, status: EmailStatus.SENT | EmailStatus.LOGGED | EmailStatus.FAILED, error: string | null): Promise<void> {
    await this.execute(
      `update outbox_emails
          set status = ?, sent_at = case when ? then now() else sent_at end, last_error = ?,
              locked_until = null, text_body = null, html_body = null
        where id = ? and status = ? and attempts = ?`,
      [status, status !== EmailStatus.FAILED, error, email.id, EmailStatus.SENDING, email.attempts],
    );
  }

  private async execute(sql: string, params: unknown[]): Promise<void> {
    await this.orm.em.getConnection().execute(sql, params, 'run');
  }

  /** The SMTP error as stored on the row and shown to admins: never the SMTP password. */
  private describe(err: unknown): string {
    let message = err instanceof Error ? err.message || err.name : String(err);
    for (const secret of this.secrets) message = message.split(secret).join('***');
    return message.slice(0, 1000);
  }
}

/** Node's URL error carries the input, password included: replace it with one that does not. */
function parseSmtpUrl(smtpUrl: string): URL {
  try {
    return new URL(smtpUrl);
  } catch {
    throw new Error('SMTP_URL is not a valid URL; expected smtp://user:pass@host:587 (percent-encode special characters in the user and password)');
  }
}

/** The server refused the recipient for good (5xx on RCPT TO): retrying cannot help. A refused sender or login can be fixed, so those retry. */
function isPermanentRejection(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, command, responseCode } = err as { code?: unknown; command?: unknown; responseCode?: unknown };
  return code === 'EENVELOPE' && command === 'RCPT TO' && typeof responseCode === 'number' && responseCode >= 500 && responseCode < 600;
}

async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
