import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../src/testing';

const INDEX =
  '<!doctype html><html><head><link rel="icon" href="/favicon.svg">' +
  '<script type="module" crossorigin src="/assets/index-abc123.js"></script></head>' +
  '<body><div id="root"></div></body></html>';

/** The server's side of the dashboard (packages/dashboard) on a stand-in build: which requests get the app, how. */
describe('serving the dashboard build at /', () => {
  let dir: string;
  let t: TestServer;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-dashboard-'));
    fs.mkdirSync(path.join(dir, 'assets'));
    fs.writeFileSync(path.join(dir, 'index.html'), INDEX);
    fs.writeFileSync(path.join(dir, 'assets', 'index-abc123.js'), 'console.log("app");');
    fs.writeFileSync(path.join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    t = await startTestServer({ DASHBOARD: 'true', DASHBOARD_DIR: dir });
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const html = { accept: 'text/html,application/xhtml+xml' };

  it('answers page requests for client routes with index.html, revalidated, under a script-src self CSP', async () => {
    for (const p of ['/', '/orgs/acme', '/orgs/acme/teams/vision/settings', '/login?next=%2F']) {
      const res = await fetch(`${t.url}${p}`, { headers: html });
      expect(res.status, p).toBe(200);
      expect(await res.text()).toBe(INDEX);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self';");
      expect(csp).toContain("connect-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    }
  });

  it('serves hashed assets cached for a year, and other files of the build briefly', async () => {
    const js = await fetch(`${t.url}/assets/index-abc123.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toContain('javascript');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await fetch(`${t.url}/assets/missing.js`)).status).toBe(404);
    const icon = await fetch(`${t.url}/favicon.svg`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('cache-control')).toBe('public, max-age=3600');
  });

  it('opens the invitation link (/invite?token=) in the app, uncached; API clients keep their answers', async () => {
    const invite = await fetch(`${t.url}/invite?token=abc`, { headers: html });
    expect(await invite.text()).toBe(INDEX);
    expect(invite.headers.get('cache-control')).toBe('no-store');
    // JSON clients and non-page requests: the API's own 404; the probes and GraphQL are untouched.
    const unknown = await fetch(`${t.url}/orgs/acme`);
    expect(unknown.status).toBe(404);
    expect(
      ((await unknown.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]?.extensions.code,
    ).toBe('NOT_FOUND');
    expect((await fetch(`${t.url}/nothing.txt`, { headers: html })).status).toBe(404);
    expect((await fetch(`${t.url}/orgs/acme`, { method: 'POST', headers: html })).status).toBe(404);
    expect(await (await fetch(`${t.url}/healthz`, { headers: html })).json()).toEqual({ status: 'ok' });
    const gql = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ instance { version } }' }),
    });
    expect(gql.status).toBe(200);
  });

  it('serves nothing at / when DASHBOARD=false or the directory has no build', async () => {
    for (const env of [
      { DASHBOARD: 'false', DASHBOARD_DIR: dir },
      { DASHBOARD: 'true', DASHBOARD_DIR: path.join(dir, 'assets') },
    ]) {
      const other = await startTestServer(env);
      try {
        expect((await fetch(`${other.url}/`, { headers: html })).status).toBe(404);
        // The standalone invitation page answers the email link instead.
        const invite = await fetch(`${other.url}/invite?token=abc`, { headers: html });
        expect(await invite.text()).not.toBe(INDEX);
        expect(invite.status).toBe(200);
      } finally {
        await other.close();
      }
    }
  });
});
