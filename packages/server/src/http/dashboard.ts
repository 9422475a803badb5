import path from 'node:path';
import { readFileSync } from 'node:fs';
import express, { type RequestHandler, type Router } from 'express';
import { dashboardSecurityHeaders } from './security-headers';

/**
 * The built dashboard (packages/dashboard/dist, docs/DASHBOARD.md): hashed files under /assets/ are cached for a
 * year (their names change with their content); index.html is never cached, so a new build shows at once.
 */
export function dashboardAssets(dir: string): Router {
  const router = express.Router();
  router.use(
    '/assets',
    dashboardSecurityHeaders(),
    express.static(path.join(dir, 'assets'), { immutable: true, maxAge: '365d', index: false, fallthrough: false }),
  );
  // Files at the top of dist/ (favicon.svg…), never index.html itself (the fallback serves it with its headers).
  router.use(
    dashboardSecurityHeaders(),
    express.static(dir, { index: false, maxAge: '1h', fallthrough: true, redirect: false }),
  );
  return router;
}

/**
 * The dashboard's page for client-side routes: a GET for an HTML document (`Accept: text/html`) on a path without a
 * file extension that no server route answered gets index.html; API clients keep the JSON 404.
 */
export function dashboardFallback(dir: string): RequestHandler {
  const html = readFileSync(path.join(dir, 'index.html'), 'utf8');
  const headers = dashboardSecurityHeaders();
  return (req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || path.extname(req.path) !== '') return next();
    if (req.accepts(['application/json', 'text/html']) !== 'text/html') return next();
    headers(req, res, () => {
      // The invitation link (/invite?token=) sets no-store first.
      if (!res.hasHeader('Cache-Control')) res.setHeader('Cache-Control', 'no-cache');
      res.type('html').send(html);
    });
  };
}
