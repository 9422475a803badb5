import { describe, expect, it } from 'vitest';
import { createTestDatabase, testConfig } from '../src/testing';
import { openDatabase } from '../src/db/orm';
import { createLogger } from '../src/logger';
import { MIGRATIONS } from '../src/db/migrations';

describe('database start-up', () => {
  it.skipIf(!process.env.DATABASE_URL)(
    'lets several processes start at once on a fresh PostgreSQL: one migrates, the others wait',
    async () => {
      const db = await createTestDatabase();
      try {
        const config = testConfig(db);
        const logger = createLogger('silent');
        const handles = await Promise.all([1, 2, 3].map(() => openDatabase(config, logger)));
        const rows: Array<{ name: string }> = await handles[0]!.orm.em
          .getConnection()
          .execute('select name from mikro_orm_migrations');
        expect(rows.map((r: { name: string }) => r.name)).toEqual(MIGRATIONS.map((m) => m.name));
        for (const h of handles) expect(await h.orm.getMigrator().getPendingMigrations()).toEqual([]);
        await Promise.all(handles.map((h) => h.close()));
      } finally {
        await db.drop();
      }
    },
  );

  // PGlite serves one connection and the schema diff needs its own; CI checks this on PostgreSQL.
  it.skipIf(!process.env.DATABASE_URL)(
    'applies every migration to an empty database and leaves the schema matching the entities',
    async () => {
      const db = await createTestDatabase();
      try {
        const handle = await openDatabase(testConfig(db), createLogger('silent'));
        const diff = await handle.orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false });
        expect(
          diff.trim(),
          'entities changed without a migration: run `pnpm --filter @roster/server migration:create`',
        ).toBe('');
        await handle.close();
      } finally {
        await db.drop();
      }
    },
  );
});
