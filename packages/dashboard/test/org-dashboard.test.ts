import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { RosterClient } from '@roster/sdk';
// The server's own SMTP test fixture: a real SMTP server in this process.
import { FROM, freePort, startSmtp, type FakeSmtp } from '../../server/test/smtp-fixture';
import {
  ADMIN,
  CHROMIUM_AVAILABLE,
  addPerson,
  bootstrapAdmin,
  checkScreen,
  DIST,
  eventually,
  launchBrowser,
  openPage,
  screenshot,
  axeViolations,
  startDashboard,
  type Dashboard,
  type OpenedPage,
} from './harness';

async function openDashboard(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/orgs/acme`);
  await page.getByTestId('members-table').waitFor();
  await page
    .getByTestId('members-count')
    .filter({ hasText: /\d+ members?/ })
    .waitFor();
}

function row(page: Page, text: string) {
  return page.getByTestId('members-table').locator('tbody tr').filter({ hasText: text });
}

// Skipped on a machine without Chromium, except in CI (.ci/run sets REQUIRE_CHROMIUM), where it must run.
describe.runIf(CHROMIUM_AVAILABLE)('the organization dashboard (Chromium, real server, fresh database)', () => {
  let app: Dashboard;
  let smtp: FakeSmtp;
  let browser: Browser;
  let admin: RosterClient;
  let adminToken: string;
  let ui: OpenedPage;

  beforeAll(async () => {
    const smtpPort = await freePort();
    smtp = await startSmtp(smtpPort);
    const port = await freePort();
    [app, browser] = await Promise.all([
      startDashboard({
        PORT: String(port),
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
        SMTP_FROM: FROM,
      }),
      launchBrowser(),
    ]);
    ({ client: admin, token: adminToken } = await bootstrapAdmin(app.url));
    ui = await openPage(browser, app.url, { token: adminToken });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await smtp?.close();
  });

  it(
    'invites with Add user (Member preselected); the email link opens the accept screen; ' +
      'the new member lands on the dashboard',
    async () => {
      const { page } = ui;
      await openDashboard(page, app.url);
      expect(await checkScreen(page, 'org-dashboard')).toEqual([]);
      await page.getByRole('button', { name: 'Add user' }).click();
      const dialog = page.getByTestId('add-user-dialog');
      await dialog.waitFor();
      expect(await dialog.getByRole('combobox', { name: 'Role' }).textContent()).toContain('Member');
      await dialog.getByLabel('Email', { exact: true }).fill('grace@example.com');
      expect(await checkScreen(page, 'add-user')).toEqual([]);
      await dialog.getByRole('button', { name: 'Add new user' }).click();
      await dialog.getByText('Invitation created for').waitFor();
      await dialog.getByRole('button', { name: 'Done' }).click();
      await row(page, 'grace@example.com').filter({ hasText: 'Pending invitation' }).waitFor();

      const message = await eventually(() => smtp.messages.find((m) => m.rcptTo.includes('grace@example.com')));
      const link = /(http:\/\/127\.0\.0\.1:\d+\/invite\?token=[A-Za-z0-9_%-]+)/.exec(message.text)?.[1];
      expect(link).toBeDefined();

      const grace = await openPage(browser, app.url);
      await grace.page.goto(link ?? '');
      await grace.page.getByTestId('invitation-summary').filter({ hasText: 'grace@example.com' }).waitFor();
      expect(await checkScreen(grace.page, 'accept-invitation')).toEqual([]);
      await grace.page.getByLabel('Full name').fill('Grace Hopper');
      await grace.page.getByLabel('Username').fill('grace');
      await grace.page.getByLabel('Choose a password').fill('grace-password-1');
      await grace.page.getByRole('button', { name: 'Accept invitation' }).click();
      await grace.page.waitForURL(`${app.url}/orgs/acme`);
      await grace.page.getByTestId('members-table').waitFor();
      expect(grace.problems).toEqual([]);
      await grace.context.close();

      await openDashboard(page, app.url);
      await row(page, 'Grace Hopper').filter({ hasText: 'Active' }).waitFor();
      expect(ui.problems).toEqual([]);
    },
  );

  it("shows the server's own message when an action fails (inviting someone already a member)", async () => {
    const { page } = ui;
    const expected = await admin
      .inviteUser({ organization: 'acme', email: 'grace@example.com', sendEmail: false })
      .then(
        () => null,
        (e: Error) => e.message,
      );
    expect(expected).toBeTruthy();
    await page.getByRole('button', { name: 'Add user' }).click();
    const dialog = page.getByTestId('add-user-dialog');
    await dialog.getByLabel('Email', { exact: true }).fill('grace@example.com');
    await dialog.getByRole('button', { name: 'Add new user' }).click();
    await dialog
      .getByTestId('error-message')
      .filter({ hasText: expected ?? '' })
      .waitFor();
    expect(await dialog.getByTestId('error').textContent()).toMatch(/CONFLICT|request/);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(ui.problems).toEqual([]);
  });

  it('changes a role with the pencil in the Role column', async () => {
    const { page } = ui;
    const grace = row(page, 'Grace Hopper');
    await grace.hover();
    await grace.getByRole('button', { name: 'Change role of Grace Hopper' }).click();
    await page.getByRole('menuitemradio', { name: 'Viewer' }).click();
    await grace.getByTestId('role').filter({ hasText: 'Viewer' }).waitFor();
    await page.getByTestId('feedback').filter({ hasText: 'Grace Hopper is now Viewer' }).waitFor();
    const members = await admin.members({ organization: 'acme', search: 'grace' });
    expect(members.nodes.map((m) => m.role)).toEqual(['VIEWER']);
    expect(ui.problems).toEqual([]);
  });

  it("shows the Last active tooltip and today's activity in the Users active over time plot", async () => {
    const { page } = ui;
    await page.reload();
    await page.getByTestId('members-table').waitFor();
    const ada = row(page, ADMIN.name);
    await ada.getByRole('button', { name: /just now|minute/ }).hover();
    const summary = page.getByTestId('activity-summary').first();
    await summary.waitFor();
    expect(await summary.textContent()).toContain('Days active');
    expect(await checkScreen(page, 'last-active-tooltip')).toEqual([]);

    await page.getByTestId('active-users-chart').locator('canvas').first().waitFor();
    // Ada and Grace were both active today.
    await page.getByTestId('active-users-latest').filter({ hasText: '2' }).waitFor();
    await page.getByRole('combobox', { name: 'Period' }).click();
    await page.getByRole('option', { name: 'Last 12 months' }).click();
    await page.getByTestId('active-users-summary').filter({ hasText: 'this month' }).waitFor();
    expect(await page.getByTestId('active-users-latest').textContent()).toBe('2');
    expect(ui.problems).toEqual([]);
  });

  it('exports the members as CSV from the menu beside Add user', async () => {
    const { page } = ui;
    await page.getByRole('button', { name: 'More member actions' }).click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('menuitem', { name: 'Export as CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('acme-members.csv');
    const file = await download.path();
    const csv = fs.readFileSync(file, 'utf8');
    const lines = csv.trim().split(/\r?\n/);
    expect(lines[0]).toContain('username,name,email,role,status');
    expect(lines).toHaveLength(3);
    expect(csv).toContain('grace@example.com');
    expect(csv).toContain(ADMIN.email);
    expect(ui.problems).toEqual([]);
  });

  it('greys out the seat-using roles in Add user when no seat is left', async () => {
    const { page } = ui;
    const seats = await admin.seats({ organization: 'acme' });
    await admin.updateOrganization({ organization: 'acme', seatLimit: seats.used });
    try {
      await openDashboard(page, app.url);
      await page
        .getByTestId('tile-seats')
        .filter({ hasText: `${seats.used} / ${seats.used}` })
        .waitFor();
      await page.getByRole('button', { name: 'Add user' }).click();
      const dialog = page.getByTestId('add-user-dialog');
      await dialog.getByTestId('seat-reason').filter({ hasText: 'No seats left' }).waitFor();
      const role = dialog.getByRole('combobox', { name: 'Role' });
      expect(await role.textContent()).toContain('Viewer');
      await role.click();
      for (const name of ['Admin', 'Member']) {
        expect(await page.getByRole('option', { name: new RegExp(`^${name}`) }).getAttribute('aria-disabled')).toBe(
          'true',
        );
      }
      expect(await page.getByRole('option', { name: /^Viewer/ }).getAttribute('aria-disabled')).toBeNull();
      expect(await checkScreen(page, 'add-user-no-seats')).toEqual([]);
      await page.keyboard.press('Escape');
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
    } finally {
      await admin.updateOrganization({ organization: 'acme', seatLimit: null });
    }
    expect(ui.problems).toEqual([]);
  });

  it('works from the keyboard: Add user, the role pencil and its menu', async () => {
    const { page } = ui;
    await openDashboard(page, app.url);
    await page.getByRole('button', { name: 'Add user' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByTestId('add-user-dialog');
    await dialog.waitFor();
    // Focus moves into the dialog (the email field first) and Escape closes it, back to the button.
    expect(await page.evaluate('document.activeElement.id')).toBe('invite-email');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Add user');
    await row(page, 'Grace Hopper').getByRole('button', { name: 'Change role of Grace Hopper' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('menuitemradio', { name: 'Viewer' }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('menu').waitFor({ state: 'detached' });
    expect(ui.problems).toEqual([]);
  });

  it('removes a member with the meatball menu, after a confirmation that says their runs stay', async () => {
    const { page } = ui;
    await openDashboard(page, app.url);
    await row(page, 'Grace Hopper').getByRole('button', { name: 'Actions for Grace Hopper' }).click();
    await page.getByRole('menuitem', { name: 'Remove user' }).click();
    const dialog = page.getByRole('alertdialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('Runs and reports they created stay');
    expect(await checkScreen(page, 'remove-user')).toEqual([]);
    await dialog.getByRole('button', { name: 'Remove user' }).click();
    await dialog.waitFor({ state: 'detached' });
    await row(page, 'Grace Hopper').waitFor({ state: 'detached' });
    const members = await admin.members({ organization: 'acme', search: 'grace' });
    expect(members.totalCount).toBe(0);
    expect(ui.problems).toEqual([]);
  });

  it('offers or greys out actions from viewerPermissions: an organization Member and a Viewer', async () => {
    for (const role of ['MEMBER', 'VIEWER'] as const) {
      const username = role === 'MEMBER' ? 'mia' : 'vic';
      const person = await addPerson(app.url, admin, username, role);
      const permissions = await person.client.organizationPermissions({ organization: 'acme' });
      expect(permissions).not.toContain('MEMBER_INVITE');
      expect(permissions).not.toContain('MEMBER_MANAGE');
      const { page, problems, context } = await openPage(browser, app.url, { token: person.token });
      await openDashboard(page, app.url);
      const add = page.getByRole('button', { name: 'Add user' });
      expect(await add.getAttribute('aria-disabled')).toBe('true');
      const pencils = page.getByRole('button', { name: /^Change role of / });
      expect(await pencils.count()).toBeGreaterThan(0);
      for (const p of await pencils.all()) expect(await p.getAttribute('aria-disabled')).toBe('true');
      for (const m of await page.getByRole('button', { name: /^Actions for / }).all()) {
        expect(await m.getAttribute('aria-disabled')).toBe('true');
      }
      // "Create new team" follows team:create.
      const create = page.getByRole('link', { name: /Create new team/ });
      expect(await create.count()).toBe(permissions.includes('TEAM_CREATE') ? 1 : 0);
      // The reason shows on hover.
      await add.hover();
      await page.getByRole('tooltip').filter({ hasText: 'cannot invite' }).first().waitFor();
      expect(await checkScreen(page, `org-dashboard-as-${role.toLowerCase()}`)).toEqual([]);
      expect(problems).toEqual([]);
      await context.close();
    }
  });

  it('deactivates and reactivates a member; resends and revokes an invitation (meatball menu)', async () => {
    const { page } = ui;
    await admin.inviteUser({ organization: 'acme', email: 'pat@example.com', role: 'VIEWER', sendEmail: false });
    await openDashboard(page, app.url);
    const mia = row(page, 'Mia');
    await mia.getByRole('button', { name: 'Actions for Mia' }).click();
    await page.getByRole('menuitem', { name: 'Deactivate user' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Deactivate' }).click();
    await mia.getByTestId('role').filter({ hasText: 'Deactivated' }).waitFor();
    expect((await admin.members({ organization: 'acme', search: 'mia' })).nodes[0]?.status).toBe('DEACTIVATED');
    await mia.getByRole('button', { name: 'Actions for Mia' }).click();
    await page.getByRole('menuitem', { name: 'Reactivate user' }).click();
    await page.getByTestId('feedback').filter({ hasText: 'Mia is active again.' }).waitFor();
    expect((await admin.members({ organization: 'acme', search: 'mia' })).nodes[0]?.status).toBe('ACTIVE');

    const pat = row(page, 'pat@example.com');
    await pat.getByRole('button', { name: 'Actions for pat@example.com' }).click();
    await page.getByRole('menuitem', { name: 'Resend invitation' }).click();
    await page.getByTestId('feedback').filter({ hasText: 'Invitation to pat@example.com sent again.' }).waitFor();
    await pat.getByRole('button', { name: 'Actions for pat@example.com' }).click();
    await page.getByRole('menuitem', { name: 'Revoke invitation' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Revoke invitation' }).click();
    await pat.waitFor({ state: 'detached' });
    const invitations = await admin.invitations({ organization: 'acme', statuses: ['REVOKED'] });
    expect(invitations.nodes.map((i) => i.email)).toContain('pat@example.com');
    expect(ui.problems).toEqual([]);
  });

  it('filters members by team and role; the left navigation lists the teams', async () => {
    const { page } = ui;
    await admin.createTeam({ organization: 'acme', name: 'vision' });
    await admin.addTeamMember({ organization: 'acme', team: 'vision', user: 'mia' });
    await openDashboard(page, app.url);
    await page.getByRole('navigation', { name: 'Organization' }).getByRole('link', { name: 'vision' }).waitFor();
    await page.getByRole('combobox', { name: 'Team' }).click();
    await page.getByRole('option', { name: 'vision' }).click();
    const count = page.getByTestId('members-count');
    await row(page, 'Mia').filter({ hasText: 'vision' }).waitFor();
    // The admin created the team, so is in it too; Vic is not.
    await count.filter({ hasText: /^2 members/ }).waitFor();
    expect(await row(page, 'Vic').count()).toBe(0);
    await page.getByRole('combobox', { name: 'Role' }).click();
    await page.getByRole('option', { name: 'Member' }).click();
    await count.filter({ hasText: /^1 member$/ }).waitFor();
    await page.getByLabel('Search members').fill('nobody-like-this');
    await count.filter({ hasText: /^0 members/ }).waitFor();
    await page.getByText('No members match.').waitFor();
    expect(ui.problems).toEqual([]);
  });

  it('accepts an invitation with an existing account (its password), into a second organization', async () => {
    await admin.createOrganization({ name: 'globex', displayName: 'Globex' });
    const { acceptUrl } = await admin.inviteUser({
      organization: 'globex',
      email: 'vic@example.com',
      sendEmail: false,
    });
    const vic = await openPage(browser, app.url);
    await vic.page.goto(`${app.url}${new URL(acceptUrl ?? '').pathname}${new URL(acceptUrl ?? '').search}`);
    await vic.page.getByTestId('invitation-summary').filter({ hasText: 'Globex' }).waitFor();
    await vic.page.getByLabel(/Password of your account/).fill('vic-password-1');
    await vic.page.getByRole('button', { name: 'Accept invitation' }).click();
    await vic.page.waitForURL(`${app.url}/orgs/globex`);
    await vic.page.getByRole('heading', { name: 'Globex' }).waitFor();
    // Both organizations are in the switcher now.
    await vic.page.getByRole('button', { name: /Organization: Globex/ }).click();
    await vic.page.getByRole('menuitem', { name: /acme/ }).click();
    await vic.page.waitForURL(`${app.url}/orgs/acme`);
    expect(vic.problems).toEqual([]);
    await vic.context.close();
  });

  it('creates an API key (shown once), lists it and revokes it', async () => {
    const { page } = ui;
    await openDashboard(page, app.url);
    await page.getByTestId('profile-menu').click();
    await page.getByRole('menuitem', { name: 'API keys' }).click();
    await page.waitForURL(`${app.url}/account/api-keys`);
    await page.getByRole('button', { name: 'Create API key' }).click();
    await page.getByLabel('Name').fill('laptop');
    await page.getByRole('dialog').getByRole('button', { name: 'Create' }).click();
    const secret = await page.getByTestId('api-key-secret').textContent();
    expect(secret).toMatch(/^rsk_/);
    await page.getByRole('button', { name: 'Done' }).click();
    const keyRow = page.getByRole('table', { name: 'API keys' }).locator('tbody tr').filter({ hasText: 'laptop' });
    await keyRow.waitFor();
    expect(await keyRow.textContent()).toContain(secret?.slice(-4));
    expect(await checkScreen(page, 'api-keys')).toEqual([]);
    // The key works until revoked.
    const viaKey = new RosterClient({ url: app.url, apiKey: secret ?? '' });
    expect((await viaKey.viewer())?.user?.username).toBe(ADMIN.username);
    await keyRow.getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Revoke key' }).click();
    await page.getByRole('alertdialog').waitFor({ state: 'detached' });
    await keyRow.waitFor({ state: 'detached' });
    const keys = await admin.apiKeys({ includeInactive: true });
    expect(keys.nodes.find((k) => k.name === 'laptop')?.status, JSON.stringify(keys.nodes)).toBe('REVOKED');
    expect(ui.problems).toEqual([]);
  });

  it('adds users in bulk from a pasted CSV, with progress and a result per row', async () => {
    const { page } = ui;
    await openDashboard(page, app.url);
    await page.getByRole('button', { name: 'More member actions' }).click();
    await page.getByRole('menuitem', { name: /Add users in bulk/ }).click();
    const dialog = page.getByRole('dialog');
    const csv = [
      'email,role',
      ...Array.from({ length: 300 }, (_, i) => `bulk${String(i).padStart(3, '0')}@example.com,VIEWER`),
      'not-an-email,VIEWER',
    ].join('\n');
    // Upload a file: its text lands in the field, ready to check before inviting.
    await page.setInputFiles('#bulk-file', {
      name: 'people.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('email\nupload1@example.com\nupload2@example.com\n'),
    });
    await dialog.getByText('2 rows ready.').waitFor();
    expect(await dialog.getByLabel('CSV').inputValue()).toContain('upload2@example.com');
    await dialog.getByLabel('CSV').fill(csv);
    await dialog.getByText('301 rows ready.').waitFor();
    await dialog.getByRole('button', { name: 'Invite 301' }).click();
    await dialog.getByTestId('bulk-summary').filter({ hasText: '300 invited, 1 failed.' }).waitFor({ timeout: 30_000 });
    expect(await dialog.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('301');
    const failed = dialog.getByTestId('bulk-results').locator('tbody tr').filter({ hasText: 'not-an-email' });
    expect(await failed.textContent()).toMatch(/email/i);
    expect(await checkScreen(page, 'bulk-add-results')).toEqual([]);
    await dialog.getByRole('button', { name: 'Done' }).click();
    expect(ui.problems).toEqual([]);
  });

  it('pages through members by cursor as the table scrolls, rendering only the rows in view', async () => {
    const { page } = ui;
    await openDashboard(page, app.url);
    await page
      .getByTestId('members-count')
      .filter({ hasText: /^30\d members/ })
      .waitFor();
    const total = Number((await page.getByTestId('members-count').textContent())?.match(/\d+/)?.[0]);
    const rendered = () => page.getByTestId('members-table').locator('tbody tr:not(.spacer-row)').count();
    expect(await rendered()).toBeLessThan(60);
    // Scroll to the end: further pages load (100 at a time) and the last member shows.
    for (let i = 0; i < 10; i++) {
      await page.getByTestId('members-scroll').evaluate((el) => el.scrollTo(0, el.scrollHeight));
      await page.waitForTimeout(150);
    }
    await page.getByTestId('members-table').locator('tbody tr').filter({ hasText: 'bulk299@example.com' }).waitFor();
    expect(await rendered()).toBeLessThan(60);
    expect(await page.getByTestId('members-table').getAttribute('aria-rowcount')).toBe(String(total + 1));
    // Sorting by name is the server's order: descending puts the bulk invitations (by email) first.
    await page.getByTestId('members-scroll').evaluate((el) => el.scrollTo(0, 0));
    await page.getByRole('button', { name: /^Name/ }).click();
    await page.getByRole('button', { name: /^Name/ }).click();
    await page.getByRole('columnheader', { name: /Name/ }).and(page.locator('[aria-sort="descending"]')).waitFor();
    const expected = await admin.members({
      organization: 'acme',
      first: 1,
      orderBy: { field: 'NAME', direction: 'DESC' },
    });
    const firstRow = page.getByTestId('members-table').locator('tbody tr:not(.spacer-row)').first();
    await firstRow.filter({ hasText: expected.nodes[0]?.name ?? expected.nodes[0]?.email ?? '?' }).waitFor();
    expect(ui.problems).toEqual([]);
  });

  it('loads the first screen with at most 200 KB of JavaScript, gzipped', async () => {
    const { page, problems, context } = await openPage(browser, app.url, { token: adminToken });
    const scripts = new Set<string>();
    page.on('response', (r) => {
      const p = new URL(r.url()).pathname;
      if (p.startsWith('/assets/') && p.endsWith('.js')) scripts.add(p);
    });
    await openDashboard(page, app.url);
    await page.getByTestId('active-users-chart').locator('canvas').first().waitFor();
    let gzipped = 0;
    for (const p of scripts) gzipped += zlib.gzipSync(fs.readFileSync(path.join(DIST, p))).length;
    expect(scripts.size).toBeGreaterThan(1);
    expect(gzipped).toBeLessThanOrEqual(200 * 1024);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('README screenshots: the organization dashboard, whole page', async () => {
    const { page, problems, context } = await openPage(browser, app.url, {
      token: adminToken,
      viewport: { width: 1280, height: 1100 },
    });
    await openDashboard(page, app.url);
    await page.getByTestId('active-users-chart').locator('canvas').first().waitFor();
    await page.waitForLoadState('networkidle');
    await screenshot(page, 'readme-dashboard');
    // The theme toggle: system, light, dark; the chart redraws in the dark palette.
    await page.getByRole('button', { name: /^Theme: system/ }).click();
    await page.getByRole('button', { name: /^Theme: light/ }).click();
    await page.getByRole('button', { name: /^Theme: dark/ }).waitFor();
    expect(await page.evaluate('document.documentElement.dataset.theme')).toBe('dark');
    await page.waitForTimeout(200);
    await screenshot(page, 'readme-dashboard-dark');
    expect(await axeViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('reads well in dark mode and at phone width', async () => {
    for (const [name, viewport, colorScheme] of [
      ['org-dashboard-dark', { width: 1280, height: 860 }, 'dark'],
      ['org-dashboard-phone', { width: 390, height: 844 }, 'light'],
    ] as const) {
      const { page, problems, context } = await openPage(browser, app.url, {
        token: adminToken,
        viewport,
        colorScheme,
      });
      await openDashboard(page, app.url);
      expect(await checkScreen(page, name)).toEqual([]);
      if (viewport.width < 500) {
        // The navigation is a drawer behind the menu button.
        await page.getByRole('button', { name: 'Navigation' }).click();
        await page.getByRole('link', { name: 'Organization dashboard' }).waitFor();
        expect(await checkScreen(page, `${name}-navigation`)).toEqual([]);
      }
      // Nothing wider than the screen but the members table's own scroller.
      const overflow = await page.evaluate('document.documentElement.scrollWidth - window.innerWidth');
      expect(overflow).toBeLessThanOrEqual(0);
      expect(problems).toEqual([]);
      await context.close();
    }
  });
});
