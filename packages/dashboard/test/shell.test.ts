import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { TestServerOptions } from '@roster/server/testing';
import { RosterClient } from '@roster/sdk';
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
    // Providers are only listed by the sign-in screen: nothing contacts these issuers (the LDAP one is unreachable on
    // purpose; the local password is tried first).
    const sso: TestServerOptions['ssoSettings'] = {
      current: async () => ({
        providers: [
          {
            kind: 'OIDC',
            name: 'okta',
            label: 'Sign in with Okta',
            issuer: 'https://idp.example.com',
            clientId: 'roster',
            clientAuth: 'client_secret_basic',
            clientSecret: 'never-shown',
            extraScopes: [],
          },
          {
            kind: 'LDAP',
            name: 'corp-ldap',
            label: 'Corporate directory',
            url: 'ldap://127.0.0.1:1',
            startTls: false,
            bindDnTemplate: 'uid={username},ou=people,dc=example,dc=org',
            usernameAttribute: 'uid',
            emailAttribute: 'mail',
            nameAttribute: 'cn',
            groupAllowList: [],
            groupSource: 'memberOf',
          },
        ],
        provisioning: true,
        defaultRole: 'MEMBER',
        groupMappings: [],
        passwordSignIn: true,
      }),
    };
    [app, browser] = await Promise.all([startDashboard({}, { ssoSettings: sso }), launchBrowser()]);
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
    // A button per OIDC provider (keeping where to come back to); LDAP directories are a choice for the password.
    const okta = page.getByRole('link', { name: 'Sign in with Okta' });
    expect(await okta.getAttribute('href')).toBe('/auth/oidc/login?provider=okta&redirect=%2F');
    await page.getByRole('combobox', { name: 'Directory' }).click();
    await page.getByRole('option', { name: 'Corporate directory' }).waitFor();
    await page.keyboard.press('Escape');
    expect(await page.content()).not.toContain('never-shown');
    expect(await checkScreen(page, 'sign-in')).toEqual([]);
    await signInWithPassword(page, app.url, ADMIN.username, ADMIN.password);
    await page.waitForURL(`${app.url}/orgs/acme`);

    // Several organizations: the switcher in the left navigation moves between their dashboards.
    const sdk = new RosterClient({ url: app.url });
    await sdk.logIn({ login: ADMIN.username, password: ADMIN.password });
    await sdk.createOrganization({ name: 'globex', displayName: 'Globex' });
    await page.reload();
    await page.getByRole('button', { name: /Organization: acme/ }).click();
    await page.getByRole('menuitem', { name: /Globex/ }).click();
    await page.waitForURL(`${app.url}/orgs/globex`);
    await page.getByRole('heading', { name: 'Globex' }).waitFor();
    // The app remembers it: / opens the last organization.
    await page.goto(app.url);
    await page.waitForURL(`${app.url}/orgs/globex`);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('a session that is no longer valid leads to sign-in, back to the page asked for', async () => {
    const { page, problems, context } = await openPage(browser, app.url, { token: 'no-longer-a-session' });
    await page.goto(`${app.url}/orgs/acme`);
    await page.waitForURL(`${app.url}/login?next=%2Forgs%2Facme`);
    await page.getByLabel('Email or username').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${app.url}/orgs/acme`);
    // The refused credential's 401 is the browser's own console line; nothing else.
    expect(problems.filter((p) => !/status of 401/.test(p))).toEqual([]);
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
