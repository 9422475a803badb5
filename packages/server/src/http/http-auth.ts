import type express from 'express';
import type { EntityManager } from '@mikro-orm/postgresql';
import { GraphQLError } from 'graphql';
import { ACTING_USER_HEADER, authenticate, readBearer } from '../auth/authenticate';
import { createRequestContext, type AppServices, type RequestContext } from '../graphql/context';
import { AppError, ErrorCode, badInput } from '../errors';

/** The session cookie logIn and signUp set (app.ts), read by /graphql and the download routes. */
export const SESSION_COOKIE = 'roster_session';

/** The header a cookie-authenticated download must carry (a cross-site page cannot set it without CORS consent). */
export const CLIENT_HEADER = 'x-roster-client';

/**
 * Whether a cookie-authenticated GET may be trusted not to be a cross-site request forgery: the browser says it
 * comes from this site (`Sec-Fetch-Site: same-origin`, or `none` for a typed URL or bookmark), or it carries a
 * header a cross-site page cannot send without a CORS preflight (the same headers Apollo's CSRF prevention takes).
 * Bearer credentials need no such check: a browser never adds them on its own.
 */
export function cookieRequestIsSameSite(req: express.Request): boolean {
  const site = req.get('sec-fetch-site');
  if (site === 'same-origin' || site === 'none') return true;
  return Boolean(req.get('x-roster-client') || req.get('apollo-require-preflight'));
}

/**
 * A request context for an HTTP route outside /graphql (downloads), authenticated as the API is: a Bearer session
 * token or API key, or the session cookie when the request is CSRF-safe. A cookie-only request that is not
 * (cookieRequestIsSameSite) is refused with CSRF_REFUSED rather than served anonymously, so the caller learns what to
 * send. Counts as activity, like any authenticated API request.
 */
export async function httpRequestContext(
  req: express.Request,
  em: EntityManager,
  services: AppServices,
  /** Aborted when the route's work should stop (a streaming download whose client went away). */
  signal: AbortSignal = new AbortController().signal,
): Promise<RequestContext> {
  const cookie = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE] ?? null;
  if (!req.headers.authorization && cookie && !cookieRequestIsSameSite(req)) {
    throw new AppError(
      ErrorCode.CSRF_REFUSED,
      `A download authenticated by the session cookie needs the "${CLIENT_HEADER}" header: send it (any value), ` +
        'or use "Authorization: Bearer <session token or API key>".',
    );
  }
  const principal = await authenticate(
    em,
    {
      bearer: readBearer(req.headers.authorization),
      cookie: cookieRequestIsSameSite(req) ? cookie : null,
      actingUser: req.get(ACTING_USER_HEADER) ?? null,
    },
    { apiKeyUsage: services.apiKeyUsage, clientAddress: req.ip ?? null },
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
    signal,
    acceptsGraphQLResponseJson: false,
    cookies: { set: () => undefined, clear: () => undefined },
  });
}

/**
 * A download route's query parameters must all be known: a misspelt filter would otherwise silently widen the download
 * (to every member, every event).
 */
export function refuseUnknownQueryParameters(query: Record<string, unknown>, known: ReadonlySet<string>): void {
  for (const key of Object.keys(query)) {
    if (!known.has(key)) throw badInput(key, `Unknown query parameter "${key}": use ${[...known].join(', ')}.`);
  }
}

/** HTTP statuses of the errors a download route answers itself; any other error is the error handler's 500. */
const STATUS: Partial<Record<string, number>> = {
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.CSRF_REFUSED]: 403,
  [ErrorCode.SERVICE_ACCOUNT_DISABLED]: 403,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.RATE_LIMITED]: 429,
};

/**
 * Answers an error of a download route as the API would (`{ errors: [{ message, extensions: { code } }] }`), with
 * the HTTP status of its code; anything unexpected goes to the error handler (logged, generic 500).
 */
export function sendRouteError(res: express.Response, next: express.NextFunction, err: unknown): void {
  if (err instanceof GraphQLError && typeof err.extensions.code === 'string' && STATUS[err.extensions.code]) {
    const { http: _, ...extensions } = err.extensions;
    res.status(STATUS[err.extensions.code]!).json({ errors: [{ message: err.message, extensions }] });
    return;
  }
  next(err);
}

/**
 * Writes a chunk of a streamed download and, when the socket's buffer is full, waits for it to drain or for the client
 * to go away. Both listeners are removed either way, so a long download does not pile them up.
 */
export async function writeStreamed(res: express.Response, chunk: string): Promise<void> {
  if (res.write(chunk) || res.destroyed) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
