import { Migration } from '@mikro-orm/migrations';

/**
 * The members view's team filter bounded by the page (issue 10, goal 2): each `team_memberships` row carries its
 * organization membership's id, status, role and sort keys, so a page filtered by team is, per named team, a range of
 * one index (team_id, keys…, org_membership_id) of `first + 1` rows, however large the team.
 *
 * Copied from `org_memberships` (whose keys the trigger `org_membership_keys` derives from the user) by one trigger
 * function, `team_membership_keys`, on insert and on update of `user_id` or `team_id`; a change of the organization
 * membership (its user, status, role or keys — the user's rename or activity included, through `user_membership_keys`)
 * re-derives the user's team memberships in that organization (`membership_team_keys`, which touches `user_id` so the
 * derivation exists once). Before the organization membership exists the columns stay null or at their defaults, and
 * the row matches no page filter until it does.
 */
export class Migration20261129145000_TeamMemberSortKeys extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table "team_memberships" add column "org_membership_id" uuid null, add column "member_status" text ` +
        `null, add column "member_role" text null, add column "sort_name" text not null default '', add column ` +
        `"sort_last_active" timestamptz not null default to_timestamp(0), add column "role_rank" smallint null, ` +
        `add column "added_at" timestamptz null;`,
    );

    this.addSql(`create function "team_membership_keys"() returns trigger language plpgsql as $$
begin
  select m.id, m.status, m.role, m.sort_name, m.sort_last_active, m.role_rank, m.created_at
    into new.org_membership_id, new.member_status, new.member_role, new.sort_name, new.sort_last_active,
      new.role_rank, new.added_at
    from teams t join org_memberships m on m.organization_id = t.organization_id and m.user_id = new.user_id
    where t.id = new.team_id;
  -- select into leaves nulls when the organization membership does not exist (yet).
  new.sort_name := coalesce(new.sort_name, '');
  new.sort_last_active := coalesce(new.sort_last_active, to_timestamp(0));
  return new;
end
$$;`);
    this.addSql(
      `create trigger "team_membership_keys" before insert or update of "user_id", "team_id" on ` +
        `"team_memberships" for each row execute function "team_membership_keys"();`,
    );

    // Re-derives through the trigger above.
    this.addSql(`create function "membership_team_keys"() returns trigger language plpgsql as $$
begin
  update team_memberships tm set user_id = tm.user_id
    where tm.user_id = new.user_id
      and tm.team_id in (select t.id from teams t where t.organization_id = new.organization_id);
  return null;
end
$$;`);
    this.addSql(
      `create trigger "membership_team_keys_insert" after insert on "org_memberships" for each row when ` +
        `(new.user_id is not null) execute function "membership_team_keys"();`,
    );
    this.addSql(
      `create trigger "membership_team_keys_update" after update of "user_id", "status", "role" on ` +
        `"org_memberships" for each row when (new.user_id is not null and (old.user_id, old.status, old.role, ` +
        `old.sort_name, old.sort_last_active) is distinct from (new.user_id, new.status, new.role, new.sort_name, ` +
        `new.sort_last_active)) execute function "membership_team_keys"();`,
    );

    // Backfill through the trigger, before the indexes exist.
    this.addSql(`update "team_memberships" set "user_id" = "user_id";`);

    // One index per order, the organization membership's id last (the tie-breaker of every members-view order).
    this.addSql(
      `create index "team_memberships_name_order" on "team_memberships" ("team_id", "sort_name", ` +
        `"org_membership_id");`,
    );
    this.addSql(
      `create index "team_memberships_last_active_order" on "team_memberships" ("team_id", "sort_last_active", ` +
        `"org_membership_id");`,
    );
    this.addSql(
      `create index "team_memberships_role_order" on "team_memberships" ("team_id", "role_rank", "sort_name", ` +
        `"org_membership_id");`,
    );
    this.addSql(
      `create index "team_memberships_added_order" on "team_memberships" ("team_id", "added_at", ` +
        `"org_membership_id");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists "membership_team_keys_update" on "org_memberships";`);
    this.addSql(`drop trigger if exists "membership_team_keys_insert" on "org_memberships";`);
    this.addSql(`drop function if exists "membership_team_keys"();`);
    this.addSql(`drop trigger if exists "team_membership_keys" on "team_memberships";`);
    this.addSql(`drop function if exists "team_membership_keys"();`);
    this.addSql(
      `alter table "team_memberships" drop column "org_membership_id", drop column "member_status", drop column ` +
        `"member_role", drop column "sort_name", drop column "sort_last_active", drop column "role_rank", drop ` +
        `column "added_at";`,
    );
  }
}
