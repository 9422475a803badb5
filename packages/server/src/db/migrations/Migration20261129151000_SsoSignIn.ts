import { Migration } from '@mikro-orm/migrations';

/**
 * SSO sign-in (issue 12): identities at SSO providers (provider + subject → user, matched before the email), and
 * the OIDC sign-ins in flight (PKCE verifier, nonce, redirect; single use, keyed by the hash of `state`).
 */
export class Migration20261129151000_SsoSignIn extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "oidc_sign_in_states" ("id" uuid not null, "state_hash" varchar(64) not null, "provider" ` +
        `varchar(40) not null, "code_verifier" varchar(128) not null, "nonce" varchar(128) not null, "redirect" ` +
        `varchar(2048) not null, "expires_at" timestamptz not null, ` +
        `constraint "oidc_sign_in_states_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "oidc_sign_in_states" add constraint "oidc_sign_in_states_state_hash_unique" unique ("state_hash");`,
    );
    this.addSql(`create index "oidc_sign_in_states_expires_at_index" on "oidc_sign_in_states" ("expires_at");`);
    this.addSql(
      `create table "sso_identities" ("id" uuid not null, "provider" varchar(40) not null, "subject" varchar(255) ` +
        `not null, "user_id" uuid not null, "email" varchar(254) null, "created_at" timestamptz not null default ` +
        `now(), "last_sign_in_at" timestamptz not null default now(), constraint "sso_identities_pkey" primary key ` +
        `("id"));`,
    );
    this.addSql(`create index "sso_identities_user_id_index" on "sso_identities" ("user_id");`);
    this.addSql(
      `alter table "sso_identities" add constraint "sso_identities_provider_subject_unique" unique ("provider", ` +
        `"subject");`,
    );
    this.addSql(
      `alter table "sso_identities" add constraint "sso_identities_user_id_foreign" foreign key ("user_id") ` +
        `references "users" ("id") on update cascade on delete cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "oidc_sign_in_states" cascade;`);
    this.addSql(`drop table if exists "sso_identities" cascade;`);
  }
}
