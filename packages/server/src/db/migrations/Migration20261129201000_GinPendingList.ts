import { Migration } from '@mikro-orm/migrations';

/**
 * The members view's two GIN indexes (the search's trigrams, the team filter's invitation assignments) keep at most
 * 128 kB of not-yet-merged entries, instead of PostgreSQL's default 4 MB. Every search scans the whole pending list:
 * after a few 10,000-row `inviteUsers` calls it held 88,800 invitation entries and 4,100 membership entries, and a
 * search at 100,000 members took 11.8 ms instead of 3.5 ms until autovacuum merged them. Inserts now merge in small
 * batches as they go, so reads stay bounded whenever autovacuum runs.
 */
export class Migration20261129201000_GinPendingList extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter index "org_memberships_search" set (gin_pending_list_limit = 128);`);
    this.addSql(`alter index "invitations_teams" set (gin_pending_list_limit = 128);`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter index "org_memberships_search" reset (gin_pending_list_limit);`);
    this.addSql(`alter index "invitations_teams" reset (gin_pending_list_limit);`);
  }
}
