import { Migration } from '@mikro-orm/migrations';

/**
 * userName is unique in an organization, case-insensitively (RFC 7643 §4.1.1, docs/SCIM.md): the index on
 * (organization, lower(userName)) becomes a unique one. SCIM shipped in this same unreleased version, so no database
 * should hold two userNames of one organization that differ only in case; if one does, the migration stops and names
 * them (change them in the identity provider, or delete the rows of scim_users, then restart).
 */
export class Migration20261129194000_ScimUserNameUnique extends Migration {
  override async up(): Promise<void> {
    this.addSql(`do $$
declare dups text;
begin
  select string_agg(format('organization %s: %s', organization_id, names), '; ') into dups from (
    select organization_id, string_agg(format('"%s"', user_name), ', ' order by user_name) as names
      from scim_users group by organization_id, lower(user_name) having count(*) > 1) d;
  if dups is not null then
    raise exception 'scim_users holds userNames that differ only in case (%); make them unique, then restart', dups;
  end if;
end $$;`);
    this.addSql(`drop index "scim_users_user_name";`);
    this.addSql(
      `create unique index "scim_users_user_name_unique" on "scim_users" ("organization_id", lower("user_name"));`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "scim_users_user_name_unique";`);
    this.addSql(`create index "scim_users_user_name" on "scim_users" ("organization_id", lower("user_name"));`);
  }
}
