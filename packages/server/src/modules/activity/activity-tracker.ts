import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from '../../logger';

/**
 * Records that a user was active without a database write per request: each process writes at most once
 * per user per interval (and once at the start of each UTC day), and the SQL itself skips the update when
 * another process wrote recently, so N processes cost at most N writes per interval.
 */
export class ActivityTracker {
  private readonly lastWrite = new Map<string, { at: number; day: string }>();
  private readonly pending = new Set<Promise<void>>();
  /** Writes issued since start; tests and benchmarks read it. */
  writes = 0;

  constructor(
    private readonly orm: MikroORM,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  touch(userId: string, now: Date = new Date()): void {
    const day = now.toISOString().slice(0, 10);
    const previous = this.lastWrite.get(userId);
    if (previous && previous.day === day && now.getTime() - previous.at < this.intervalMs) return;
    this.lastWrite.set(userId, { at: now.getTime(), day });
    if (this.lastWrite.size > 50_000) this.prune(now.getTime());
    const write = this.write(userId, now, day)
      .catch((err: unknown) => {
        this.lastWrite.delete(userId);
        this.logger.warn({ err, userId }, 'Could not record user activity');
      })
      .finally(() => this.pending.delete(write));
    this.pending.add(write);
  }

  /** One statement: bump lastActiveAt (unless fresh) and mark the day in every organization the user is active in. */
  private async write(userId: string, now: Date, day: string): Promise<void> {
    this.writes++;
    const staleBefore = new Date(now.getTime() - this.intervalMs);
    await this.orm.em.getConnection().execute(
      `with touched as (
         update users set last_active_at = ?
          where id = ? and (last_active_at is null or last_active_at < ?)
       )
       insert into daily_activity (user_id, organization_id, day)
       select user_id, organization_id, ?::date from org_memberships
        where user_id = ? and status = 'ACTIVE'
       on conflict do nothing`,
      [now, userId, staleBefore, day, userId],
    );
  }

  private prune(nowMs: number): void {
    for (const [userId, entry] of this.lastWrite) {
      if (nowMs - entry.at >= this.intervalMs) this.lastWrite.delete(userId);
    }
  }

  /** Writes issued and not finished yet (the metrics' coalescer backlog). */
  get backlog(): number {
    return this.pending.size;
  }

  /** Waits for writes in flight (shutdown, tests). */
  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }
}
