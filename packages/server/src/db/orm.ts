import path from 'node:path';
import { MikroORM, defineConfig, DataloaderType, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import type { Logger } from '../logger';
import type { Config } from '../config';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';
import { startEmbeddedDatabase, type EmbeddedDatabase } from './embedded';

export function ormOptions(clientUrl: string, poolMax: number, opts: { embedded?: boolean } = {}): Options {
  return defineConfig({
    clientUrl,
    entities: ENTITIES,
    pool: { min: 0, max: poolMax, ...(opts.embedded ? { afterCreate: forgetPreparedStatements } : {}) },
    dataloader: DataloaderType.ALL,
    forceUtcTimezone: true,
    allowGlobalContext: false,
    extensions: [Migrator],
    // Created by migrations and mapped by no entity: the sign-in throttle's counters (rate-limiter-flexible), and the
    // members view's counts, written only by triggers (Migration20261129121000_MemberCounts).
    schemaGenerator: {
      skipTables: ['sign_in_throttle', 'org_member_counts', 'instance_settings', 'activity_spans', 'activity_counts'],
    },
    migrations: {
      migrationsList: MIGRATIONS,
      tableName: 'mikro_orm_migrations',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      silent: true,
      // Only used by `createMigration`: new migrations are written as TypeScript into the source tree.
      pathTs: path.resolve(__dirname, '../../src/db/migrations'),
      path: path.resolve(__dirname, '../../src/db/migrations'),
      emit: 'ts',
    },
  });
}

/**
 * The embedded database (PGlite) is one server session behind every connection it has ever served: statements an
 * earlier connection prepared (the per-request lookups, select-entities.ts; a pool connection reaped when idle) are
 * still there, and preparing them again on the new connection would fail ("prepared statement … already exists").
 * It serves one connection at a time, so a new connection forgets them all first.
 */
function forgetPreparedStatements(
  connection: { query(sql: string, callback: (err: Error | null) => void): void },
  done: (err: Error | null, connection: unknown) => void,
): void {
  connection.query('deallocate all', (err) => done(err, connection));
}

export interface Database {
  orm: MikroORM;
  embedded: EmbeddedDatabase | null;
  close(): Promise<void>;
}

/** Connects to DATABASE_URL, or starts the embedded database; then applies pending migrations. */
export async function openDatabase(
  config: Config,
  logger: Logger,
  opts: { migrate?: boolean } = {},
): Promise<Database> {
  let embedded: EmbeddedDatabase | null = null;
  let url = config.databaseUrl;
  let poolMax = config.databasePoolMax;
  if (!url) {
    embedded = await startEmbeddedDatabase(config.dataDir);
    url = embedded.url;
    poolMax = 1;
    logger.warn(
      { dataDir: config.dataDir },
      `No DATABASE_URL set: using the embedded PostgreSQL (PGlite) with data in ${config.dataDir}. ` +
        'Fine for trying Roster and for one process; set DATABASE_URL to a real PostgreSQL for production.',
    );
  } else {
    logger.info({ database: redactUrl(url) }, 'Using PostgreSQL from DATABASE_URL');
  }
  const orm = await MikroORM.init(ormOptions(url, poolMax, { embedded: embedded !== null }));
  if (opts.migrate !== false) {
    // Several processes may start at once against one PostgreSQL: a transaction-scoped advisory lock lets
    // one migrate while the others wait, then find nothing pending. The migrator checks its own table on a
    // second pooled connection, so a single-connection pool (the embedded database, one process by
    // construction) migrates without the lock.
    const migrator = orm.getMigrator();
    const applied =
      poolMax > 1
        ? await orm.em.fork().transactional(async (em) => {
            await em.execute('select pg_advisory_xact_lock(?)', [MIGRATION_LOCK_KEY]);
            return migrator.up({ transaction: em.getTransactionContext() });
          })
        : await migrator.up();
    if (applied.length > 0) logger.info({ migrations: applied.map((m) => m.name) }, 'Applied database migrations');
  }
  return {
    orm,
    embedded,
    async close() {
      await orm.close(true);
      if (embedded) await embedded.stop();
    },
  };
}

const MIGRATION_LOCK_KEY = 7_265_000;

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable url)';
  }
}
