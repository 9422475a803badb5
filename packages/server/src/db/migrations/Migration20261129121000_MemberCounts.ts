import { Migration } from '@mikro-orm/migrations';

/**
 * How many membership rows each organization has per status, kept exact by statement-level triggers on
 * `org_memberships` (issue 10, goal 4): the members view's totalCount without a filter other than status reads one to
 * three rows here instead of counting the organization's memberships. The counts change in the transaction that changes
 * the memberships, so a reader sees them consistent with the rows. Triggers rather than service code because
 * memberships are also written with set-based SQL (the benchmark's generator, cascades). Concurrent writers of one
 * organization queue on its count rows; the membership-changing services already serialize on the organization row
 * (`lockOrganization`). No entity maps the table (the ORM's schema diff skips it, see src/db/orm.ts).
 */
export class Migration20261129121000_MemberCounts extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "org_member_counts" ("organization_id" uuid not null, "status" text not null, "n" int not null, ` +
        `constraint "org_member_counts_pkey" primary key ("organization_id", "status"), constraint ` +
        `"org_member_counts_organization_id_foreign" foreign key ("organization_id") references "organizations" ` +
        `("id") on update cascade on delete cascade);`,
    );
    // In the migration's transaction, which holds org_memberships' lock from here to the triggers: nothing is missed.
    this.addSql(`lock table "org_memberships" in share row exclusive mode;`);
    this.addSql(
      `insert into "org_member_counts" ("organization_id", "status", "n") select "organization_id", "status", ` +
        `count(*) from "org_memberships" group by 1, 2;`,
    );
    // Count rows are locked in (organization, status) order, so two statements cannot deadlock on them. A deletion
    // only updates: when the organization itself is deleted its count rows may be gone already (cascade).
    this.addSql(`create function "org_member_counts"() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    insert into org_member_counts (organization_id, status, n)
      select organization_id, status, count(*) from new_rows group by 1, 2 order by 1, 2
      on conflict (organization_id, status) do update set n = org_member_counts.n + excluded.n;
  elsif tg_op = 'DELETE' then
    update org_member_counts c set n = c.n - d.n
      from (select organization_id, status, count(*) as n from old_rows group by 1, 2 order by 1, 2) d
      where c.organization_id = d.organization_id and c.status = d.status;
  else
    -- The net change per (organization, status): nothing when no row changed its status or organization.
    insert into org_member_counts (organization_id, status, n)
      select organization_id, status, sum(n) from (
        select organization_id, status, -1 as n from old_rows
        union all select organization_id, status, 1 from new_rows
      ) change group by 1, 2 having sum(n) <> 0 order by 1, 2
      on conflict (organization_id, status) do update set n = org_member_counts.n + excluded.n;
  end if;
  return null;
end
$$;`);
    // One trigger per event: PostgreSQL allows transition tables only on single-event triggers without column lists.
    this.addSql(
      `create trigger "org_member_counts_insert" after insert on "org_memberships" referencing new table as ` +
        `"new_rows" for each statement execute function "org_member_counts"();`,
    );
    this.addSql(
      `create trigger "org_member_counts_update" after update on "org_memberships" referencing old table as ` +
        `"old_rows" new table as "new_rows" for each statement execute function "org_member_counts"();`,
    );
    this.addSql(
      `create trigger "org_member_counts_delete" after delete on "org_memberships" referencing old table as ` +
        `"old_rows" for each statement execute function "org_member_counts"();`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists "org_member_counts_insert" on "org_memberships";`);
    this.addSql(`drop trigger if exists "org_member_counts_update" on "org_memberships";`);
    this.addSql(`drop trigger if exists "org_member_counts_delete" on "org_memberships";`);
    this.addSql(`drop function if exists "org_member_counts"();`);
    this.addSql(`drop table if exists "org_member_counts";`);
  }
}
