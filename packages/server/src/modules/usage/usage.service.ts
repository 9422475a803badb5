import { z } from 'zod';
import { Service } from '../service';
import type { Organization } from '../organizations/organization.entity';
import type { MemberView } from '../members/member.service';
import { InstancePermission, OrgPermission } from '../../authz/permissions';
import { MemberStatus } from '../../authz/roles';
import { AppError, ErrorCode } from '../../errors';
import { parseInput } from '../../validation';
import { UTC_TODAY_SQL, last30DaysStartSql, membershipKey, type MemberActivityFacts } from '../../graphql/loaders';
import { ActivityGranularity, ActivityRange } from './usage.types';

/** The scope of the instance in the activity rollups (activity_spans, activity_counts): the nil uuid. */
export const INSTANCE_SCOPE = '00000000-0000-0000-0000-000000000000';

/**
 * The most buckets a series returns: DAY over 12 months (365) fits; DAY over years of history does not, and is
 * refused with TOO_MANY_BUCKETS rather than cut.
 */
export const MAX_SERIES_BUCKETS = 400;

const seriesSchema = z.object({
  range: z.enum(ActivityRange, { message: 'must be one of the ActivityRange values' }),
  granularity: z.enum(ActivityGranularity, { message: 'must be DAY, WEEK or MONTH' }),
});

export interface MemberActivity {
  addedAt: Date;
  lastActiveAt: Date | null;
  firstActiveAt: Date | null;
  runsCreated: number;
  reportsCreated: number;
  daysActive: number;
}

export interface ActiveUsers {
  range: ActivityRange;
  granularity: ActivityGranularity;
  timeZone: string;
  from: string;
  to: string;
  series: Array<{ start: string; activeUsers: number }>;
  activeUsers: number;
  newMembers: number;
}

// Calendar arithmetic on YYYY-MM-DD days (no time of day, so no time zone: the database said which day today is).
const DAY_MS = 86_400_000;
const toMs = (day: string) => Date.parse(`${day}T00:00:00Z`);
const toDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const addDays = (day: string, n: number) => toDay(toMs(day) + n * DAY_MS);
const addMonths = (day: string, n: number) => {
  const d = new Date(toMs(day));
  return toDay(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, 1));
};
/** The first day of the bucket holding `day`: itself, its ISO week's Monday, or the first of its month. */
function bucketStart(day: string, granularity: ActivityGranularity): string {
  if (granularity === ActivityGranularity.DAY) return day;
  if (granularity === ActivityGranularity.MONTH) return `${day.slice(0, 7)}-01`;
  const weekday = (new Date(toMs(day)).getUTCDay() + 6) % 7;
  return addDays(day, -weekday);
}
function nextBucket(start: string, granularity: ActivityGranularity): string {
  if (granularity === ActivityGranularity.DAY) return addDays(start, 1);
  if (granularity === ActivityGranularity.WEEK) return addDays(start, 7);
  return addMonths(start, 1);
}

/** Usage figures (docs/USAGE.md): member activity summaries, users active over time, seats and activity per org. */
export class UsageService extends Service {
  /**
   * A member's activity summary in the member's organization, batched per request (loaders.memberActivity); null for
   * PENDING rows and for callers who may see neither everyone's usage (`usage:read`) nor this row as their own.
   */
  async memberActivity(member: MemberView): Promise<MemberActivity | null> {
    if (!member.userId) return null;
    if (!(await this.ctx.authz.seesActivityOf(member.organization, member.userId))) return null;
    const facts = await this.ctx.loaders.memberActivity.load(membershipKey(member.organization.id, member.userId));
    return UsageService.summaryOf(member, facts);
  }

  static summaryOf(member: MemberView, facts: MemberActivityFacts): MemberActivity {
    return {
      addedAt: member.addedAt,
      lastActiveAt: member.lastActiveAt,
      firstActiveAt: facts.firstActiveAt,
      runsCreated: facts.runsCreated,
      reportsCreated: facts.reportsCreated,
      daysActive: facts.daysActive,
    };
  }

  /** Users active over time in an organization (`usage:read`). */
  async organizationActiveUsers(org: Organization, raw: unknown): Promise<ActiveUsers> {
    await this.ctx.authz.requireOrg(org, OrgPermission.READ_USAGE);
    return this.activeUsers({ scope: org.id, timeZone: org.effectiveSettings().timeZone, org }, raw);
  }

  /** Users active over time across the instance, by UTC day (instance admins). */
  async instanceActiveUsers(raw: unknown): Promise<ActiveUsers> {
    this.ctx.authz.requireInstance(InstancePermission.READ_USAGE);
    return this.activeUsers({ scope: INSTANCE_SCOPE, timeZone: 'UTC', org: null }, raw);
  }

