import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../../config';
import type { Logger } from '../../logger';
import { ANONYMOUS } from '../../auth/principal';
import { AuditAction, recordAudit } from './audit.service';
import { EmailStatus } from '../mail/outbox-email.entity';

/** Rows deleted (or emails cleared) per statement: short transactions, bounded lock time, steady WAL. */
export const RETENTION_BATCH_SIZE = 5_000;

/**
 * The advisory lock key of the retention job (any 64-bit number unique among the server's advisory locks:
 * "roster:retention" in ASCII, truncated).
 */
export const RETENTION_LOCK_KEY = '8245937163958110574';

/** Emails in a final state: nothing will send them again. */
const FINAL_EMAIL_STATUSES = [EmailStatus.SENT, EmailStatus.FAILED, EmailStatus.LOGGED];

export interface PruneResult {
  auditEventsDeleted: number;
  emailBodiesCleared: number;
  emailsDeleted: number;
  /** Statements that changed rows (each at most RETENTION_BATCH_SIZE rows). */
  batches: number;
}

/**
 * Deletes what is older than the retention settings (docs/OPERATIONS.md, "Retention"): audit events after
 * AUDIT_RETENTION_DAYS, the bodies of emails in a final state after EMAIL_BODY_RETENTION_DAYS, outbox rows in a final
 * state after EMAIL_RETENTION_DAYS (0: keep forever). Runs every RETENTION_INTERVAL_MINUTES in every process, but one
 * process at a time: each batch is a transaction that first takes `pg_try_advisory_xact_lock` (PostgreSQL and PGlite
 * alike); a process that finds the lock taken stops its run, leaving the work to the one holding it. A batch is one
 * statement of at most RETENTION_BATCH_SIZE rows, so no run holds long locks or one huge transaction, and the lock
 * is never held on a connection between batches (the embedded database has one connection).
 */
export class RetentionPruner {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<PruneResult | null> | null = null;

  constructor(
    private readonly orm: MikroORM,
    private readonly settings: Config['retention'],
    private readonly logger: Logger,
    private readonly batchSize = RETENTION_BATCH_SIZE,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.runOnce().catch((err: unknown) => this.logger.warn({ err }, 'Retention pruning failed; retrying later'));
    }, this.settings.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => null);
  }

  /** One run; null when another process held the lock (it prunes instead). Runs of one process never overlap. */
  runOnce(now: Date = new Date()): Promise<PruneResult | null> {
    this.running ??= this.prune(now).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async prune(now: Date): Promise<PruneResult | null> {
    const result: PruneResult = { auditEventsDeleted: 0, emailBodiesCleared: 0, emailsDeleted: 0, batches: 0 };
    const cutoff = (days: number) => new Date(now.getTime() - days * 86_400_000);
    const finals = FINAL_EMAIL_STATUSES.map(() => '?').join(', ');
    const steps: Array<{ days: number; key: keyof PruneResult; sql: string; bindings: (c: Date) => unknown[] }> = [
      {
        days: this.settings.auditDays,
        key: 'auditEventsDeleted',
        // Oldest first by id (the primary key): the scan stops at the first batch's end.
        sql: `delete from audit_events where id in (select id from audit_events where created_at < ? order by id
                limit ${this.batchSize})`,
        bindings: (c) => [c],
      },
      {
        days: this.settings.emailBodyDays,
        key: 'emailBodiesCleared',
        sql: `update outbox_emails set text_body = null, html_body = null where id in (select id from outbox_emails
                where status in (${finals}) and coalesce(sent_at, created_at) < ?
                  and (text_body is not null or html_body is not null)
                limit ${this.batchSize})`,
        bindings: (c) => [...FINAL_EMAIL_STATUSES, c],
      },
      {
        days: this.settings.emailDays,
        key: 'emailsDeleted',
        sql: `delete from outbox_emails where id in (select id from outbox_emails
                where status in (${finals}) and created_at < ? limit ${this.batchSize})`,
        bindings: (c) => [...FINAL_EMAIL_STATUSES, c],
      },
    ];
    for (const step of steps) {
      if (step.days <= 0) continue;
      const before = cutoff(step.days);
      for (;;) {
        const changed = await this.batch(step.sql, step.bindings(before));
        if (changed === null) {
          this.logger.debug('Retention: another process is pruning; leaving it to that one');
          return result.batches > 0 ? await this.recorded(result, now) : null;
        }
        if (changed > 0) result.batches++;
        (result[step.key] as number) += changed;
        if (changed < this.batchSize) break;
      }
    }
    return this.recorded(result, now);
  }

  /** One statement under the lock, in its own transaction: rows changed, or null when the lock is taken. */
  private async batch(sql: string, bindings: unknown[]): Promise<number | null> {
    const knex = this.orm.em.getConnection().getKnex();
    return knex.transaction(async (trx) => {
      const lock = await trx.raw('select pg_try_advisory_xact_lock(?::bigint) as ok', [RETENTION_LOCK_KEY]);
      if (!lock.rows[0]?.ok) return null;
      const res = await trx.raw(sql, bindings as never[]);
      return Number(res.rowCount ?? 0);
    });
  }

  /** A run that removed anything leaves one `retention.pruned` event (actor: system), so the audit log says why. */
  private async recorded(result: PruneResult, now: Date): Promise<PruneResult> {
    if (result.batches === 0) return result;
    const em = this.orm.em.fork();
    recordAudit(
      em,
      { principal: ANONYMOUS, clientAddress: null },
      {
        action: AuditAction.RETENTION_PRUNED,
        actor: { type: 'system', id: null, label: 'retention' },
        metadata: {
          auditEventsDeleted: result.auditEventsDeleted,
          emailBodiesCleared: result.emailBodiesCleared,
          emailsDeleted: result.emailsDeleted,
          auditRetentionDays: this.settings.auditDays,
          emailRetentionDays: this.settings.emailDays,
          emailBodyRetentionDays: this.settings.emailBodyDays,
          at: now.toISOString(),
        },
      },
    );
    await em.flush();
    this.logger.info(result, 'Retention: pruned old audit events and emails');
    return result;
  }
}
