import { Migration } from '@mikro-orm/migrations';

/**
 * The members view's totalCount filtered by team (issue 10, goals 2 and 4): the team's membership rows by status and
 * role, counted from this index alone instead of looking up each member's organization membership (1,500 lookups for
 * a team of 1,500).
 */
export class Migration20261129200000_TeamMemberCount extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create index "team_memberships_team_count" on "team_memberships" ("team_id", "member_status", ` +
        `"member_role", "org_membership_id");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "team_memberships_team_count";`);
  }
}
