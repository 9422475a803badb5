import { Migration } from '@mikro-orm/migrations';

/**
 * The display name SCIM gave a user, shown for an existing account SCIM linked instead of that account's own name
 * (docs/SCIM.md "Existing accounts"). Rows written before show their userName until SCIM sends a name again.
 */
export class Migration20261129194500_ScimDisplayName extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "scim_users" add column "display_name" varchar(100) null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "scim_users" drop column "display_name";`);
  }
}
