import http from 'node:http';
import { randomUUID } from 'node:crypto';
import express from 'express';
import cookieParser from 'cookie-parser';
import { pinoHttp } from 'pino-http';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLSchema } from 'graphql';
import type { MikroORM } from '@mikro-orm/postgresql';
import { authenticate, readBearer } from '../auth/authenticate';
import { createRequestContext, type AppServices, type RequestContext } from '../graphql/context';
import { formatError, requestScope } from '../graphql/format-error';
import { GRAPHIQL_HTML, graphiqlAssets } from './graphiql';
import { INVITE_PAGE_HTML } from './invite-page';

export const SESSION_COOKIE = 'roster_session';
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

export interface HttpApp {
  httpServer: http.Server;
  apollo: ApolloServer<RequestContext>;
  /** Flipped off at shutdown so load balancers stop sending traffic before the drain. */
  setReady(ready: boolean): void;
}

export async function createHttpApp(params: { schema: GraphQLSchema; orm: MikroORM; services: AppServices }): Promise<HttpApp> {
  const { schema, orm, services } = params;
  const { config, logger } = services;
  let ready = false;

  const app = express();
  app.disable('x-powered-by');
  // Behind a load balancer, req.ip (sign-in throttling, audit) must be the client's address, not the proxy's.
  app.set('trust proxy', config.trustProxy);
  const httpServer = http.createServer(app);

  const apollo = new ApolloServer<RequestContext>({
    schema,
    formatError,
    introspection: true,
    persistedQueries: false,
    // main.ts owns SIGTERM: it flips readiness, drains, then closes the database.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: false,
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), ApolloServerPluginLandingPageDisabled()],
  });
  await apollo.start();

  app.use(
    pinoHttp({
      logger,
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && REQUEST_ID_PATTERN.test(incoming) ? incoming : randomUUID();
        res.setHeader('x-request-id', id);
        return id;
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' || (req.url ?? '').startsWith('/graphiql-assets') },
    }),
  );
  app.use((req, _res, next) => requestScope.run({ requestId: String(req.id), logger: req.log }, next));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    if (!ready) {
      res.status(503).json({ status: 'not ready', reason: 'starting or shutting down' });
      return;
    }
    try {
      await orm.em.getConnection().execute('select 1');
      const pending = await orm.getMigrator().getPendingMigrations();
      if (pending.length > 0) {
        res.status(503).json({ status: 'not ready', reason: `${pending.length} migration(s) pending` });
        return;
      }
      res.json({ status: 'ready' });
    } catch (err) {
      logger.warn({ err }, 'Readiness check failed');
      res.status(503).json({ status: 'not ready', reason: 'database unreachable' });
    }
  });

  app.use('/graphiql-assets', graphiqlAssets());
  app.get('/invite', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(INVITE_PAGE_HTML);
  });
  app.get('/graphql', (req, res, next) => {
    const wantsHtml = req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) === 'text/html';
    if (config.graphiql && wantsHtml && req.query.query === undefined) {
      res.type('html').send(GRAPHIQL_HTML);
      return;
    }
    next();
  });

  const secureCookie = config.publicUrl.startsWith('https://');
  app.use(
    '/graphql',
    cookieParser(),
    express.json({ limit: '1mb' }),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const em = orm.em.fork();
        const principal = await authenticate(
          em,
          { bearer: readBearer(req.headers.authorization), cookie: (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE] ?? null },
          { apiKeyUsedWriteIntervalMs: config.apiKeyUsedWriteIntervalSeconds * 1000 },
        );
        if (principal.kind === 'user') services.activity.touch(principal.user.id);
        return createRequestContext({
          requestId: String(req.id),
          em,
          principal,
          clientAddress: req.ip ?? null,
          userAgent: req.headers['user-agent'] ?? null,
          app: services,
          logger: req.log,
          cookies: {
            set: (token, expiresAt) =>
              res.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure: secureCookie, expires: expiresAt, path: '/' }),
            clear: () => res.clearCookie(SESSION_COOKIE, { path: '/' }),
          },
        });
      },
    }),
  );

  return { httpServer, apollo, setReady: (r) => (ready = r) };
}