  /**
   * Three statements whatever the range: today and the earliest recorded day; the bucket counts of the range; the
   * totals. Every figure reads the rollups (activity_counts, activity_spans) through their primary key or index.
   */
  private async activeUsers(
    target: { scope: string; timeZone: string; org: Organization | null },
    raw: unknown,
  ): Promise<ActiveUsers> {
    const { range, granularity } = parseInput(seriesSchema, raw);
    const conn = this.em.getConnection();
    const [bounds] = await conn.execute<Array<{ today: string; earliest: string | null; created: string | null }>>(
      `select (now() at time zone ?)::date::text as today,
         (select min(start)::text from activity_counts where scope = ? and granularity = 'DAY') as earliest,
         (select (created_at at time zone ?)::date::text from organizations where id = ?) as created`,
      [target.timeZone, target.scope, target.timeZone, target.org?.id ?? null],
    );
    const today = bounds!.today;
    const from = this.rangeStart(range, today, [bounds!.earliest, bounds!.created]);
    const starts: string[] = [];
    for (let s = bucketStart(from, granularity); s <= today; s = nextBucket(s, granularity)) {
      starts.push(s);
      if (starts.length > MAX_SERIES_BUCKETS) {
        throw new AppError(
          ErrorCode.TOO_MANY_BUCKETS,
          `${range} by ${granularity} would have more than ${MAX_SERIES_BUCKETS} buckets: choose WEEK or MONTH, or a ` +
            'shorter range.',
          { field: 'granularity', details: { max: MAX_SERIES_BUCKETS } },
        );
      }
    }
    const counted: Array<{ start: string; active_users: number }> = await conn.execute(
      `select start::text as start, active_users from activity_counts
        where scope = ? and granularity = ? and start >= ?::date and start <= ?::date`,
      [target.scope, granularity, starts[0]!, today],
    );
    const byStart = new Map(counted.map((r) => [r.start, Number(r.active_users)]));
    // New members: an organization's ACTIVE and DEACTIVATED memberships created since the range's first midnight
    // (its time zone); on the instance, accounts created since then.
    const [totals] = await conn.execute<Array<{ active: string; added: string }>>(
      `select (select count(*) from activity_spans where scope = ? and last_day >= ?::date) as active,
         ${
           target.org
             ? `(select count(*) from org_memberships where organization_id = ? and status <> ?
                  and created_at >= (?::date::timestamp at time zone ?))`
             : '(select count(*) from users where created_at >= (?::date::timestamp at time zone ?))'
         } as added`,
      target.org
        ? [target.scope, from, target.org.id, MemberStatus.PENDING, from, target.timeZone]
        : [target.scope, from, from, target.timeZone],
    );
    return {
      range,
      granularity,
      timeZone: target.timeZone,
      from,
      to: today,
      series: starts.map((start) => ({ start, activeUsers: byStart.get(start) ?? 0 })),
      activeUsers: Number(totals!.active),
      newMembers: Number(totals!.added),
    };
  }

  private rangeStart(range: ActivityRange, today: string, candidates: Array<string | null>): string {
    switch (range) {
      case ActivityRange.LAST_7_DAYS:
        return addDays(today, -6);
      case ActivityRange.LAST_30_DAYS:
        return addDays(today, -29);
      case ActivityRange.LAST_90_DAYS:
        return addDays(today, -89);
      case ActivityRange.LAST_12_MONTHS:
        return addMonths(`${today.slice(0, 7)}-01`, -11);
      case ActivityRange.ALL_TIME: {
        const known = candidates.filter((d): d is string => d !== null && d <= today);
        // YYYY-MM-DD strings sort as the days do.
        return known.sort()[0] ?? today;
      }
    }
  }

  /** Seats and activity of an organization: its admins (`usage:read`) and instance admins. */
  async organizationUsage(org: Organization) {
    await this.ctx.authz.requireOrg(org, OrgPermission.READ_USAGE);
    const [members, seatsUsed, activeUsersLast30Days] = await Promise.all([
      this.ctx.loaders.activeMemberCount.load(org.id),
      this.ctx.loaders.seatsUsed.load(org.id),
      this.ctx.loaders.activeUsersLast30Days.load(org.id),
    ]);
    return { members, seatsUsed, seatLimit: org.seatLimit, activeUsersLast30Days };
  }

  /** Instance-wide figures (instance admins). The organizations themselves page through `Query.organizations`. */
  async instanceUsage() {
    this.ctx.authz.requireInstance(InstancePermission.READ_USAGE);
    const [row] = await this.em.getConnection().execute<Array<{ orgs: string; active: string }>>(
      `select (select count(*) from organizations) as orgs,
         (select count(*) from activity_spans where scope = ? and last_day >= ${last30DaysStartSql(UTC_TODAY_SQL)})
           as active`,
      [INSTANCE_SCOPE],
    );
    return { organizationCount: Number(row!.orgs), activeUsersLast30Days: Number(row!.active) };
  }
}
