#!/usr/bin/env node
// Scrolls the members table of a large organization in Debian's Chromium and reports what a user would feel:
// time to the first rows, long tasks (main thread blocked > 50 ms) while scrolling through N pages, rows in the DOM,
// and how long a search takes to show its result. Usage (a server serving the dashboard, e.g. on the bench data):
//   node scripts/scroll-probe.mjs http://127.0.0.1:4100 admin bench-password-1 bench-100k [pages=20]
import { chromium } from 'playwright-core';

const [url, login, password, org, pagesArg] = process.argv.slice(2);
if (!url || !login || !password || !org) {
  console.error('usage: node scripts/scroll-probe.mjs <url> <login> <password> <organization> [pages]');
  process.exit(2);
}
const pages = Number(pagesArg ?? 20);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.addInitScript(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push(Math.round(e.duration));
    }).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(`${url}/login`);
  await page.getByLabel('Email or username').fill(login);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  const t0 = Date.now();
  await page.goto(`${url}/orgs/${encodeURIComponent(org)}`);
  await page
    .getByTestId('members-count')
    .filter({ hasText: /[\d,]+ members/ })
    .waitFor({ timeout: 60_000 });
  const firstRows = Date.now() - t0;
  const total = await page.getByTestId('members-count').textContent();
  await page.evaluate(() => {
    window.__longTasks = [];
  });
  const scroller = page.getByTestId('members-scroll');
  const rowSel = 'tbody tr:not(.spacer-row)';
  const t1 = Date.now();
  let maxRows = 0;
  for (let i = 0; i < pages; i++) {
    // One page of 100 rows at a time: scroll to the end of what is loaded and wait for the next page.
    const before = await page.getByTestId('members-table').getAttribute('data-loaded');
    await scroller.evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await page.waitForFunction(
      (b) => document.querySelector('[data-testid=members-table]')?.getAttribute('data-loaded') !== b,
      before,
      { timeout: 30_000 },
    );
    maxRows = Math.max(maxRows, await page.locator(`[data-testid=members-table] ${rowSel}`).count());
  }
  const scrollMs = Date.now() - t1;
  const loaded = await page.getByTestId('members-table').getAttribute('data-loaded');
  const longTasks = await page.evaluate(() => window.__longTasks);
  // Then as a person scrolls: 100 wheel steps of 300 px back up through the loaded rows, 16 ms apart.
  await page.evaluate(() => {
    window.__longTasks = [];
  });
  await scroller.hover();
  const t3 = Date.now();
  for (let i = 0; i < 100; i++) {
    await page.mouse.wheel(0, -300);
    await page.waitForTimeout(16);
  }
  const wheelMs = Date.now() - t3;
  const wheelLongTasks = await page.evaluate(() => window.__longTasks);
  const t2 = Date.now();
  await page.getByLabel('Search members').fill('zzz-no-such-member');
  await page
    .getByTestId('members-count')
    .filter({ hasText: /^0 members/ })
    .waitFor({ timeout: 30_000 });
  const searchMs = Date.now() - t2;
  console.log(
    JSON.stringify(
      {
        organization: org,
        total,
        firstRowsMs: firstRows,
        pagesScrolled: pages,
        rowsLoaded: Number(loaded),
        scrollMs,
        msPerPage: Math.round(scrollMs / pages),
        maxRowsInDom: maxRows,
        longTasks: { count: longTasks.length, maxMs: Math.max(0, ...longTasks) },
        wheel: { steps: 100, ms: wheelMs, longTasks: wheelLongTasks.length, maxMs: Math.max(0, ...wheelLongTasks) },
        searchToResultMs: searchMs,
        errors,
      },
      null,
      2,
    ),
  );
} finally {
  await browser.close();
}
