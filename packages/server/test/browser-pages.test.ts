import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { instanceWithAdmin, inviteByLink, type InstanceWithAdmin } from './fixtures';
import { CHROMIUM_AVAILABLE, CHROMIUM_LAUNCH } from '../src/testing';

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
    ctx = await instanceWithAdmin({ NODE_ENV: 'production' });
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
