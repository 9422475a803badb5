import http from 'node:http';
import { randomUUID } from 'node:crypto';
import express from 'express';
import cookieParser from 'cookie-parser';
import cors from 'cors';
import { pinoHttp } from 'pino-http';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import type { GraphQLSchema } from 'graphql';
import type { MikroORM } from '@mikro-orm/postgresql';
import { loggableError } from '../logger';
import { ACTING_USER_HEADER, authenticate, readBearer } from '../auth/authenticate';
import { ANONYMOUS, type Principal } from '../auth/principal';
import {
  createRequestContext,
  type AppServices,
  type RequestContext,
  type SessionCookieWriter,
} from '../graphql/context';
import { formatError, requestScope } from '../graphql/format-error';
import { boundedStringify, requestGuardsPlugin, requestTimedOut } from '../graphql/guards';
import { queryLimitRules } from '../graphql/query-limits';
import { compiledExecutionGateway } from '../graphql/jit-executor';
import { graphiqlHtml, graphiqlAssets } from './graphiql';
import { INVITE_PAGE_HTML } from './invite-page';
import { OIDC_STATE_COOKIE, ssoRoutes } from './sso-routes';
import { apiSecurityHeaders, htmlPageSecurityHeaders } from './security-headers';
import { httpErrorHandler, notFoundHandler, redactedUrl } from './http-errors';
import { UNKNOWN_OPERATION, type Metrics } from '../observability/metrics';
import { auditExportHandler } from './audit-export';
import { CLIENT_HEADER, SESSION_COOKIE } from './http-auth';
import { membersExportHandler } from './members-export';
import { dashboardAssets, dashboardFallback } from './dashboard';
import { scimRouter } from './scim-routes';

export { SESSION_COOKIE };
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

export interface HttpApp {
  httpServer: http.Server;
  apollo: ApolloServer<RequestContext>;
  /** Flipped off at shutdown so load balancers stop sending traffic before the drain. */
  setReady(ready: boolean): void;
}

