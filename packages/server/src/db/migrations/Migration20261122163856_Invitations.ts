import { Migration } from '@mikro-orm/migrations';

export class Migration20261122163856_Invitations extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "invitations" ("id" uuid not null, "organization_id" uuid not null, "email" varchar(254) not ` +
        `null, "role" text check ("role" in ('ADMIN', 'MEMBER', 'VIEWER')) not null, "teams" jsonb not null default ` +
        `'[]', "token_hash" varchar(64) not null, "status" text check ("status" in ('PENDING', 'ACCEPTED', ` +
        `'REVOKED')) not null default 'PENDING', "expires_at" timestamptz not null, "invited_by_id" uuid null, ` +
        `"invited_by_label" varchar(100) null, "accepted_user_id" uuid null, "created_at" timestamptz not null ` +
        `default now(), "accepted_at" timestamptz null, "revoked_at" timestamptz null, constraint ` +
        `"invitations_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "invitations" add constraint "invitations_token_hash_unique" unique ("token_hash");`);
    this.addSql(
      `create index "invitations_organization_id_email_index" on "invitations" ("organization_id", "email");`,
    );
    this.addSql(
      `create unique index "invitations_one_pending_per_email" on "invitations" ("organization_id", "email") where ` +
        `"status" = 'PENDING';`,
    );

    this.addSql(
      `create table "outbox_emails" ("id" uuid not null, "kind" varchar(32) not null, "to_address" varchar(254) not ` +
        `null, "subject" varchar(255) not null, "text_body" text null, "html_body" text null, "status" text check ` +
        `("status" in ('QUEUED', 'SENDING', 'SENT', 'FAILED', 'LOGGED')) not null default 'QUEUED', "attempts" int ` +
        `not null default 0, "next_attempt_at" timestamptz not null default now(), "locked_until" timestamptz null, ` +
        `"last_error" text null, "invitation_id" uuid null, "created_at" timestamptz not null default now(), ` +
        `"sent_at" timestamptz null, constraint "outbox_emails_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "outbox_emails_invitation_id_index" on "outbox_emails" ("invitation_id");`);
    this.addSql(
      `create index "outbox_emails_status_next_attempt_at_index" on "outbox_emails" ("status", "next_attempt_at");`,
    );

    this.addSql(
      `alter table "invitations" add constraint "invitations_organization_id_foreign" foreign key ` +
        `("organization_id") references "organizations" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(`alter table "org_memberships" add column "invitation_id" uuid null;`);
    this.addSql(`alter table "org_memberships" alter column "user_id" drop default;`);
    this.addSql(`alter table "org_memberships" alter column "user_id" type uuid using ("user_id"::text::uuid);`);
    this.addSql(`alter table "org_memberships" alter column "user_id" drop not null;`);
    this.addSql(
      `alter table "org_memberships" add constraint "org_memberships_invitation_id_foreign" foreign key ` +
        `("invitation_id") references "invitations" ("id") on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table "org_memberships" add constraint "org_memberships_invitation_id_unique" unique ("invitation_id");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "org_memberships" drop constraint "org_memberships_invitation_id_foreign";`);

    this.addSql(`drop table if exists "invitations" cascade;`);

    this.addSql(`drop table if exists "outbox_emails" cascade;`);

    this.addSql(`alter table "org_memberships" drop constraint "org_memberships_invitation_id_unique";`);
    this.addSql(`alter table "org_memberships" drop column "invitation_id";`);

    this.addSql(`alter table "org_memberships" alter column "user_id" drop default;`);
    this.addSql(`alter table "org_memberships" alter column "user_id" type uuid using ("user_id"::text::uuid);`);
    this.addSql(`alter table "org_memberships" alter column "user_id" set not null;`);
  }
}
