import { Migration } from '@mikro-orm/migrations';

export class Migration20261122170002_CustomRoles extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "custom_roles" ("id" uuid not null, "organization_id" uuid not null, "name" varchar(64) not ` +
        `null, "description" varchar(500) null, "inherits_from" text check ("inherits_from" in ('ADMIN', 'MEMBER', ` +
        `'VIEW_ONLY', 'SERVICE')) not null, "permissions" jsonb not null, "created_at" timestamptz not null default ` +
        `now(), "updated_at" timestamptz not null default now(), constraint "custom_roles_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "custom_roles" add constraint "custom_roles_organization_id_name_unique" unique ` +
        `("organization_id", "name");`,
    );

    this.addSql(
      `alter table "custom_roles" add constraint "custom_roles_organization_id_foreign" foreign key ` +
        `("organization_id") references "organizations" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "team_memberships" add constraint "team_memberships_custom_role_id_foreign" foreign key ` +
        `("custom_role_id") references "custom_roles" ("id") on update cascade on delete set null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "team_memberships" drop constraint "team_memberships_custom_role_id_foreign";`);

    this.addSql(`drop table if exists "custom_roles" cascade;`);
  }
}
