import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CHROMIUM_AVAILABLE, CHROMIUM_LAUNCH, startTestServer, type TestServer } from '@roster/server/testing';
import { RosterClient } from '../src';
import { ADMIN } from './helpers';

const root = path.resolve(__dirname, '..');

/** What the page reports back (see the script in `run`). */
interface PageResult {
  tokenAfterLogIn: boolean;
  cookieViewer: string | null;
  withoutCredentials: string | null;
  error: { name: string; code: string; operationName: string; requestId: string | null };
  handleSeats: number;
}

// The ES module build, loaded natively by Chromium from a page on another origin than the API, with a
// cookie session (`credentials: 'include'`) through the server's CORS configuration.
// Skipped on a machine without Chromium, except in CI (.ci/run sets REQUIRE_CHROMIUM), where it must run.
describe.runIf(CHROMIUM_AVAILABLE)('in a browser (Chromium), from another origin', () => {
  let dir: string;
  let page: http.Server;
  let pageOrigin: string;
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    // A fresh ESM build of the SDK, served as plain files next to an empty page.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-sdk-browser-'));
    const tsc = createRequire(__filename).resolve('typescript/bin/tsc');
    const build = spawnSync(
      process.execPath,
      [tsc, '-p', 'tsconfig.esm.json', '--outDir', path.join(dir, 'sdk'), '--sourceMap', 'false'],
      { cwd: root, encoding: 'utf8' },
    );
    expect(build.status, build.stdout + build.stderr).toBe(0);
    fs.writeFileSync(
      path.join(dir, 'index.html'),
      '<!doctype html><html><head><link rel="icon" href="data:,"></head><body>sdk</body></html>',
    );
    page = http.createServer((req, res) => {
      const file = path.join(
        dir,
        path.normalize(
          new URL(req.url ?? '/', 'http://x').pathname === '/'
            ? 'index.html'
            : decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname),
        ),
      );
      if (!file.startsWith(dir) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
        res.writeHead(404).end();
        return;
      }
      res
        .writeHead(200, { 'content-type': file.endsWith('.js') ? 'text/javascript' : 'text/html' })
        .end(fs.readFileSync(file));
    });
    await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
    pageOrigin = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;

    // A Vite application on that origin, bundling the SDK as an app would (served from /app/).
    const app = path.join(dir, 'app-src');
    fs.mkdirSync(app);
    fs.writeFileSync(
      path.join(app, 'index.html'),
      '<!doctype html><html><head><link rel="icon" href="data:,"></head><body><pre id="out">…</pre>' +
        '<script type="module" src="./main.js"></script></body></html>',
    );
    fs.writeFileSync(
      path.join(app, 'main.js'),
      [
        "import { RosterClient } from '@roster/sdk';",
        'const api = new URLSearchParams(location.search).get("api");',
        'const client = new RosterClient({ url: api, credentials: "include" });',
        'const out = document.getElementById("out");',
        'window.rosterApp = (async () => {',
        '  await client.logIn({ login: "ada", password: new URLSearchParams(location.search).get("pw") });',
        '  const viewer = await new RosterClient({ url: api, credentials: "include" }).viewer();',
        '  out.textContent = viewer.user.username;',
        '  return viewer.user.username;',
        '})();',
      ].join('\n'),
    );
    const { build: viteBuild } = await import('vite');
    await viteBuild({
      root: app,
      base: '/app/',
      configFile: false,
      logLevel: 'silent',
      resolve: { alias: { '@roster/sdk': path.join(dir, 'sdk/index.js') } },
      build: { outDir: path.join(dir, 'app'), emptyOutDir: true, minify: true, target: 'es2022' },
    });

    server = await startTestServer({ CORS_ORIGINS: pageOrigin });
    await new RosterClient({ url: server.url }).signUp({ ...ADMIN, organizationName: 'acme' });
    browser = await chromium.launch(CHROMIUM_LAUNCH);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await new Promise<void>((resolve) => (page ? page.close(() => resolve()) : resolve()));
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a Vite app on another origin signs in and calls viewer() with its cookie session', async () => {
    const tab = await browser.newPage();
    const problems: string[] = [];
    tab.on('pageerror', (e) => problems.push(e.message));
    tab.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    const query = new URLSearchParams({ api: server.url, pw: ADMIN.password });
    await tab.goto(`${pageOrigin}/app/index.html?${query.toString()}`);
    const username = await tab.evaluate('window.rosterApp');
    expect(username).toBe(ADMIN.username);
    expect(await tab.locator('#out').textContent()).toBe(ADMIN.username);
    expect(problems).toEqual([]);
    // The bundle is the app's own: one script from /app/assets, nothing loaded from the API's origin but data.
    const scripts = await tab.evaluate('[...document.scripts].map((s) => new URL(s.src).pathname)');
    expect(scripts).toEqual([expect.stringMatching(/^\/app\/assets\/.+\.js$/)]);
    await tab.close();
  });

  test(
    'logIn sets the session cookie; later clients with credentials: "include" are that user; errors carry the ' +
      'operation and the request id',
    async () => {
      const tab = await browser.newPage();
      const problems: string[] = [];
      tab.on('pageerror', (e) => problems.push(e.message));
      const sent: Array<Record<string, string>> = [];
      tab.on('request', (r) => {
        if (r.url().startsWith(server.url) && r.method() === 'POST') sent.push(r.headers());
      });
      await tab.goto(`${pageOrigin}/`);

      // Plain JavaScript, run as is by the page (kept out of this file's transform, which rewrites import()).
      const script = `(async () => {
      const sdk = await import('/sdk/index.js');
      const api = ${JSON.stringify(server.url)};
      const first = new sdk.RosterClient({ url: api, credentials: 'include' });
      await first.logIn({ login: ${JSON.stringify(ADMIN.username)}, password: ${JSON.stringify(ADMIN.password)} });
      // No token: only the cookie the browser keeps for the API's site.
      const cookieOnly = new sdk.RosterClient({ url: api, credentials: 'include' });
      const viewer = await cookieOnly.viewer();
      const withoutCredentials = await new sdk.RosterClient({ url: api }).viewer();
      const error = await cookieOnly.org('no-such-org').seats().catch((e) => e);
      const seats = await cookieOnly.org('acme').seats();
      return {
        tokenAfterLogIn: typeof first.getToken() === 'string',
        cookieViewer: viewer && viewer.user ? viewer.user.username : null,
        withoutCredentials: withoutCredentials && withoutCredentials.user ? withoutCredentials.user.username : null,
        error: {
          name: error.name,
          code: error.code,
          operationName: error.operationName,
          requestId: error.requestId ?? null,
        },
        handleSeats: seats.used,
      };
    })()`;
      const result = (await tab.evaluate(script)) as PageResult;

      expect(problems).toEqual([]);
      expect(result).toMatchObject({
        tokenAfterLogIn: true,
        cookieViewer: 'ada',
        withoutCredentials: null,
        handleSeats: 1,
      });
      expect(result.error).toMatchObject({ name: 'NotFoundError', code: 'NOT_FOUND', operationName: 'Seats' });
      // The server's id, readable because CORS exposes x-request-id; it is the one the SDK sent.
      const seatsRequest = sent.find((h) => h['x-request-id'] === result.error.requestId);
      expect(seatsRequest, 'the failed request was sent with the id the error carries').toBeDefined();
      for (const headers of sent) {
        expect(headers['x-roster-client']).toMatch(/^@roster\/sdk\/\d+\.\d+\.\d+/);
        expect(headers['user-agent']).not.toMatch(/roster-sdk/); // the browser's own
      }
      await tab.close();
    },
  );
});
