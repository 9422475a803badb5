import { Migration } from '@mikro-orm/migrations';

/** SCIM provisioning (docs/SCIM.md): tokens, what SCIM knows of users and groups, SCIM-managed team memberships. */
export class Migration20261129180000_Scim extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "scim_tokens" ("id" uuid not null, "organization_id" uuid not null, "name" ` +
        `varchar(100) not null, "token_hash" varchar(64) not null, "last_four" varchar(4) not null, ` +
        `"created_by_id" uuid null, "created_at" timestamptz not null default now(), "last_used_at" ` +
        `timestamptz null, "revoked_at" timestamptz null, constraint "scim_tokens_pkey" primary key ` +
        `("id"));`,
    );
    this.addSql(`create index "scim_tokens_organization_id_index" on "scim_tokens" ("organization_id");`);
    this.addSql(`alter table "scim_tokens" add constraint "scim_tokens_token_hash_unique" unique ("token_hash");`);

    this.addSql(
      `create table "scim_groups" ("team_id" uuid not null, "organization_id" uuid not null, ` +
        `"external_id" varchar(255) null, "updated_at" timestamptz not null default now(), constraint ` +
        `"scim_groups_pkey" primary key ("team_id"));`,
    );
    this.addSql(
      `alter table "scim_groups" add constraint "scim_groups_external_id_unique" unique ` +
        `("organization_id", "external_id");`,
    );

    this.addSql(
      `create table "scim_users" ("organization_id" uuid not null, "user_id" uuid not null, ` +
        `"external_id" varchar(255) null, "user_name" varchar(254) not null, "given_name" varchar(100) ` +
        `null, "family_name" varchar(100) null, "created_account" boolean not null default false, ` +
        `"created_at" timestamptz not null default now(), "updated_at" timestamptz not null default ` +
        `now(), constraint "scim_users_pkey" primary key ("organization_id", "user_id"));`,
    );
    this.addSql(`create index "scim_users_user_id_index" on "scim_users" ("user_id");`);
    this.addSql(`create index "scim_users_user_name" on "scim_users" ("organization_id", lower("user_name"));`);
    this.addSql(
      `alter table "scim_users" add constraint "scim_users_external_id_unique" unique ` +
        `("organization_id", "external_id");`,
    );

    this.addSql(
      `alter table "scim_tokens" add constraint "scim_tokens_organization_id_foreign" foreign key ` +
        `("organization_id") references "organizations" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "scim_groups" add constraint "scim_groups_team_id_foreign" foreign key ("team_id") ` +
        `references "teams" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "scim_groups" add constraint "scim_groups_organization_id_foreign" foreign key ` +
        `("organization_id") references "organizations" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "scim_users" add constraint "scim_users_organization_id_foreign" foreign key ` +
        `("organization_id") references "organizations" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "scim_users" add constraint "scim_users_user_id_foreign" foreign key ("user_id") ` +
        `references "users" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(`alter table "team_memberships" add column "scim_token_id" uuid null;`);
    this.addSql(
      `alter table "team_memberships" add constraint "team_memberships_scim_token_id_foreign" foreign ` +
        `key ("scim_token_id") references "scim_tokens" ("id") on update cascade on delete set null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "team_memberships" drop constraint "team_memberships_scim_token_id_foreign";`);

    this.addSql(`drop table if exists "scim_tokens" cascade;`);

    this.addSql(`drop table if exists "scim_groups" cascade;`);

    this.addSql(`drop table if exists "scim_users" cascade;`);

    this.addSql(`alter table "team_memberships" drop column "scim_token_id";`);
  }
}
