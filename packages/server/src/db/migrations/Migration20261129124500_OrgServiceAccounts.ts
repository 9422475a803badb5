import { Migration } from '@mikro-orm/migrations';

/**
 * Organization service accounts (issue 11, item 2): a service account without a team reaches every team of its
 * organization. Names of organization-scoped accounts are kept unique by ServiceAccountService under the
 * organization's row lock (a partial unique index would be invisible to the entity/migration diff). Projects gain
 * the RESTRICTED visibility: only the team's own members (and its own service accounts) reach them.
 */
export class Migration20261129124500_OrgServiceAccounts extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "service_accounts" alter column "team_id" drop not null;`);
    this.addSql(`alter table "projects" drop constraint if exists "projects_visibility_check";`);
    this.addSql(
      `alter table "projects" add constraint "projects_visibility_check" check ("visibility" in ('PRIVATE', ` +
        `'PUBLIC', 'RESTRICTED'));`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`update "projects" set "visibility" = 'PRIVATE' where "visibility" = 'RESTRICTED';`);
    this.addSql(`alter table "projects" drop constraint if exists "projects_visibility_check";`);
    this.addSql(
      `alter table "projects" add constraint "projects_visibility_check" check ("visibility" in ('PRIVATE', ` +
        `'PUBLIC'));`,
    );
    this.addSql(`delete from "service_accounts" where "team_id" is null;`);
    this.addSql(`alter table "service_accounts" alter column "team_id" set not null;`);
  }
}
