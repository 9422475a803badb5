import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 13, item 5: indexes serving each audit log filter in the log's order (by id), and the addresses each API key
 * was used from (api_key.used_from_new_address is written once per key and address).
 */
export class Migration20261129153000_AuditLog extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "api_key_addresses" ("api_key_id" uuid not null, "client_address" varchar(64) not null, ` +
        `"first_seen_at" timestamptz not null default now(), constraint "api_key_addresses_pkey" primary key ` +
        `("api_key_id", "client_address"));`,
    );

    this.addSql(
      `alter table "api_key_addresses" add constraint "api_key_addresses_api_key_id_foreign" foreign key ` +
        `("api_key_id") references "api_keys" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(`drop index "audit_events_organization_id_created_at_index";`);

    this.addSql(`create index "audit_events_action_id_index" on "audit_events" ("action", "id");`);
    this.addSql(`create index "audit_events_created_at_index" on "audit_events" ("created_at");`);
    this.addSql(
      `create index "audit_events_target_type_target_id_id_index" on "audit_events" ("target_type", "target_id", ` +
        `"id");`,
    );
    this.addSql(`create index "audit_events_target_label_id_index" on "audit_events" ("target_label", "id");`);
    this.addSql(`create index "audit_events_actor_label_id_index" on "audit_events" ("actor_label", "id");`);
    this.addSql(`create index "audit_events_actor_id_id_index" on "audit_events" ("actor_id", "id");`);
    this.addSql(`create index "audit_events_organization_id_id_index" on "audit_events" ("organization_id", "id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "api_key_addresses" cascade;`);

    this.addSql(`drop index "audit_events_action_id_index";`);
    this.addSql(`drop index "audit_events_created_at_index";`);
    this.addSql(`drop index "audit_events_target_type_target_id_id_index";`);
    this.addSql(`drop index "audit_events_target_label_id_index";`);
    this.addSql(`drop index "audit_events_actor_label_id_index";`);
    this.addSql(`drop index "audit_events_actor_id_id_index";`);
    this.addSql(`drop index "audit_events_organization_id_id_index";`);

    this.addSql(
      `create index "audit_events_organization_id_created_at_index" on "audit_events" ("organization_id", ` +
        `"created_at");`,
    );
  }
}
