import { Migration } from '@mikro-orm/migrations';

/**
 * Service accounts (issue 11): their table, keys owned by a person or a service account, the service account
 * that wrote a project, run or report (`logged_by_*`, no foreign key: the work outlives the account), and the
 * rotation and expired-on-use marks of keys.
 */
export class Migration20261129121344_ServiceAccounts extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "service_accounts" ("id" uuid not null, "organization_id" uuid not null, ` +
        `"team_id" uuid not null, "name" varchar(64) not null, "description" varchar(500) not null ` +
        `default '', "disabled_at" timestamptz null, "created_by_id" uuid null, "created_at" ` +
        `timestamptz not null default now(), constraint "service_accounts_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "service_accounts_organization_id_index" on "service_accounts" ("organization_id");`);
    this.addSql(
      `alter table "service_accounts" add constraint "service_accounts_team_id_name_unique" unique ` +
        `("team_id", "name");`,
    );

    this.addSql(
      `alter table "service_accounts" add constraint "service_accounts_organization_id_foreign" ` +
        `foreign key ("organization_id") references "organizations" ("id") on update cascade on delete ` +
        `cascade;`,
    );
    this.addSql(
      `alter table "service_accounts" add constraint "service_accounts_team_id_foreign" foreign key ` +
        `("team_id") references "teams" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "projects" add column "logged_by_id" uuid null, add column "logged_by_label" varchar(64) null;`,
    );
    this.addSql(`create index "projects_logged_by_id_index" on "projects" ("logged_by_id");`);

    this.addSql(
      `alter table "runs" add column "logged_by_id" uuid null, add column "logged_by_label" varchar(64) null;`,
    );
    this.addSql(`create index "runs_logged_by_id_index" on "runs" ("logged_by_id");`);

    this.addSql(
      `alter table "reports" add column "logged_by_id" uuid null, add column "logged_by_label" varchar(64) null;`,
    );
    this.addSql(`create index "reports_logged_by_id_index" on "reports" ("logged_by_id");`);

    this.addSql(
      `alter table "api_keys" add column "service_account_id" uuid null, add column ` +
        `"expired_use_audited_at" timestamptz null, add column "rotated_at" timestamptz null;`,
    );
    this.addSql(`alter table "api_keys" alter column "user_id" drop not null;`);
    // A key belongs to a person or to a service account, never both, never neither.
    this.addSql(
      `alter table "api_keys" add constraint "api_keys_one_owner" check (("user_id" is null) <> ` +
        `("service_account_id" ` +
        `is null));`,
    );
    this.addSql(
      `alter table "api_keys" add constraint "api_keys_service_account_id_foreign" foreign key ` +
        `("service_account_id") references "service_accounts" ("id") on update cascade on delete ` +
        `cascade;`,
    );
    this.addSql(`create index "api_keys_service_account_id_index" on "api_keys" ("service_account_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "api_keys" drop constraint "api_keys_service_account_id_foreign";`);

    this.addSql(`drop table if exists "service_accounts" cascade;`);

    this.addSql(`drop index "api_keys_service_account_id_index";`);
    this.addSql(
      `alter table "api_keys" drop column "service_account_id", drop column "expired_use_audited_at", ` +
        `drop column "rotated_at";`,
    );

    this.addSql(`delete from "api_keys" where "user_id" is null;`);
    this.addSql(`alter table "api_keys" drop constraint if exists "api_keys_one_owner";`);
    this.addSql(`alter table "api_keys" alter column "user_id" set not null;`);

    this.addSql(`drop index "projects_logged_by_id_index";`);
    this.addSql(`alter table "projects" drop column "logged_by_id", drop column "logged_by_label";`);

    this.addSql(`drop index "reports_logged_by_id_index";`);
    this.addSql(`alter table "reports" drop column "logged_by_id", drop column "logged_by_label";`);

    this.addSql(`drop index "runs_logged_by_id_index";`);
    this.addSql(`alter table "runs" drop column "logged_by_id", drop column "logged_by_label";`);
  }
}
