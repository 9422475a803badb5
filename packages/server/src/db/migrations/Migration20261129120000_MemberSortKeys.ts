import { Migration } from '@mikro-orm/migrations';

/**
 * The members view's sort and search keys on `org_memberships` (issue 10, goals 2 and 3), so that a page is an index
 * scan bounded by its size instead of a join and sort of the whole organization with every user:
 *
 * - `sort_name`: the NAME key, `lower(name)` of the user (its username when the name is empty), or `lower(email)` of
 *   the invitation while PENDING; `''` for a row with neither.
 * - `sort_last_active`: the LAST_ACTIVE key, the user's `last_active_at`, `'epoch'` when never active or PENDING.
 * - `role_rank`: the ROLE key, the role's position in ORG_ROLE_ORDER (src/authz/permissions.ts) from 1; generated from
 *   `role`, and test/member-sort-keys.test.ts checks it against ORG_ROLE_ORDER.
 * - `search_name`, `search_username`, `search_email`: lower-cased, what search matches (one trigram index over all
 *   three).
 *
 * They are derived in one place, the trigger function `org_membership_keys` (on insert, and on update of `user_id` or
 * `invitation_id`); a change of a user's name, username, email or last activity re-derives that user's memberships
 * (trigger on `users`). Triggers rather than service code because users are written from many paths, some of them
 * set-based SQL (the activity coalescer, the benchmark's generator). Invitation emails never change, so invitations
 * need no trigger; a user's insert needs none either, since no membership can reference a user before it exists.
 */
export class Migration20261129120000_MemberSortKeys extends Migration {
  override async up(): Promise<void> {
    // Trusted on PostgreSQL 13+: the database owner may create it; the embedded database loads it in embedded.ts.
    this.addSql(`create extension if not exists pg_trgm;`);

    this.addSql(
      `alter table "org_memberships" add column "sort_name" text not null default '', add column "sort_last_active" ` +
        `timestamptz not null default to_timestamp(0), add column "role_rank" smallint not null generated always as ` +
        `(case "role" when 'ADMIN' then 1 when 'MEMBER' then 2 when 'VIEWER' then 3 else null end) stored, ` +
        `add column "search_name" text null, add column "search_username" text null, add column "search_email" ` +
        `text null;`,
    );

    this.addSql(`create function "org_membership_keys"() returns trigger language plpgsql as $$
begin
  if new.user_id is not null then
    select lower(coalesce(nullif(u.name, ''), u.username)), coalesce(u.last_active_at, to_timestamp(0)),
        lower(u.name), lower(u.username), lower(u.email)
      into new.sort_name, new.sort_last_active, new.search_name, new.search_username, new.search_email
      from users u where u.id = new.user_id;
  else
    select lower(i.email), to_timestamp(0), null, null, lower(i.email)
      into new.sort_name, new.sort_last_active, new.search_name, new.search_username, new.search_email
      from invitations i where i.id = new.invitation_id;
  end if;
  -- select into leaves nulls when the row has neither a user nor an invitation.
  new.sort_name := coalesce(new.sort_name, '');
  new.sort_last_active := coalesce(new.sort_last_active, to_timestamp(0));
  return new;
end
$$;`);
    this.addSql(
      `create trigger "org_membership_keys" before insert or update of "user_id", "invitation_id" on ` +
        `"org_memberships" for each row execute function "org_membership_keys"();`,
    );

    // Re-derives through the trigger above: the derivation exists once.
    this.addSql(`create function "user_membership_keys"() returns trigger language plpgsql as $$
begin
  update org_memberships set user_id = user_id where user_id = new.id;
  return null;
end
$$;`);
    this.addSql(
      `create trigger "user_membership_keys" after update of "name", "username", "email", "last_active_at" on ` +
        `"users" for each row when (old.name is distinct from new.name or old.username is distinct from ` +
        `new.username or old.email is distinct from new.email or old.last_active_at is distinct from ` +
        `new.last_active_at) execute function "user_membership_keys"();`,
    );

    // Backfill through the trigger, before the indexes exist (one build each instead of row-by-row maintenance).
    this.addSql(`update "org_memberships" set "user_id" = "user_id";`);

    // One index per order, the membership id last (the tie-breaker of every order): a keyset page, ascending or
    // descending, is a range of one of them.
    this.addSql(
      `create index "org_memberships_name_order" on "org_memberships" ("organization_id", "sort_name", "id");`,
    );
    this.addSql(
      `create index "org_memberships_last_active_order" on "org_memberships" ("organization_id", ` +
        `"sort_last_active", "id");`,
    );
    this.addSql(
      `create index "org_memberships_role_order" on "org_memberships" ("organization_id", "role_rank", ` +
        `"sort_name", "id");`,
    );
    this.addSql(
      `create index "org_memberships_added_order" on "org_memberships" ("organization_id", "created_at", "id");`,
    );
    // totalCount: an index-only count of the organization's rows, of one status for those who see active members only.
    this.addSql(
      `create index "org_memberships_organization_id_status_index" on "org_memberships" ("organization_id", ` +
        `"status");`,
    );
    this.addSql(
      `create index "org_memberships_search" on "org_memberships" using gin ("search_name" gin_trgm_ops, ` +
        `"search_username" gin_trgm_ops, "search_email" gin_trgm_ops);`,
    );
    // The team filter's PENDING rows: invitations assigning a given team (`teams @> '[{"team": …}]'`).
    this.addSql(`create index "invitations_teams" on "invitations" using gin ("teams" jsonb_path_ops);`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "invitations_teams";`);
    this.addSql(`drop trigger if exists "user_membership_keys" on "users";`);
    this.addSql(`drop function if exists "user_membership_keys"();`);
    this.addSql(`drop trigger if exists "org_membership_keys" on "org_memberships";`);
    this.addSql(`drop function if exists "org_membership_keys"();`);
    this.addSql(
      `alter table "org_memberships" drop column "sort_name", drop column "sort_last_active", drop column ` +
        `"role_rank", drop column "search_name", drop column "search_username", drop column "search_email";`,
    );
  }
}
