import { performance } from 'node:perf_hooks';
import type { MikroORM } from '@mikro-orm/postgresql';
import { createTransport, type Transporter } from 'nodemailer';
import type { Config } from '../../config';
import type { Logger } from '../../logger';
import { EmailStatus } from './outbox-email.entity';
import type { SmtpSettings } from '../settings/instance-settings-store';

/** Rows claimed per statement; a full batch makes the sender claim again at once. */
const CLAIM_BATCH = 10;
/** SMTP connections open at once per process. */
const SEND_CONCURRENCY = 4;
/**
 * A claim lasts EMAIL_LEASE_SECONDS and is renewed this many times per lease while the sender holds the
 * email, so two renewals in a row can fail (a slow database) before a live sender's claim lapses.
 */
const RENEWALS_PER_LEASE = 3;
/**
 * How long a failed write of SENT is retried. Not recording it means the lease lapses and another sender
 * sends the email again, so a database blip is ridden out (the heartbeat keeps the claim meanwhile);
 * bounded so that shutdown does not hang on a database that is gone.
 */
const RECORD_SENT_RETRY_FOR_MS = 10_000;
const RECORD_SENT_FIRST_RETRY_MS = 250;
const RECORD_SENT_MAX_RETRY_MS = 2_000;
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
 * claimed with `for update skip locked` in a single statement, so each email is sent by one process. A
 * claim is a short lease (EMAIL_LEASE_SECONDS, in locked_until) that a heartbeat renews while the email is
 * in this process's hands, however slow the SMTP server; a dead process stops renewing, and once its lease
 * lapses another process takes the email over. SENT is recorded right after the SMTP server accepts the
 * message, so an email is sent twice only if the process dies (or loses the database) between that
 * acceptance and that write — see docs/API.md, "Invitation email". No transaction is held during network I/O.
 */
