/**
 * Test support, shipped with the server so the SDK's tests use the same harness:
 * a fresh database per call (a new database on DATABASE_URL's server, or an in-memory PGlite),
 * and a server listening on a free port.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import pg from 'pg';
import { loadConfig, type Config } from '../config';
import { createLogger } from '../logger';
import { openDatabase, type Database } from '../db/orm';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../db/embedded';
import { startServer, type RosterServer } from '../server';
import type { SsoSettingsSource } from '../modules/sso/sso-settings';

export interface TestDatabase {
  url: string;
  /** 'postgres' when DATABASE_URL points at a real server, 'pglite' otherwise. */
  kind: 'postgres' | 'pglite';
  poolMax: number;
  drop(): Promise<void>;
}

/** A new, empty database. On a real PostgreSQL each call creates (and later drops) its own database. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const embedded: EmbeddedDatabase = await startEmbeddedDatabase('memory');
    return { url: embedded.url, kind: 'pglite', poolMax: 1, drop: () => embedded.stop() };
  }
  const name = `roster_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    kind: 'postgres',
    poolMax: 10,
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}

export function testConfig(db: TestDatabase, env: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: db.url,
    DATABASE_POOL_MAX: String(db.poolMax),
    // Server tests see the server's own pages whether or not the dashboard is built; the dashboard's tests turn it on.
    DASHBOARD: 'false',
    ...env,
  });
}

export interface TestServer {
  url: string;
  server: RosterServer;
  database: TestDatabase;
  /** A second database handle (its own pool), as another server process would have. */
  openExtraDatabase(): Promise<Database>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  /** SSO settings the server reads on every sign-in (tests point them at the providers they start). */
  ssoSettings?: SsoSettingsSource;
}

/** A migrated database and a server on a free port. */
export async function startTestServer(
  env: Record<string, string> = {},
  existing?: TestDatabase,
  options: TestServerOptions = {},
): Promise<TestServer> {
  const database = existing ?? (await createTestDatabase());
  const config = testConfig(database, env);
  const logger = createLogger(config.logLevel);
  const server = await startServer({ config, logger, ssoSettings: options.ssoSettings });
  return {
    url: server.url,
    server,
    database,
    openExtraDatabase: () => openDatabase(config, logger, { migrate: false }),
    async close() {
      await server.close();
      await database.drop();
    },
  };
}

export interface GraphQLResponse<T = Record<string, unknown>> {
  data?: T | null;
  errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, unknown> }>;
}

/** Plain GraphQL over HTTP, as any client would send it. */
// biome-ignore lint/suspicious/noExplicitAny: a response's shape is the query's; tests read the fields they asked for.
export async function gql<T = Record<string, any>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<T> & { status: number; headers: Headers }> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as GraphQLResponse<T>;
  return { ...body, status: res.status, headers: res.headers };
}

/** Debian's Chromium, which .ci/run installs; browser tests never download a browser of their own. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Browser tests run where Chromium is, and must run in CI (.ci/run sets REQUIRE_CHROMIUM=1). */
export const CHROMIUM_AVAILABLE: boolean = existsSync(CHROMIUM_PATH) || process.env.REQUIRE_CHROMIUM === '1';

/**
 * playwright-core launch options for that Chromium. Without the background-networking flags it floods a closed
 * network with connection attempts.
 */
export const CHROMIUM_LAUNCH = {
  executablePath: CHROMIUM_PATH,
  headless: true,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
};
