import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { loadConfig, type Config } from './config';
import { createLogger, prettyLogs, type Logger } from './logger';
import { openDatabase, type Database } from './db/orm';
import { buildRosterSchema } from './graphql/schema';
import { createHttpApp } from './http/app';
import { ActivityTracker } from './modules/activity/activity-tracker';
import { EmailSender } from './modules/mail/email-sender';
import { SignInThrottle } from './auth/sign-in-throttle';
import { PasswordHasher, dummyPasswordHash } from './auth/passwords';
import { ApiKeyUsage } from './auth/api-key-usage';
import { InstanceState } from './modules/instance/instance-state';
import { Metrics } from './observability/metrics';
import { manageHeap } from './observability/heap';
import type { SsoSettingsSource } from './modules/sso/sso-settings';
import { RetentionPruner } from './modules/audit/retention';
import { InstanceSettingsStore } from './modules/settings/instance-settings-store';
import { environmentDefaults } from './modules/settings/settings-environment';
import { SecretBox, keyringFromConfig } from './crypto/secret-box';

export interface RosterServer {
  url: string;
  config: Config;
  logger: Logger;
  db: Database;
  activity: ActivityTracker;
  mail: EmailSender;
  signIn: SignInThrottle;
  passwords: PasswordHasher;
  apiKeyUsage: ApiKeyUsage;
  instanceState: InstanceState;
  ssoSettings: SsoSettingsSource;
  /** Prunes old audit events and emails on a timer (AUDIT_RETENTION_DAYS, EMAIL_RETENTION_DAYS). */
  retention: RetentionPruner;
  /** Instance settings in effect (environment defaults overlaid by the API's stored overrides). */
  settings: InstanceSettingsStore;
  /** Null unless METRICS=on. */
  metrics: Metrics | null;
  /**
   * Stops taking requests, drains the ones in flight, flushes activity, stops the email sender and closes the database.
   */
  close(): Promise<void>;
}

export interface StartOptions {
  config?: Config;
  logger?: Logger;
  /** Reuse an open database (tests); otherwise one is opened from the config and closed with the server. */
  database?: Database;
  /** SSO settings to use instead of the configured ones (tests that drive a provider of their own). */
  ssoSettings?: SsoSettingsSource;
  /**
   * Apply config.heap (V8 heap growth, idle compaction): process-wide settings, so only for a process that is the
   * server (main.ts), never for tests or an embedding application.
   */
  manageHeap?: boolean;
}

export async function startServer(options: StartOptions = {}): Promise<RosterServer> {
  const config = options.config ?? loadConfig();
  const logger = options.logger ?? createLogger(config.logLevel, undefined, { pretty: prettyLogs(config.nodeEnv) });
  // Validated before the database opens: a bad SSO_PROVIDERS stops the server with what to fix.
  const defaults = environmentDefaults(config);
  const db = options.database ?? (await openDatabase(config, logger));
  const box = new SecretBox(
    keyringFromConfig({ ...config.settings, databaseUrl: config.databaseUrl, dataDir: config.dataDir }),
  );
  const settings = new InstanceSettingsStore(db.orm, defaults, box, logger, config.settings.refreshMs);
  const effective = await settings.current();
  if (effective.unreadableSecrets.length) {
    logger.error(
      { secrets: effective.unreadableSecrets.map((u) => u.name) },
      'Some stored secrets cannot be decrypted: set the SECRETS_KEY (or SECRETS_KEY_PREVIOUS) they were stored with',
    );
  }
  const activity = new ActivityTracker(db.orm, config.activityWriteIntervalSeconds * 1000, logger);
  const mail = new EmailSender(db.orm, config, logger, async () => (await settings.current()).smtp);
  // Ready before the first request; the table comes from a migration. Shared with other processes through the database.
  const signIn = await SignInThrottle.create(db.orm.em.getConnection().getKnex(), config.signInThrottle, logger);
  const passwords = new PasswordHasher(config.passwordHashing.concurrency, config.passwordHashing.maxQueue);
  // Computed now, so the first unknown login costs no more than any other.
  await dummyPasswordHash();
  const apiKeyUsage = new ApiKeyUsage(config.apiKeyUsedWriteIntervalSeconds * 1000);
  const instanceState = new InstanceState();
  const ssoSettings = options.ssoSettings ?? settings.ssoSource();
  const metrics = config.metrics.enabled ? new Metrics({ orm: db.orm, activity, logger }) : null;
  if (metrics && !config.metrics.token) {
    logger.warn('METRICS=on without METRICS_TOKEN: anyone who can reach this server can read GET /metrics');
  }
  const schema = await buildRosterSchema();
  const http = await createHttpApp({
    schema,
    orm: db.orm,
    metrics,
    services: { config, logger, activity, mail, signIn, passwords, apiKeyUsage, instanceState, ssoSettings, settings },
  });
  await new Promise<void>((resolve, reject) => {
    http.httpServer.once('error', reject);
    http.httpServer.listen(config.port, config.host, () => resolve());
  });
  http.setReady(true);
  const releaseHeap = options.manageHeap ? manageHeap(http.httpServer, config.heap, logger) : () => undefined;
  mail.start();
  const retention = new RetentionPruner(db.orm, config.retention, logger);
  retention.start();
  const address = http.httpServer.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${host}:${address.port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    config,
    logger,
    db,
    activity,
    mail,
    signIn,
    passwords,
    apiKeyUsage,
    instanceState,
    ssoSettings,
    retention,
    settings,
    metrics,
    close() {
      closing ??= (async () => {
        http.setReady(false);
        releaseHeap();
        await http.apollo.stop();
        logger.debug('HTTP server drained');
        await activity.flush();
        await mail.stop();
        await retention.stop();
        signIn.stop();
        metrics?.stop();
        if (!options.database) await db.close();
        logger.debug('Database closed');
      })();
      return closing;
    },
  };
}
