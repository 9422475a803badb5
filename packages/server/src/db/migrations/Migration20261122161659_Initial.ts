import { Migration } from '@mikro-orm/migrations';

export class Migration20261122161659_Initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "audit_events" ("id" bigserial primary key, "action" varchar(64) not null, "actor_type" ` +
        `varchar(32) not null, "actor_id" uuid null, "actor_label" varchar(254) null, "target_type" varchar(32) ` +
        `null, "target_id" varchar(64) null, "target_label" varchar(254) null, "organization_id" uuid null, ` +
        `"metadata" jsonb null, "client_address" varchar(64) null, "created_at" timestamptz not null default now());`,
    );
    this.addSql(
      `create index "audit_events_organization_id_created_at_index" on "audit_events" ("organization_id", ` +
        `"created_at");`,
    );

    this.addSql(
      `create table "daily_activity" ("user_id" uuid not null, "organization_id" uuid not null, "day" date not ` +
        `null, constraint "daily_activity_pkey" primary key ("user_id", "organization_id", "day"));`,
    );

    this.addSql(
      `create table "organizations" ("id" uuid not null, "name" varchar(40) not null, "display_name" varchar(100) ` +
        `not null, "seat_limit" int null, "settings" jsonb not null default '{}', "created_at" timestamptz not null ` +
        `default now(), constraint "organizations_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "organizations" add constraint "organizations_name_unique" unique ("name");`);

    this.addSql(
      `create table "users" ("id" uuid not null, "email" varchar(254) not null, "username" varchar(40) not null, ` +
        `"name" varchar(100) not null, "password_hash" text null, "instance_admin" boolean not null default false, ` +
        `"default_organization_id" uuid null, "created_at" timestamptz not null default now(), "last_active_at" ` +
        `timestamptz null, constraint "users_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "users" add constraint "users_email_unique" unique ("email");`);
    this.addSql(`alter table "users" add constraint "users_username_unique" unique ("username");`);

    this.addSql(
      `create table "sessions" ("id" uuid not null, "user_id" uuid not null, "token_hash" varchar(64) not null, ` +
        `"created_at" timestamptz not null default now(), "expires_at" timestamptz not null, "revoked_at" ` +
        `timestamptz null, "client_address" varchar(64) null, "user_agent" varchar(512) null, constraint ` +
        `"sessions_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "sessions_user_id_index" on "sessions" ("user_id");`);
    this.addSql(`alter table "sessions" add constraint "sessions_token_hash_unique" unique ("token_hash");`);

    this.addSql(
      `create table "org_memberships" ("id" uuid not null, "organization_id" uuid not null, "user_id" uuid not ` +
        `null, "role" text check ("role" in ('ADMIN', 'MEMBER', 'VIEWER')) not null, "status" text check ("status" ` +
        `in ('PENDING', 'ACTIVE', 'DEACTIVATED')) not null default 'ACTIVE', "created_at" timestamptz not null ` +
        `default now(), "updated_at" timestamptz not null default now(), constraint "org_memberships_pkey" primary ` +
        `key ("id"));`,
    );
    this.addSql(`create index "org_memberships_user_id_index" on "org_memberships" ("user_id");`);
    this.addSql(
      `alter table "org_memberships" add constraint "org_memberships_organization_id_user_id_unique" unique ` +
        `("organization_id", "user_id");`,
    );

    this.addSql(
      `create table "api_keys" ("id" uuid not null, "user_id" uuid not null, "name" varchar(100) not null, ` +
        `"key_hash" varchar(64) not null, "last_four" varchar(4) not null, "created_at" timestamptz not null ` +
        `default now(), "expires_at" timestamptz null, "last_used_at" timestamptz null, "revoked_at" timestamptz ` +
        `null, constraint "api_keys_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "api_keys_user_id_index" on "api_keys" ("user_id");`);
    this.addSql(`alter table "api_keys" add constraint "api_keys_key_hash_unique" unique ("key_hash");`);

    this.addSql(
      `alter table "users" add constraint "users_default_organization_id_foreign" foreign key ` +
        `("default_organization_id") references "organizations" ("id") on update cascade on delete set null;`,
    );

    this.addSql(
      `alter table "sessions" add constraint "sessions_user_id_foreign" foreign key ("user_id") references "users" ` +
        `("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "org_memberships" add constraint "org_memberships_organization_id_foreign" foreign key ` +
        `("organization_id") references "organizations" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "org_memberships" add constraint "org_memberships_user_id_foreign" foreign key ("user_id") ` +
        `references "users" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "api_keys" add constraint "api_keys_user_id_foreign" foreign key ("user_id") references "users" ` +
        `("id") on update cascade on delete cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "users" drop constraint "users_default_organization_id_foreign";`);

    this.addSql(`alter table "org_memberships" drop constraint "org_memberships_organization_id_foreign";`);

    this.addSql(`alter table "sessions" drop constraint "sessions_user_id_foreign";`);

    this.addSql(`alter table "org_memberships" drop constraint "org_memberships_user_id_foreign";`);

    this.addSql(`alter table "api_keys" drop constraint "api_keys_user_id_foreign";`);

    this.addSql(`drop table if exists "audit_events" cascade;`);

    this.addSql(`drop table if exists "daily_activity" cascade;`);

    this.addSql(`drop table if exists "organizations" cascade;`);

    this.addSql(`drop table if exists "users" cascade;`);

    this.addSql(`drop table if exists "sessions" cascade;`);

    this.addSql(`drop table if exists "org_memberships" cascade;`);

    this.addSql(`drop table if exists "api_keys" cascade;`);
  }
}
