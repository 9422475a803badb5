import express from 'express';
import cookieParser from 'cookie-parser';
import type { RequestContext } from '../graphql/context';
import { AppError, ErrorCode, ERROR_CODE_DESCRIPTIONS } from '../errors';
import { OIDC_CALLBACK_PATH, OidcFlowService } from '../modules/sso/oidc-flow.service';
import { SIGN_IN_PAGE_HTML } from './sign-in-page';
import { htmlPageSecurityHeaders } from './security-headers';

/** Holds the `state` of the OIDC sign-in this browser started (httpOnly, path /auth/oidc, 10 minutes). */
export const OIDC_STATE_COOKIE = 'roster_oidc_state';

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * The page a browser sees when an SSO sign-in cannot finish: what happened, the stable code (also in the
 * `x-roster-error-code` header for scripts), and a way back. No script and no external resource: the API's CSP applies.
 */
export function ssoErrorPage(code: string, message: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,"><title>Sign-in failed</title></head>
<body>
<h1>Sign-in failed</h1>
<p id="message">${escapeHtml(message)}</p>
<p>Error code: <code id="code">${escapeHtml(code)}</code></p>
<p><a href="/sign-in">Back to sign-in</a></p>
</body>
</html>`;
}

function sendError(res: express.Response, err: unknown, ctx: RequestContext): void {
  let code: string = ErrorCode.INTERNAL_SERVER_ERROR;
  let message =
    `Something went wrong on our side (request ${ctx.requestId}). Try again; quote the request id to your ` +
    'administrator if it persists.';
  let status = 500;
  if (err instanceof AppError) {
    code = err.code;
    message = err.message;
    status = err.code === ErrorCode.RATE_LIMITED ? 429 : err.code === ErrorCode.BAD_USER_INPUT ? 400 : 403;
  } else {
    ctx.logger.error({ err }, 'SSO route failed');
  }
  res.status(status);
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('x-roster-error-code', code);
  res.type('html').send(ssoErrorPage(code, message || ERROR_CODE_DESCRIPTIONS[code as ErrorCode] || ''));
}

export function ssoRoutes(deps: {
  contextFor(req: express.Request, res: express.Response): RequestContext;
  clearSignInState(res: express.Response): void;
}): express.Router {
  const router = express.Router();
  const signInHeaders = htmlPageSecurityHeaders(SIGN_IN_PAGE_HTML);

  router.get('/sign-in', signInHeaders, (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(SIGN_IN_PAGE_HTML);
  });

  // GET /auth/oidc/login?provider=<name>&redirect=<path>: starts the flow and sends the browser to the provider.
  router.get('/auth/oidc/login', async (req, res) => {
    const ctx = deps.contextFor(req, res);
    try {
      const q = req.query as Record<string, unknown>;
      const start = await new OidcFlowService(ctx).begin({
        provider: typeof q.provider === 'string' ? q.provider : '',
        redirect: typeof q.redirect === 'string' ? q.redirect : null,
      });
      res.setHeader('Cache-Control', 'no-store');
      res.redirect(302, start.authorizationUrl);
    } catch (err) {
      sendError(res, err, ctx);
    }
  });

  router.get(OIDC_CALLBACK_PATH, cookieParser(), async (req, res) => {
    const ctx = deps.contextFor(req, res);
    // Single use, whatever the outcome.
    deps.clearSignInState(res);
    try {
      const url = new URL(req.originalUrl, ctx.app.config.publicUrl);
      const cookie = (req.cookies as Record<string, string> | undefined)?.[OIDC_STATE_COOKIE] ?? null;
      const result = await new OidcFlowService(ctx).finish(url, cookie);
      res.setHeader('Cache-Control', 'no-store');
      res.redirect(302, result.redirect);
    } catch (err) {
      sendError(res, err, ctx);
    }
  });

  return router;
}
