import { Migration } from '@mikro-orm/migrations';

export class Migration20261122165330_Teams extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "teams" ("id" uuid not null, "organization_id" uuid not null, "name" varchar(64) not null, ` +
        `"storage" jsonb not null, "settings" jsonb not null, "avatar_url" varchar(2048) null, "created_by_id" uuid ` +
        `null, "created_at" timestamptz not null default now(), constraint "teams_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "teams_organization_id_index" on "teams" ("organization_id");`);
    this.addSql(
      `alter table "teams" add constraint "teams_organization_id_name_unique" unique ("organization_id", "name");`,
    );

    this.addSql(
      `create table "projects" ("id" uuid not null, "team_id" uuid not null, "name" varchar(128) not null, ` +
        `"visibility" text check ("visibility" in ('PRIVATE', 'PUBLIC')) not null, "created_by_id" uuid null, ` +
        `"created_by_label" varchar(64) null, "created_at" timestamptz not null default now(), constraint ` +
        `"projects_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "projects_created_by_id_index" on "projects" ("created_by_id");`);
    this.addSql(`alter table "projects" add constraint "projects_team_id_name_unique" unique ("team_id", "name");`);

    this.addSql(
      `create table "runs" ("id" uuid not null, "project_id" uuid not null, "name" varchar(128) not null, ` +
        `"created_by_id" uuid null, "created_by_label" varchar(64) null, "created_at" timestamptz not null default ` +
        `now(), constraint "runs_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "runs_created_by_id_index" on "runs" ("created_by_id");`);
    this.addSql(`create index "runs_project_id_created_at_index" on "runs" ("project_id", "created_at");`);

    this.addSql(
      `create table "reports" ("id" uuid not null, "team_id" uuid not null, "project_id" uuid null, "title" ` +
        `varchar(200) not null, "created_by_id" uuid null, "created_by_label" varchar(64) null, "created_at" ` +
        `timestamptz not null default now(), constraint "reports_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "reports_created_by_id_index" on "reports" ("created_by_id");`);
    this.addSql(`create index "reports_team_id_created_at_index" on "reports" ("team_id", "created_at");`);

    this.addSql(
      `create table "team_memberships" ("id" uuid not null, "team_id" uuid not null, "user_id" uuid not null, ` +
        `"role" text check ("role" in ('ADMIN', 'MEMBER', 'VIEW_ONLY', 'SERVICE')) not null, "custom_role_id" uuid ` +
        `null, "managed_by_idp" boolean not null default false, "added_by_id" uuid null, "created_at" timestamptz ` +
        `not null default now(), constraint "team_memberships_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "team_memberships_user_id_index" on "team_memberships" ("user_id");`);
    this.addSql(
      `alter table "team_memberships" add constraint "team_memberships_team_id_user_id_unique" unique ("team_id", ` +
        `"user_id");`,
    );

    this.addSql(
      `alter table "teams" add constraint "teams_organization_id_foreign" foreign key ("organization_id") ` +
        `references "organizations" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "projects" add constraint "projects_team_id_foreign" foreign key ("team_id") references "teams" ` +
        `("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "runs" add constraint "runs_project_id_foreign" foreign key ("project_id") references "projects" ` +
        `("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "reports" add constraint "reports_team_id_foreign" foreign key ("team_id") references "teams" ` +
        `("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "reports" add constraint "reports_project_id_foreign" foreign key ("project_id") references ` +
        `"projects" ("id") on update cascade on delete set null;`,
    );

    this.addSql(
      `alter table "team_memberships" add constraint "team_memberships_team_id_foreign" foreign key ("team_id") ` +
        `references "teams" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "team_memberships" add constraint "team_memberships_user_id_foreign" foreign key ("user_id") ` +
        `references "users" ("id") on update cascade on delete cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "projects" drop constraint "projects_team_id_foreign";`);

    this.addSql(`alter table "reports" drop constraint "reports_team_id_foreign";`);

    this.addSql(`alter table "team_memberships" drop constraint "team_memberships_team_id_foreign";`);

    this.addSql(`alter table "runs" drop constraint "runs_project_id_foreign";`);

    this.addSql(`alter table "reports" drop constraint "reports_project_id_foreign";`);

    this.addSql(`drop table if exists "teams" cascade;`);

    this.addSql(`drop table if exists "projects" cascade;`);

    this.addSql(`drop table if exists "runs" cascade;`);

    this.addSql(`drop table if exists "reports" cascade;`);

    this.addSql(`drop table if exists "team_memberships" cascade;`);
  }
}
