/**
 * Browser test harness of the dashboard (README.md, "Browser tests"): a real Roster server on a fresh database serving
 * the built app (dist/), Debian's Chromium driven by playwright-core, axe-core on each screen, console errors as
 * failures, screenshots in test/screenshots/ (git-ignored).
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import axe from 'axe-core';
import {
  CHROMIUM_AVAILABLE,
  CHROMIUM_LAUNCH,
  startTestServer,
  type TestServer,
  type TestServerOptions,
} from '@roster/server/testing';
import { RosterClient } from '@roster/sdk';

export { CHROMIUM_AVAILABLE };

/** The built app the server serves (the package's `test` script builds it first). */
export const DIST = path.resolve(import.meta.dirname, '..', 'dist');
/** Screenshots of every screen a test visits; the README's are copied to docs/screenshots/ by hand. */
export const SCREENSHOTS = path.resolve(import.meta.dirname, 'screenshots');

export const ADMIN = {
  email: 'ada@example.com',
  username: 'ada',
  name: 'Ada Lovelace',
  password: 'correct horse battery staple',
  organizationName: 'acme',
} as const;

export interface Dashboard {
  url: string;
  server: TestServer;
  close(): Promise<void>;
}

/** A server on a fresh database (DATABASE_URL's PostgreSQL, else PGlite) serving the built dashboard. */
export async function startDashboard(
  env: Record<string, string> = {},
  options: TestServerOptions = {},
): Promise<Dashboard> {
  if (!fs.existsSync(path.join(DIST, 'index.html'))) {
    throw new Error(`No dashboard build in ${DIST}: run \`pnpm --filter @roster/dashboard build\` first.`);
  }
  const server = await startTestServer({ DASHBOARD: 'true', DASHBOARD_DIR: DIST, ...env }, undefined, options);
  return { url: server.url, server, close: () => server.close() };
}

/** Signs up the instance admin through the SDK (the bootstrap); the client holds the admin's session. */
export async function bootstrapAdmin(url: string): Promise<{ client: RosterClient; token: string }> {
  const client = new RosterClient({ url });
  const res = await client.signUp({ ...ADMIN });
  return { client, token: res.token };
}

/** A session for someone else: logs in through the SDK and returns a client holding it. */
/** Invites by link (no email) and accepts as a new user of acme; returns that user's SDK client and session token. */
export async function addPerson(
  url: string,
  admin: RosterClient,
  username: string,
  role: 'ADMIN' | 'MEMBER' | 'VIEWER',
): Promise<{ client: RosterClient; token: string }> {
  const { acceptUrl } = await admin.inviteUser({
    organization: 'acme',
    email: `${username}@example.com`,
    role,
    sendEmail: false,
  });
  const client = new RosterClient({ url });
  const res = await client.acceptInvitation({
    token: new URL(acceptUrl ?? '').searchParams.get('token') ?? '',
    username,
    name: username[0]?.toUpperCase() + username.slice(1),
    password: `${username}-password-1`,
  });
  return { client, token: res.token ?? '' };
}

/** Whether the first button of that name is offered greyed out (aria-disabled, with its reason). */
export async function isGreyed(page: Page, name: string | RegExp): Promise<boolean> {
  const b = page.getByRole('button', { name }).first();
  await b.waitFor();
  return (await b.getAttribute('aria-disabled')) === 'true';
}

export async function logInClient(url: string, login: string, password: string): Promise<RosterClient> {
  const client = new RosterClient({ url });
  await client.logIn({ login, password });
  return client;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch(CHROMIUM_LAUNCH);
}

export interface OpenedPage {
  context: BrowserContext;
  page: Page;
  /** Console errors, uncaught exceptions and failed requests (CSP violations show up here). */
  problems: string[];
}

/**
 * A new browser context (own cookies) and page. `token`: start signed in with that session (the cookie the server
 * sets on logIn), without going through the sign-in screen.
 */
export async function openPage(
  browser: Browser,
  url: string,
  options: {
    token?: string;
    viewport?: { width: number; height: number };
    colorScheme?: 'light' | 'dark';
  } = {},
): Promise<OpenedPage> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1280, height: 860 },
    colorScheme: options.colorScheme ?? 'light',
    acceptDownloads: true,
  });
  if (options.token) {
    await context.addCookies([{ name: 'roster_session', value: options.token, url, httpOnly: true, sameSite: 'Lax' }]);
  }
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('requestfailed', (r) => {
    // A download read to its end and then released, or a navigation that replaced a pending request, is no fault.
    const failure = r.failure()?.errorText ?? '';
    if (!failure.includes('ERR_ABORTED')) problems.push(`request failed: ${r.url()} ${failure}`);
  });
  return { context, page, problems };
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * Runs axe-core on the page as it is and returns the serious and critical violations (tests expect none). axe is
 * evaluated through the DevTools protocol, which the page's CSP (no inline scripts) does not apply to.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  const loaded = await page.evaluate('typeof window.axe === "object"');
  if (!loaded) await page.evaluate(`${axe.source};undefined`);
  const result = (await page.evaluate(
    `window.axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
    })))`,
  )) as AxeViolation[];
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Writes test/screenshots/<name>.png (the whole page). */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}

/** Axe (no serious or critical violation) and a screenshot of one screen, in one call. */
export async function checkScreen(page: Page, name: string): Promise<AxeViolation[]> {
  // Let transitions and lazy chunks settle so the shot and the audit see the finished screen.
  await page.waitForLoadState('networkidle');
  await screenshot(page, name);
  return axeViolations(page);
}

/** Signs in through the dashboard's sign-in screen and waits to leave it. */
export async function signInWithPassword(page: Page, url: string, login: string, password: string): Promise<void> {
  await page.goto(`${url}/login`);
  await page.getByLabel('Email or username').fill(login);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

/** Polls `fn` until it returns something other than undefined (emails, background writes). */
export async function eventually<T>(fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}
