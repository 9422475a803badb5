import { Migration } from '@mikro-orm/migrations';

/**
 * Rollups of `daily_activity` (issue 13, docs/USAGE.md), kept by a statement-level trigger on its inserts so that every
 * writer (the ActivityTracker, the benchmark's set-based generator, backfills) maintains them the same way:
 *
 * - `activity_spans` (scope, user): first and last active day and the number of active days. The scope is an
 *   organization id, or the nil uuid for the instance (a day counts once however many organizations saw the user).
 *   Activity summaries read it by primary key; "active users in the range" counts it through (scope, last_day).
 * - `activity_counts` (scope, granularity, start): distinct users active in each DAY, WEEK (ISO, from Monday) and
 *   MONTH. The series reads at most a few hundred rows whatever the organization's size or history.
 *
 * A day is new for a (scope, user) when it is after the span's last day (under the span row's lock, so concurrent
 * writers of the same user queue); a week or month is new when the previous active day is before its start. Days are
 * assumed to arrive in order per user (the tracker writes today; backfills go oldest first): a day older than the
 * span's last day still counts as an active day and in its DAY bucket, never again in its week or month.
 * No entity maps these tables (src/db/orm.ts skips them).
 */
export class Migration20261129152000_ActivityRollups extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "activity_spans" ("scope" uuid not null, "user_id" uuid not null, "first_day" date not null, ` +
        `"last_day" date not null, "days_active" int not null, constraint "activity_spans_pkey" primary key ` +
        `("scope", "user_id"));`,
    );
    this.addSql(`create index "activity_spans_last_day" on "activity_spans" ("scope", "last_day");`);
    this.addSql(
      `create table "activity_counts" ("scope" uuid not null, "granularity" text not null, "start" date not null, ` +
        `"active_users" int not null, constraint "activity_counts_pkey" primary key ("scope", "granularity", ` +
        `"start"));`,
    );
    this.addSql(`create function "activity_rollup"() returns trigger language plpgsql as $$
begin
  with facts as (
    select organization_id as scope, user_id, day from new_rows
    union
    select '00000000-0000-0000-0000-000000000000'::uuid, user_id, day from new_rows
  ),
  prev as (
    select s.scope, s.user_id, s.last_day from activity_spans s
     where (s.scope, s.user_id) in (select scope, user_id from facts)
     order by s.scope, s.user_id for update
  ),
  ordered as (
    select f.scope, f.user_id, f.day,
      coalesce(lag(f.day) over (partition by f.scope, f.user_id order by f.day), p.last_day) as before
      from facts f left join prev p on p.scope = f.scope and p.user_id = f.user_id
  ),
  -- An organization's row is always a new day there (the primary key); for the instance only a later day is.
  fresh as (
    select * from ordered
     where before is null or before < day or scope <> '00000000-0000-0000-0000-000000000000'::uuid
  ),
  spans as (
    insert into activity_spans as s (scope, user_id, first_day, last_day, days_active)
    select scope, user_id, min(day), max(day), count(*) from fresh group by 1, 2 order by 1, 2
    on conflict (scope, user_id) do update set first_day = least(s.first_day, excluded.first_day),
      last_day = greatest(s.last_day, excluded.last_day), days_active = s.days_active + excluded.days_active
  ),
  buckets as (
    select scope, 'DAY' as granularity, day as start from fresh
    union all
    select scope, 'WEEK', date_trunc('week', day)::date from fresh
     where before is null or before < date_trunc('week', day)::date
    union all
    select scope, 'MONTH', date_trunc('month', day)::date from fresh
     where before is null or before < date_trunc('month', day)::date
  )
  insert into activity_counts as c (scope, granularity, start, active_users)
  select scope, granularity, start, count(*) from buckets group by 1, 2, 3 order by 1, 2, 3
  on conflict (scope, granularity, start) do update set active_users = c.active_users + excluded.active_users;
  return null;
end
$$;`);
    // What was recorded before this migration, oldest first, through the trigger itself: one rule, not two.
    this.addSql(`create temp table "activity_backfill" on commit drop as select * from "daily_activity";`);
    this.addSql(`delete from "daily_activity";`);
    this.addSql(
      `create trigger "activity_rollup" after insert on "daily_activity" referencing new table as "new_rows" ` +
        `for each statement execute function "activity_rollup"();`,
    );
    this.addSql(`insert into "daily_activity" select * from "activity_backfill" order by "day";`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists "activity_rollup" on "daily_activity";`);
    this.addSql(`drop function if exists "activity_rollup"();`);
    this.addSql(`drop table if exists "activity_counts";`);
    this.addSql(`drop table if exists "activity_spans";`);
  }
}
