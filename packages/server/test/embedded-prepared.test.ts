import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MikroORM } from '@mikro-orm/postgresql';
import { ormOptions } from '../src/db/orm';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../src/db/embedded';
import { selectRows } from '../src/db/select-entities';
import { Organization } from '../src/modules/organizations/organization.entity';

/**
 * The per-request lookups run as named prepared statements. The embedded database keeps one server session behind
 * every connection, so once the pool reaps an idle connection, the next one must not collide with the statements
 * the earlier one prepared.
 */
describe('embedded database: prepared statements survive a reaped pool connection', () => {
  let embedded: EmbeddedDatabase;
  let orm: MikroORM;
  beforeAll(async () => {
    embedded = await startEmbeddedDatabase('memory');
    const options = ormOptions(embedded.url, 1, { embedded: true });
    // The pool's idle reaping, in milliseconds instead of its default 30 s.
    orm = await MikroORM.init({
      ...options,
      pool: { ...options.pool, idleTimeoutMillis: 100, reapIntervalMillis: 20 },
    });
    await orm.getMigrator().up();
  }, 60_000);
  afterAll(async () => {
    await orm?.close();
    await embedded?.stop();
  });

  it('runs the same named statement on a new connection after the first was reaped', async () => {
    const lookup = () =>
      selectRows<{ org: Organization }>(
        orm.em.fork(),
        { org: Organization },
        'select to_jsonb(o) as org from organizations o where o.name = ?',
        ['nobody'],
        'roster_organization_by_name',
      );
    expect(await lookup()).toEqual([]);
    const pool = (orm.em.getConnection().getKnex().client as { pool: { numFree(): number; numUsed(): number } }).pool;
    // Wait until the idle connection is gone.
    for (let i = 0; i < 100 && pool.numFree() + pool.numUsed() > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(pool.numFree() + pool.numUsed()).toBe(0);
    expect(await lookup()).toEqual([]);
  });
});
