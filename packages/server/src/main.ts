import 'reflect-metadata';
import { type Config, ConfigError, loadConfig } from './config';
import { createLogger, prettyLogs } from './logger';
import { startServer } from './server';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const logger = createLogger(config.logLevel, undefined, { pretty: prettyLogs(config.nodeEnv) });
  const server = await startServer({ config, logger, manageHeap: true });
  const dashboard = config.dashboardDir ? `dashboard at ${server.url}/, ` : '';
  logger.info(
    { url: server.url, graphql: `${server.url}/graphql`, dashboard: config.dashboardDir !== null },
    `Roster is listening on ${server.url} (${dashboard}GraphiQL at ${server.url}/graphql)`,
  );
  if (!config.dashboardDir && config.nodeEnv !== 'test') {
    logger.info('No dashboard build to serve at / (pnpm build, or DASHBOARD_DIR): the API and GraphiQL only');
  }

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'Shutting down: draining in-flight requests');
    const force = setTimeout(() => {
      logger.error('Shutdown grace period over; exiting with requests still open');
      process.exit(1);
    }, config.shutdownGraceSeconds * 1000);
    force.unref();
    server
      .close()
      .then(() => {
        logger.info('Shutdown complete');
        process.exit(0);
      })
      .catch((err: unknown) => {
        logger.error({ err }, 'Shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`Roster failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