export class EmailSender {
  private readonly logger: Logger;
  private transport: Transporter | null = null;
  /** Where mail goes, for logs: never the credentials. */
  private endpoint: { host: string; port: number } | null = null;
  /** The SMTP password (raw and decoded), scrubbed from error messages before they are stored or logged. */
  private secrets: string[] = [];
  private from: string | undefined;
  /** Of the SMTP settings the transport was built from: a change (instance settings) rebuilds it. */
  private fingerprint: string | null = null;
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
    /**
     * The SMTP settings in effect (instance settings: SMTP_URL/SMTP_FROM overlaid by the API), read before every
     * delivery run, so a change applies without a restart. Without it: SMTP_URL and SMTP_FROM.
     */
    private readonly smtpSource?: () => Promise<SmtpSettings | null>,
  ) {
    this.logger = logger.child({ component: 'mail' });
    this.configure(
      config.smtpUrl
        ? { url: config.smtpUrl, auth: null, from: config.smtpFrom, fingerprint: `env:${config.smtpUrl}` }
        : null,
    );
  }

  /** Builds the transport for these settings (closing the previous one): only between runs, never during one. */
  private configure(smtp: SmtpSettings | null): void {
    const fingerprint = smtp?.fingerprint ?? '';
    if (fingerprint === this.fingerprint) return;
    const first = this.fingerprint === null;
    this.fingerprint = fingerprint;
    this.transport?.close();
    const url = smtp ? parseSmtpUrl(smtp.url) : null;
    this.transport = smtp
      ? createTransport({ url: smtp.url, ...(smtp.auth ? { auth: smtp.auth } : {}), ...SMTP_TIMEOUTS })
      : null;
    this.endpoint = url && { host: url.hostname, port: Number(url.port || (url.protocol === 'smtps:' ? 465 : 587)) };
    const password = smtp?.auth?.pass || url?.password;
    this.secrets = password ? [...new Set([password, decodeURIComponent(url?.password || password)])] : [];
    this.from = smtp?.from;
    if (!first) {
      if (this.endpoint) this.logger.info({ ...this.endpoint, from: this.from }, 'SMTP settings changed');
      else this.logger.warn('SMTP turned off: emails are written to this log instead of being sent');
    }
  }

  /** Picks up changed SMTP settings before a run. */
  private async refreshTransport(): Promise<void> {
    if (!this.smtpSource) return;
    try {
      this.configure(await this.smtpSource());
    } catch (err) {
      this.logger.error({ err }, 'Could not read the SMTP settings; keeping the previous ones');
    }
  }

  /** Polls every EMAIL_POLL_SECONDS until stop(). */
  start(): void {
    if (this.stopped || this.pollTimer) return;
    // The instance settings may configure SMTP where the environment does not: say what is in effect. Queued like a
    // run, so the transport never changes under a delivery.
    this.tail = this.tail
      .then(() => this.refreshTransport())
      .then(() => {
        if (this.endpoint) {
          this.logger.info({ ...this.endpoint, from: this.from }, 'Sending email through SMTP');
        } else {
          this.logger.warn(
            'No SMTP configured (SMTP_URL or the instance settings): emails (invitation links) are written to ' +
              'this log instead of being sent',
          );
        }
      });
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
    this.runOnce().catch((err: unknown) =>
      this.logger.error({ err }, 'Email delivery run failed; retrying at the next poll'),
    );
  }

  private async drain(): Promise<number> {
    await this.refreshTransport();
    let attempted = 0;
    for (;;) {
      // Taken before the claim statement is sent, so the lease surely lasts at least until start + lease.
      const claimStartedAt = performance.now();
      const batch = await this.claim();
      attempted += batch.length;
      if (batch.length > 0) {
        const leases = new Leases(
          batch,
          claimStartedAt,
          this.config.emailLeaseSeconds,
          (held) => this.renew(held),
          this.logger,
        );
        try {
          await forEachLimit(batch, SEND_CONCURRENCY, (email) => this.deliver(email, leases));
        } finally {
          await leases.close();
        }
      }
      if (batch.length < CLAIM_BATCH || this.stopped) return attempted;
    }
  }

  /**
   * One statement, so one short transaction: due rows, and rows whose sender died (lease lapsed), become
   * SENDING for EMAIL_LEASE_SECONDS. The database clock decides expiry, so clock skew between processes
   * does not matter.
   */
  private claim(): Promise<ClaimedEmail[]> {
    return this.orm.em.getConnection().execute<ClaimedEmail[]>(
      // Each kind of claimable row is read in (status, next_attempt_at) index order and stops at the batch: one
      // condition OR-ing both made PostgreSQL read and sort every queued row for every batch, which a bulk invitation
      // of 10,000 turned into a scan of the whole backlog per 10 emails. The first CLAIM_BATCH of the two, by
      // next_attempt_at, are the rows the single condition would claim.
      `with due as (
         select id, next_attempt_at from outbox_emails
          where status = ? and next_attempt_at <= now()
          order by next_attempt_at limit ? for update skip locked),
       lapsed as (
         select id, next_attempt_at from outbox_emails
          where status = ? and locked_until < now()
          order by next_attempt_at limit ? for update skip locked)
       update outbox_emails
          set status = ?, attempts = attempts + 1, locked_until = now() + make_interval(secs => ?)
        where id in (
          select id from (select * from due union all select * from lapsed) claimable
           order by next_attempt_at limit ?)
        returning id, kind, to_address, subject, text_body, html_body, attempts`,
      [
        EmailStatus.QUEUED,
        CLAIM_BATCH,
        EmailStatus.SENDING,
        CLAIM_BATCH,
        EmailStatus.SENDING,
        this.config.emailLeaseSeconds,
        CLAIM_BATCH,
      ],
    );
  }

  /**
   * The heartbeat: extends the claims this process still holds, in one statement; returns the ids renewed.
   * A claim is (id, attempts) — every claim increments attempts — so a claim another process took over
   * (after ours lapsed) is never extended.
   */
  private async renew(held: ReadonlyMap<string, number>): Promise<Set<string>> {
    const claims = [...held];
    const rows = await this.orm.em.getConnection().execute<Array<{ id: string }>>(
      `update outbox_emails set locked_until = now() + make_interval(secs => ?)
        where status = ? and (id, attempts) in (${claims.map(() => '(?::uuid, ?::int)').join(', ')})
        returning id`,
      [this.config.emailLeaseSeconds, EmailStatus.SENDING, ...claims.flat()],
    );
    return new Set(rows.map((r) => r.id));
  }

  /** Sends (or logs) one claimed email and records the outcome; never throws. */
  private async deliver(email: ClaimedEmail, leases: Leases): Promise<void> {
    try {
      // It may have waited behind slower sends of its batch: if renewals failed meanwhile, the claim may
      // have lapsed and another process may be sending it. Leave it to whoever holds it now.
      if (!leases.holds(email.id)) {
        this.logger.warn(
          { emailId: email.id, kind: email.kind },
          'Email claim lapsed before sending (lease not renewed); leaving it to the next claim',
        );
        return;
      }
      if (!this.transport) {
        this.logger.info(
          { emailId: email.id, kind: email.kind, to: email.to_address, subject: email.subject },
          `No SMTP configured: ${email.kind} email to ${email.to_address} not sent; share this link with ` +
            `them:\n\n${email.text_body ?? ''}`,
        );
        await this.finish(email, EmailStatus.LOGGED, null);
        return;
      }
      try {
        await this.transport.sendMail({
          from: this.from,
          to: email.to_address,
          subject: email.subject,
          text: email.text_body ?? '',
          html: email.html_body ?? undefined,
        });
      } catch (err) {
        await this.recordFailure(email, err);
        return;
      }
      // Accepted: record it before anything else, as every moment until then is the at-least-once window.
      await this.recordSent(email);
    } catch (err) {
      // The database failed while recording: the lease lapses and the email is retried (maybe sent twice).
      this.logger.error({ err, emailId: email.id }, 'Could not record the outcome of an email delivery');
    } finally {
      leases.release(email.id);
    }
  }

  /**
   * Records an SMTP acceptance, retrying a failed write for a while: the heartbeat keeps renewing the claim
   * meanwhile, and the attempts guard makes a late write safe (it cannot touch another sender's claim).
   */
  private async recordSent(email: ClaimedEmail): Promise<void> {
    const giveUpAt = performance.now() + RECORD_SENT_RETRY_FOR_MS;
    for (
      let attempt = 1, delay = RECORD_SENT_FIRST_RETRY_MS;
      ;
      attempt++, delay = Math.min(delay * 2, RECORD_SENT_MAX_RETRY_MS)
    ) {
      try {
        if (await this.finish(email, EmailStatus.SENT, null)) {
          this.logger.debug({ emailId: email.id, kind: email.kind, attempts: email.attempts }, 'Email sent');
        } else {
          // Our lease lapsed (renewals failed for a whole lease) and another process claimed the email, or
          // an earlier try committed although its reply was lost.
          this.logger.warn(
            { emailId: email.id, kind: email.kind, tries: attempt },
            "Email sent, but its row was no longer this sender's claim: if another sender took it over, it may " +
              'arrive twice',
          );
        }
        return;
      } catch (err) {
        if (performance.now() + delay > giveUpAt) throw err;
        this.logger.warn({ err, emailId: email.id, tries: attempt }, 'Could not record a sent email yet; retrying');
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private async recordFailure(email: ClaimedEmail, err: unknown): Promise<void> {
    const error = this.describe(err);
    const permanent = isPermanentRejection(err);
    if (permanent || email.attempts >= this.config.emailMaxAttempts) {
      this.logger.error(
        { emailId: email.id, kind: email.kind, attempts: email.attempts, error },
        'Email delivery failed; giving up',
      );
      await this.finish(email, EmailStatus.FAILED, error);
      return;
    }
    const delay = retryDelaySeconds(email.attempts, this.config.emailRetryBaseSeconds);
    this.logger.warn(
      { emailId: email.id, kind: email.kind, attempts: email.attempts, retryInSeconds: Math.round(delay), error },
      'Email delivery failed; will retry',
    );
    await this.execute(
      `update outbox_emails set status = ?, next_attempt_at = now() + make_interval(secs => ?), locked_until = ` +
        `null, last_error = ?
        where id = ? and status = ? and attempts = ?`,
      [EmailStatus.QUEUED, delay, error, email.id, EmailStatus.SENDING, email.attempts],
    );
  }

  /**
   * Final states; false when the claim was no longer ours. The bodies carry the invitation token, so they
   * are wiped once they are no longer needed. The `attempts` guard keeps a sender whose claim was taken
   * over from overwriting the newer claim.
   */
  private async finish(
    email: ClaimedEmail,
    status: EmailStatus.SENT | EmailStatus.LOGGED | EmailStatus.FAILED,
    error: string | null,
  ): Promise<boolean> {
    const rows = await this.orm.em.getConnection().execute<Array<{ id: string }>>(
      `update outbox_emails
          set status = ?, sent_at = case when ? then now() else sent_at end, last_error = ?,
              locked_until = null, text_body = null, html_body = null
        where id = ? and status = ? and attempts = ?
        returning id`,
      [status, status !== EmailStatus.FAILED, error, email.id, EmailStatus.SENDING, email.attempts],
    );
    return rows.length > 0;
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
    throw new Error(
      'SMTP_URL is not a valid URL; expected smtp://user:pass@host:587 (percent-encode special characters in the ' +
        'user and password)',
    );
  }
}

/**
 * The server refused the recipient for good (5xx on RCPT TO): retrying cannot help. A refused sender or login can be
 * fixed, so those retry.
 */
function isPermanentRejection(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, command, responseCode } = err as { code?: unknown; command?: unknown; responseCode?: unknown };
  return (
    code === 'EENVELOPE' &&
    command === 'RCPT TO' &&
    typeof responseCode === 'number' &&
    responseCode >= 500 &&
    responseCode < 600
  );
}

/**
 * The claims of one batch, kept alive by a heartbeat (every lease / RENEWALS_PER_LEASE) from the claim
 * until each email's outcome is recorded: emails waiting behind slower sends of the batch are covered too.
 */
class Leases {
  /** id -> attempts of the claims still held and not yet settled. */
  private readonly held = new Map<string, number>();
  /**
   * performance.now() before which the database lease surely holds: each renewal's start + the lease
   * (the database sets now() + lease a little later, so this errs on the early side).
   */
  private validUntil: number;
  private readonly intervalMs: number;
  private readonly timer: NodeJS.Timeout;
  /** The renewal in flight, if any: renewals never overlap, and close() waits for it. */
  private renewal: Promise<void> | null = null;

  constructor(
    emails: readonly ClaimedEmail[],
    claimStartedAt: number,
    leaseSeconds: number,
    private readonly renew: (held: ReadonlyMap<string, number>) => Promise<Set<string>>,
    private readonly logger: Logger,
  ) {
    for (const email of emails) this.held.set(email.id, email.attempts);
    const leaseMs = leaseSeconds * 1000;
    this.validUntil = claimStartedAt + leaseMs;
    this.intervalMs = leaseMs / RENEWALS_PER_LEASE;
    this.timer = setInterval(() => {
      if (this.renewal || this.held.size === 0) return;
      this.renewal = this.heartbeat(leaseMs).finally(() => (this.renewal = null));
    }, this.intervalMs);
    // Sends in flight keep the process alive, not the heartbeat.
    this.timer.unref();
  }

  /**
   * Whether a send may start: the claim is ours and will last until the next renewal even if that one
   * fails. False once renewals have failed for two thirds of a lease or another process took the email.
   */
  holds(id: string): boolean {
    return this.held.has(id) && performance.now() < this.validUntil - this.intervalMs;
  }

  /** The email's outcome is recorded (or it was left alone): stop renewing its claim. */
  release(id: string): void {
    this.held.delete(id);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.renewal;
  }

  private async heartbeat(leaseMs: number): Promise<void> {
    const startedAt = performance.now();
    const snapshot = new Map(this.held);
    try {
      const renewed = await this.renew(snapshot);
      this.validUntil = startedAt + leaseMs;
      // Not renewed: settled meanwhile (released anyway), or taken over by another process after our lease
      // lapsed; either way this process must not act on it any more.
      for (const id of snapshot.keys()) if (!renewed.has(id)) this.held.delete(id);
    } catch (err) {
      this.logger.warn(
        { err, emails: snapshot.size },
        'Could not renew the claim on emails being sent; retrying at the next heartbeat',
      );
    }
  }
}

async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
