import fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedDatabase {
  url: string;
  /** Where the data lives, or 'memory'. */
  location: string;
  stop(): Promise<void>;
}

/**
 * PGlite (PostgreSQL compiled to WebAssembly) served over the Postgres wire protocol, so the ordinary
 * `pg` driver and MikroORM talk to it like to a real server. One connection at a time: callers keep
 * their pool at 1.
 */
export async function startEmbeddedDatabase(dataDir: string | 'memory'): Promise<EmbeddedDatabase> {
  if (dataDir !== 'memory') fs.mkdirSync(dataDir, { recursive: true });
  // pg_trgm backs the members search (Migration20261129120000_MemberSortKeys creates the extension): PGlite can only
  // create extensions it is given here. A dynamic import: PGlite types its contrib modules as ES modules only.
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
  const db = await PGlite.create(dataDir === 'memory' ? undefined : dataDir, { extensions: { pg_trgm } });
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 1 });
  await server.start();
  const conn = server.getServerConn();
  return {
    url: `postgres://postgres:postgres@${conn}/postgres`,
    location: dataDir,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
