import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ADMIN_PASSWORD, instanceWithAdmin, inviteByLink, type InstanceWithAdmin } from './fixtures';
import { CHROMIUM_AVAILABLE, CHROMIUM_LAUNCH } from '../src/testing';
import type { SsoSettings } from '../src/modules/sso/sso-settings';

/** Console errors and page errors, which is where the browser reports Content-Security-Policy violations. */
function collectProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  return problems;
}

// Skipped on a machine without Chromium, except in CI (.ci/run sets REQUIRE_CHROMIUM), where it must run.
describe.runIf(CHROMIUM_AVAILABLE)('HTML pages under their Content-Security-Policy, in Chromium', () => {
  let ctx: InstanceWithAdmin;
  let browser: Browser;
  beforeAll(async () => {
    // Providers are only listed by the sign-in page: nothing contacts these issuers.
    const sso: SsoSettings = {
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
    };
    ctx = await instanceWithAdmin({ NODE_ENV: 'production' }, { ssoSettings: { current: async () => sso } });
    browser = await chromium.launch(CHROMIUM_LAUNCH);
  });
  afterAll(async () => {
    await browser?.close();
    await ctx?.t.close();
  });

  it('GraphiQL renders offline, runs a query, and explains that introspection is off', async () => {
    const page = await browser.newPage();
    const problems = collectProblems(page);
    const external: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(ctx.url) && !r.url().startsWith('data:')) external.push(r.url());
    });
    await page.goto(`${ctx.url}/graphql`);
    await page.locator('.graphiql-container').waitFor({ timeout: 15_000 });
    await expect(page.locator('#roster-notice').textContent()).resolves.toContain('GRAPHQL_INTROSPECTION=true');
    // Run the default query with the toolbar's execute button; the result pane shows the instance's version.
    await page.locator('.graphiql-execute-button').click();
    await page.locator('.result-window').filter({ hasText: '"version"' }).waitFor({ timeout: 15_000 });
    // Introspection is refused (a validation error shown in the console by GraphiQL is expected); nothing else.
    const unexpected = problems.filter((p) => !/introspection|__schema|GraphQL|schema/i.test(p));
    expect(unexpected).toEqual([]);
    expect(problems.some((p) => /Content Security Policy|Content-Security-Policy/i.test(p))).toBe(false);
    expect(external).toEqual([]);
    await page.close();
  });

  it('the sign-in page shows a button per OIDC provider and signs in with a password, CSP intact', async () => {
    const page = await browser.newPage();
    const problems = collectProblems(page);
    await page.goto(`${ctx.url}/sign-in?redirect=/graphql`);
    const button = page.locator('a.sso[data-provider="okta"]');
    await button.waitFor({ timeout: 15_000 });
    expect(await button.textContent()).toBe('Sign in with Okta');
    expect(await button.getAttribute('href')).toBe('/auth/oidc/login?provider=okta&redirect=%2Fgraphql');
    // LDAP providers are a choice for the password form, not a button.
    expect(await page.locator('#provider option').allTextContents()).toEqual([
      'Any (password, then each directory)',
      'Corporate directory',
    ]);
    expect(await page.content()).not.toContain('never-shown');
    await page.locator('#provider').selectOption('');
    await page.locator('#login').fill('admin');
    await page.locator('#password').fill(ADMIN_PASSWORD);
    await page.locator('button[type=submit]').click();
    await page.waitForURL(`${ctx.url}/graphql`, { timeout: 15_000 });
    const cookies = await page.context().cookies();
    expect(cookies.some((c) => c.name === 'roster_session' && c.httpOnly)).toBe(true);
    // The LDAP provider is unreachable on purpose; the local password comes first, so it is never asked.
    expect(problems.filter((p) => !/introspection|__schema|GraphQL|schema/i.test(p))).toEqual([]);
    await page.close();
  });

  it(
    'the invitation page shows the invitation without CSP ' + 'violations and keeps the token out of the Referer',
    async () => {
      const invite = await inviteByLink(ctx.url, ctx.admin.token, 'acme', 'guest@example.com');
      const page = await browser.newPage();
      const problems = collectProblems(page);
      const referers: string[] = [];
      page.on('request', (r) => {
        const referer = r.headers().referer;
        if (referer) referers.push(referer);
      });
      await page.goto(`${ctx.url}/invite?token=${invite.token}`);
      await page.locator('#summary').filter({ hasText: 'guest@example.com' }).waitFor({ timeout: 15_000 });
      expect(await page.locator('#form').isVisible()).toBe(true);
      expect(problems).toEqual([]);
      // The page's own request to /graphql carries no Referer, so the token in its URL goes nowhere.
      expect(referers).toEqual([]);
      await page.close();
    },
  );
});
