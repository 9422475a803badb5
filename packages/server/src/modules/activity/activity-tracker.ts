import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from '../../logger';

/**
 * Records that a user was active without a database write per request: each process writes at most once
 * per user per interval (and once at the start of each UTC day, and of each day in the time zone of any organization
 * the user is in: the write returns the next such midnight), and the SQL itself skips the update when
 * another process wrote recently, so N processes cost at most N writes per interval.
 *
 * Each write marks the day in every organization the user is an ACTIVE member of, the day taken in that organization's
 * time zone (settings.timeZone, UTC by default); the rollups behind activity summaries and the active-users series
 * follow from a trigger on daily_activity (Migration20261129152000_ActivityRollups, docs/USAGE.md).
 */
export class ActivityTracker {
  private readonly lastWrite = new Map<string, { at: number; day: string; nextMidnight: number }>();
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
    if (
      previous &&
      previous.day === day &&
      now.getTime() < previous.nextMidnight &&
      now.getTime() - previous.at < this.intervalMs
    )
      return;
    const entry = { at: now.getTime(), day, nextMidnight: Number.POSITIVE_INFINITY };
    this.lastWrite.set(userId, entry);
    if (this.lastWrite.size > 50_000) this.prune(now.getTime());
    const write = this.write(userId, now)
      .then((next) => {
        if (next) entry.nextMidnight = next.getTime();
      })
      .catch((err: unknown) => {
        this.lastWrite.delete(userId);
        this.logger.warn({ err, userId }, 'Could not record user activity');
      })
      .finally(() => this.pending.delete(write));
    this.pending.add(write);
  }

  /**
   * One statement: bump lastActiveAt (unless fresh), mark the day (in each organization's time zone) in every
   * organization the user is active in, and answer the next local midnight among them.
   */
  private async write(userId: string, now: Date): Promise<Date | null> {
    this.writes++;
    const staleBefore = new Date(now.getTime() - this.intervalMs);
    const rows: Array<{ next_midnight: Date | string | null }> = await this.orm.em.getConnection().execute(
      `with touched as (
         update users set last_active_at = ?
          where id = ? and (last_active_at is null or last_active_at < ?)
       ),
       zones as (
         select m.organization_id, coalesce(o.settings->>'timeZone', 'UTC') as tz
           from org_memberships m join organizations o on o.id = m.organization_id
          where m.user_id = ? and m.status = 'ACTIVE'
       ),
       marked as (
         insert into daily_activity (user_id, organization_id, day)
         select ?, organization_id, (?::timestamptz at time zone tz)::date from zones
         on conflict do nothing
       )
       select min((date_trunc('day', ?::timestamptz at time zone tz) + interval '1 day') at time zone tz)
         as next_midnight from zones`,
      [now, userId, staleBefore, userId, userId, now, now],
    );
    const next = rows[0]?.next_midnight;
    return next ? new Date(next) : null;
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
