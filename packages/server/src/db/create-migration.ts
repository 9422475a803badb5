/**
 * Developer tool: `pnpm --filter @roster/server migration:create` diffs the entities against a database
 * with every committed migration applied, and writes the difference as a new TypeScript migration.
 */
import 'reflect-metadata';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { openDatabase } from './orm';

async function main(): Promise<void> {
  const config = loadConfig({ ...process.env, DATA_DIR: process.env.DATA_DIR ?? '.roster-migration-scratch' });
  const logger = createLogger('info');
  const db = await openDatabase(config, logger);
  try {
    const result = await db.orm.getMigrator().createMigration(undefined, false, false, process.argv[2]);
    if (!result.fileName) logger.info('Entities and migrations agree: nothing to write.');
    else logger.info({ file: result.fileName }, 'Wrote a migration: add it to src/db/migrations/index.ts');
  } finally {
    await db.close();
  }
}

void main();