export async function createHttpApp(params: {
  schema: GraphQLSchema;
  orm: MikroORM;
  services: AppServices;
  /** Prometheus metrics (METRICS=on): `GET /metrics` and per-request series; null: no route, nothing recorded. */
  metrics?: Metrics | null;
}): Promise<HttpApp> {
  const { schema, orm, services } = params;
  const metrics = params.metrics ?? null;
  const { config, logger } = services;
  let ready = false;

  const app = express();
  app.disable('x-powered-by');
  // Behind a load balancer, req.ip (sign-in throttling, audit) must be the client's address, not the proxy's.
  app.set('trust proxy', config.trustProxy);
  const httpServer = http.createServer(app);

  const apollo = new ApolloServer<RequestContext>({
    // Compiled execution of repeated queries (graphql-jit): GRAPHQL_JIT=false runs everything on graphql-js.
    ...(config.graphqlJit ? { gateway: compiledExecutionGateway(schema) } : { schema }),
    formatError: (formatted, error) => formatError(formatted, error, { hideSuggestions: !config.introspection }),
    introspection: config.introspection,
    persistedQueries: false,
    allowBatchedHttpRequests: false,
    // Query cost control (SECURITY.md): tokens while parsing, then depth/aliases/directives/root fields
    // while validating, then the cost for the actual variables before anything executes.
    parseOptions: { maxTokens: config.queryLimits.maxTokens },
    validationRules: queryLimitRules(config.queryLimits),
    stringifyResult: boundedStringify(config.responseMaxBytes),
    // main.ts owns SIGTERM: it flips readiness, drains, then closes the database.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      // Responses are per caller and never cacheable; the default cache-control plugin would only add a hook to
      // every resolved field (a members page resolves about 1,500).
      ApolloServerPluginCacheControlDisabled(),
      requestGuardsPlugin(schema, config.queryLimits),
      ...(metrics ? [metrics.plugin<RequestContext>()] : []),
    ],
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
      autoLogging: {
        ignore: (req) =>
          req.url === '/healthz' ||
          req.url === '/readyz' ||
          req.url === '/metrics' ||
          (req.url ?? '').startsWith('/graphiql-assets'),
      },
      // Query strings carry invitation tokens (/invite?token=) and GET documents with variables: log the path only.
      serializers: {
        req: (req: { id: unknown; method: string; url: string; remoteAddress?: string }) => ({
          id: req.id,
          method: req.method,
          url: redactedUrl(req.url),
          remoteAddress: req.remoteAddress,
        }),
        // pino-http installs its own error serializer on request loggers: keep ours (no SQL, no parameters).
        err: loggableError,
      },
    }),
  );
  app.use(apiSecurityHeaders());
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

  if (metrics) app.get('/metrics', metrics.handler(config.metrics.token));

  app.use('/graphiql-assets', graphiqlAssets());
  const dashboard = config.dashboardDir ? dashboardFallback(config.dashboardDir) : null;
  const invitePageHeaders = htmlPageSecurityHeaders(INVITE_PAGE_HTML);
  // The link in invitation emails. With the dashboard built, its accept screen (the same URL, so links already sent
  // keep working); without, the standalone invitation page.
  app.get('/invite', (req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    if (dashboard && req.accepts(['application/json', 'text/html']) === 'text/html') {
      dashboard(req, res, next);
      return;
    }
    invitePageHeaders(req, res, () => res.type('html').send(INVITE_PAGE_HTML));
  });
  const graphiqlPage = graphiqlHtml({ introspection: config.introspection });
  const graphiqlHeaders = htmlPageSecurityHeaders(graphiqlPage);
  app.get('/graphql', (req, res, next) => {
    const wantsHtml =
      req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) === 'text/html';
    if (config.graphiql && wantsHtml && req.query.query === undefined) {
      graphiqlHeaders(req, res, () => res.type('html').send(graphiqlPage));
      return;
    }
    next();
  });

  const secureCookie = config.publicUrl.startsWith('https://');
  const cookieWriter = (res: express.Response): SessionCookieWriter => ({
    set: (token, expiresAt) =>
      res.cookie(SESSION_COOKIE, token, {
        httpOnly: true,
        sameSite: 'lax',
        secure: secureCookie,
        expires: expiresAt,
        path: '/',
      }),
    clear: () => res.clearCookie(SESSION_COOKIE, { path: '/' }),
    // Lax: the provider's redirect back to the callback is a top-level GET, which carries Lax cookies.
    setSignInState: (state, expiresAt) =>
      res.cookie(OIDC_STATE_COOKIE, state, {
        httpOnly: true,
        sameSite: 'lax',
        secure: secureCookie,
        expires: expiresAt,
        path: '/auth/oidc',
      }),
  });
  // Browsers on the configured origins may call the API with their cookie session. The preflight a
  // cross-origin JSON POST needs is also what Apollo's CSRF prevention relies on, so both stay on.
  const corsForApi = cors({
    origin: config.corsOrigins,
    credentials: true,
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: [
      'content-type',
      'authorization',
      'apollo-require-preflight',
      'x-request-id',
      'x-roster-client',
      ACTING_USER_HEADER,
    ],
    exposedHeaders: ['x-request-id', 'retry-after'],
    maxAge: 600,
  });
  app.options('/graphql', corsForApi);
  app.use(
    '/graphql',
    corsForApi,
    cookieParser(),
    express.json({ limit: config.requestBodyMaxBytes }),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const signal = requestSignal(res, config.requestTimeoutMs);
        const em = orm.em.fork();
        const started = performance.now();
        let principal: Principal;
        try {
          principal = await authenticate(
            em,
            {
              bearer: readBearer(req.headers.authorization),
              cookie: (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE] ?? null,
              actingUser: req.get(ACTING_USER_HEADER) ?? null,
            },
            { apiKeyUsage: services.apiKeyUsage, clientAddress: req.ip ?? null },
          );
        } catch (err) {
          // Apollo's request plugins never see a request whose context failed (a bad credential): count it here.
          const code = (err as { extensions?: { code?: unknown } }).extensions?.code ?? 'INTERNAL_SERVER_ERROR';
          metrics?.observeRequest(UNKNOWN_OPERATION, [code], (performance.now() - started) / 1000);
          throw err;
        }
        if (principal.kind === 'user') services.activity.touch(principal.user.id);
        return createRequestContext({
          requestId: String(req.id),
          em,
          principal,
          clientAddress: req.ip ?? null,
          userAgent: req.headers['user-agent'] ?? null,
          app: services,
          logger: req.log,
          signal,
          acceptsGraphQLResponseJson:
            req.accepts(['application/json', 'application/graphql-response+json']) ===
            'application/graphql-response+json',
          cookies: cookieWriter(res),
          // Headers set on the Express response before Apollo writes its own are kept (Retry-After with RATE_LIMITED).
          response: { setHeader: (name, value) => res.setHeader(name, value) },
        });
      },
    }),
  );

  // SSO: the sign-in page, and the OIDC login and callback routes (src/http/sso-routes.ts, docs/SSO.md).
  app.use(
    ssoRoutes({
      contextFor: (req, res) =>
        createRequestContext({
          requestId: String(req.id),
          em: orm.em.fork(),
          principal: ANONYMOUS,
          clientAddress: req.ip ?? null,
          userAgent: req.headers['user-agent'] ?? null,
          app: services,
          logger: req.log,
          signal: requestSignal(res, config.requestTimeoutMs),
          acceptsGraphQLResponseJson: false,
          cookies: cookieWriter(res),
          response: { setHeader: (name, value) => res.setHeader(name, value) },
        }),
      clearSignInState: (res) => res.clearCookie(OIDC_STATE_COOKIE, { path: '/auth/oidc' }),
    }),
  );
  // Audit log export (issue 13): JSON Lines, authenticated like the API (http-auth.ts).
  app.options('/audit-log.jsonl', corsForApi);
  app.get('/audit-log.jsonl', corsForApi, cookieParser(), auditExportHandler(orm, services));
  // The members view as a download (docs/USAGE.md): authenticated like /graphql; cookie sessions need X-Roster-Client.
  const corsForExport = cors({
    origin: config.corsOrigins,
    credentials: true,
    methods: ['GET', 'OPTIONS'],
    allowedHeaders: ['authorization', 'x-request-id', CLIENT_HEADER, ACTING_USER_HEADER],
    exposedHeaders: ['x-request-id', 'content-disposition'],
    maxAge: 600,
  });
  for (const format of ['csv', 'jsonl'] as const) {
    const path = `/organizations/:name/members.${format}`;
    app.options(path, corsForExport);
    app.get(
      path,
      corsForExport,
      cookieParser(),
      membersExportHandler({ orm, services, format: format === 'csv' ? null : format }),
    );
  }

  // SCIM 2.0 provisioning (docs/SCIM.md): its own token, body parser, rate limit and error bodies. Before the
  // dashboard, whose client-side routes would otherwise answer GETs under /scim/v2.
  app.use(
    '/scim/v2',
    await scimRouter({ orm, logger, publicUrl: config.publicUrl, ratePerMinute: config.scimRateLimitPerMinute }),
  );

  // The dashboard (docs/DASHBOARD.md): its files, and index.html for its client-side routes (`/`, `/orgs/…`).
  if (config.dashboardDir && dashboard) {
    app.use(dashboardAssets(config.dashboardDir));
    app.use(dashboard);
  }

  app.use(notFoundHandler);
  app.use(httpErrorHandler(logger));

  return { httpServer, apollo, setReady: (r) => (ready = r) };
}

/** Aborts when the request has run too long, or when its client disconnects before the response is sent. */
function requestSignal(res: express.Response, timeoutMs: number): AbortSignal {
  const controller = new AbortController();
  // The reason is what every field still to resolve fails with (guardResolvers).
  const timer = setTimeout(() => controller.abort(requestTimedOut(timeoutMs)), timeoutMs);
  timer.unref();
  res.once('close', () => {
    clearTimeout(timer);
    if (!res.writableFinished) controller.abort(requestTimedOut(timeoutMs));
  });
  return controller.signal;
}
