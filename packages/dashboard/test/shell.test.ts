import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import {
  ADMIN,
  CHROMIUM_AVAILABLE,
  checkScreen,
  launchBrowser,
  openPage,
  signInWithPassword,
  startDashboard,
  type Dashboard,
} from './harness';

// Skipped on a machine without Chromium, except in CI (.ci/run sets REQUIRE_CHROMIUM), where it must run.
describe.runIf(CHROMIUM_AVAILABLE)('the shell: bootstrap, sign out, sign in (Chromium, fresh database)', () => {
  let app: Dashboard;
  let browser: Browser;
  beforeAll(async () => {
    [app, browser] = await Promise.all([startDashboard(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('a fresh instance opens on sign-up; the first account lands on its organization dashboard', async () => {
    const { page, problems, context } = await openPage(browser, app.url);
    await page.goto(app.url);
    await page.waitForURL(`${app.url}/signup`);
    await page.getByRole('heading', { name: 'Set up Roster' }).waitFor();
    expect(await checkScreen(page, 'sign-up-bootstrap')).toEqual([]);
    await page.getByLabel('Full name').fill(ADMIN.name);
    await page.getByLabel('Username').fill(ADMIN.username);
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByLabel('Organization name').fill(ADMIN.organizationName);
    await page.getByRole('button', { name: 'Create the instance admin' }).click();
    await page.waitForURL(`${app.url}/orgs/acme`);
    await page.getByRole('heading', { level: 1 }).waitFor();

    // Sign out from the profile menu, then sign in with the password.
    await page.getByTestId('profile-menu').click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.waitForURL(`${app.url}/login`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await checkScreen(page, 'sign-in')).toEqual([]);
    await signInWithPassword(page, app.url, ADMIN.username, ADMIN.password);
    await page.waitForURL(`${app.url}/orgs/acme`);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('serves the app for client routes only; API and server pages keep their own answers', async () => {
    const html = await fetch(`${app.url}/orgs/acme/teams/x`, { headers: { accept: 'text/html' } });
    expect(html.status).toBe(200);
    expect(html.headers.get('cache-control')).toBe('no-cache');
    expect(html.headers.get('content-security-policy')).toContain("script-src 'self';");
    const body = await html.text();
    expect(body).not.toMatch(/<script>/);
    const asset = body.match(/\/assets\/[^"]+\.js/)?.[0];
    expect(asset).toBeDefined();
    const js = await fetch(`${app.url}${asset}`);
    expect(js.headers.get('cache-control')).toContain('immutable');
    // JSON clients still get the API's 404; the health probe and GraphQL are untouched.
    expect((await fetch(`${app.url}/nowhere`)).status).toBe(404);
    expect(await (await fetch(`${app.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const gql = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ instance { version } }' }),
    });
    expect(gql.status).toBe(200);
  });
});
