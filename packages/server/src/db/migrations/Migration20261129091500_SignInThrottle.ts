import { Migration } from '@mikro-orm/migrations';

/**
 * Counters of failed sign-ins, owned by rate-limiter-flexible's RateLimiterPostgres (src/auth/sign-in-throttle.ts):
 * its column layout, created here so no server process needs DDL rights at run time. No entity maps it
 * (the ORM's schema diff skips it, see src/db/orm.ts).
 */
export class Migration20261129091500_SignInThrottle extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "sign_in_throttle" ("key" varchar(255) not null, "points" integer not null default 0, "expire" ` +
        `bigint null, constraint "sign_in_throttle_pkey" primary key ("key"));`,
    );
    this.addSql(`create index "sign_in_throttle_expire_index" on "sign_in_throttle" ("expire");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "sign_in_throttle" cascade;`);
  }
}
