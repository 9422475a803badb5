import { Migration } from '@mikro-orm/migrations';

/**
 * Instance settings stored through the API (src/modules/settings/instance-settings-store.ts): one row, the
 * environment's defaults overlaid by `overrides` (JSON, no secret in it) and `secrets` (JSON of AES-256-GCM envelopes,
 * never plaintext). `version` goes up with every change; each process compares it at most every SETTINGS_REFRESH_MS
 * and reloads when it moved. No entity maps it (the ORM's schema diff skips it, see src/db/orm.ts).
 */
export class Migration20261129150000_InstanceSettings extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "instance_settings" ("id" smallint not null default 1, "version" bigint not null default 0, ` +
        `"overrides" jsonb not null default '{}', "secrets" jsonb not null default '{}', ` +
        `"updated_at" timestamptz not null default now(), "updated_by_id" uuid null, ` +
        `constraint "instance_settings_pkey" primary key ("id"), ` +
        `constraint "instance_settings_one_row" check ("id" = 1));`,
    );
    this.addSql(`insert into "instance_settings" ("id") values (1);`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "instance_settings" cascade;`);
  }
}
