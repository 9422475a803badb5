import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { RosterClient } from '@roster/sdk';
import {
  CHROMIUM_AVAILABLE,
  addPerson,
  bootstrapAdmin,
  checkScreen,
  isGreyed,
  launchBrowser,
  openPage,
  startDashboard,
  type Dashboard,
  type OpenedPage,
} from './harness';

describe.runIf(CHROMIUM_AVAILABLE)('custom roles, audit log, instance settings (Chromium, fresh database)', () => {
  let app: Dashboard;
  let browser: Browser;
  let admin: RosterClient;
  let ui: OpenedPage;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    [app, browser] = await Promise.all([startDashboard(), launchBrowser()]);
    const boot = await bootstrapAdmin(app.url);
    admin = boot.client;
    [tokens.grace, tokens.vic, tokens.olga] = await Promise.all([
      addPerson(app.url, admin, 'grace', 'MEMBER').then((p) => p.token),
      addPerson(app.url, admin, 'vic', 'VIEWER').then((p) => p.token),
      addPerson(app.url, admin, 'olga', 'ADMIN').then((p) => p.token),
    ]);
    await admin.createTeam({ organization: 'acme', name: 'vision' });
    ui = await openPage(browser, app.url, { token: boot.token });
    ui.page.setDefaultTimeout(10_000);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('custom role editor: built from the catalogue, requirements ticked as you tick; given in a team', async () => {
    const { page } = ui;
    await page.goto(`${app.url}/orgs/acme`);
    await page.getByRole('navigation', { name: 'Organization' }).getByRole('link', { name: 'Custom roles' }).click();
    await page.getByRole('button', { name: 'New custom role' }).click();
    const editor = page.getByTestId('role-editor');
    await editor.getByLabel('Name').fill('auditor');
    await editor.getByLabel(/View-Only/).check();
    // project:delete_own needs project:create, which View-Only lacks: ticking one ticks the other.
    await editor.getByLabel('project:delete_own', { exact: true }).check();
    expect(await editor.getByLabel('project:create', { exact: true }).isChecked()).toBe(true);
    await page.getByTestId('dependency-note').filter({ hasText: 'project:create' }).waitFor();
    // team:read comes with the base role: ticked and locked.
    expect(await editor.getByLabel('team:read', { exact: true }).isChecked()).toBe(true);
    expect(await editor.getByLabel('team:read', { exact: true }).isDisabled()).toBe(true);
    // Unticking what others need unticks them too.
    await editor.getByLabel('project:create', { exact: true }).uncheck();
    expect(await editor.getByLabel('project:delete_own', { exact: true }).isChecked()).toBe(false);
    await editor.getByLabel('project:delete_own', { exact: true }).check();
    await editor.getByLabel('report:create', { exact: true }).check();
    expect(await checkScreen(page, 'custom-roles-editor')).toEqual([]);
    await editor.getByRole('button', { name: 'Create role' }).click();
    await page.getByTestId('custom-role-auditor').waitFor();
    const roles = await admin.customRoles({ organization: 'acme' });
    expect(roles.nodes[0]).toMatchObject({ name: 'auditor', inheritsFrom: 'VIEW_ONLY' });
    expect([...(roles.nodes[0]?.permissions ?? [])].sort()).toEqual(
      ['PROJECT_CREATE', 'PROJECT_DELETE_OWN', 'REPORT_CREATE'].sort(),
    );
    expect(await checkScreen(page, 'custom-roles')).toEqual([]);

    // A duplicate name: the server's message.
    await page.getByRole('button', { name: 'New custom role' }).click();
    await editor.getByLabel('Name').fill('auditor');
    await editor.getByRole('button', { name: 'Create role' }).click();
    await editor.getByTestId('error-message').waitFor();
    await editor.getByRole('button', { name: 'Cancel' }).click();

    // Invite to a team with the custom role.
    await page.goto(`${app.url}/orgs/acme/teams/vision/settings`);
    await page.getByRole('combobox', { name: 'Team role', exact: true }).click();
    await page.getByRole('option', { name: /auditor/ }).click();
    await page.getByLabel('Email or username').fill('grace');
    await page.getByRole('button', { name: 'Invite grace' }).click();
    await page.getByTestId('team-member-grace').getByText('auditor').waitFor();
    const members = await admin.teamMembers({ organization: 'acme', team: 'vision' });
    expect(members.nodes.find((m) => m.user.username === 'grace')).toMatchObject({ customRole: 'auditor' });
    expect(ui.problems).toEqual([]);
  });

  it('audit log: the events, filters by action and actor, cursor pages (organization and instance)', async () => {
    const { page } = ui;
    await page.goto(`${app.url}/orgs/acme/audit-log`);
    const table = page.getByRole('table', { name: 'Audit events' });
    await table.getByText('custom role created').waitFor();
    await table.getByText('team member added').first().waitFor();
    expect(await checkScreen(page, 'audit-log')).toEqual([]);
    await page.getByLabel(/Actions/).selectOption(['CUSTOM_ROLE_CREATED']);
    await page.getByLabel(/Actor/).fill('ada');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page
      .getByTestId('audit-count')
      .filter({ hasText: /^1 events · page 1/ })
      .waitFor();
    expect(await table.locator('tbody tr').count()).toBe(1);
    // A time window in the future: nothing.
    await page.getByLabel('From').fill('2099-01-01T00:00');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await table.getByText('No events match.').waitFor();
    await page.getByRole('button', { name: 'Clear' }).click();
    // The filtered log as a file.
    await page.getByLabel(/Actions/).selectOption(['CUSTOM_ROLE_CREATED']);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download as JSON Lines' }).click(),
    ]);
    const lines = fs
      .readFileSync((await download.path()) ?? '', 'utf8')
      .trim()
      .split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { action: string }).action)).toEqual(['CUSTOM_ROLE_CREATED']);
    await page.getByRole('button', { name: 'Clear' }).click();

    // 55 personal keys: more than a page of the instance log.
    for (let i = 0; i < 55; i += 1) await admin.createApiKey({ name: `k${i}` });
    await page.getByRole('navigation', { name: 'Instance' }).getByRole('link', { name: 'Instance audit log' }).click();
    await page.getByRole('heading', { name: 'Instance audit log' }).waitFor();
    await page.getByLabel(/Actions/).selectOption(['API_KEY_CREATED']);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page
      .getByTestId('audit-count')
      .filter({ hasText: /^55 events · page 1/ })
      .waitFor();
    expect(await table.locator('tbody tr').count()).toBe(50);
    await page.getByRole('button', { name: 'Next page' }).click();
    await page
      .getByTestId('audit-count')
      .filter({ hasText: /page 2$/ })
      .waitFor();
    expect(await table.locator('tbody tr').count()).toBe(5);
    expect(await checkScreen(page, 'audit-log-instance')).toEqual([]);
    await page.getByRole('button', { name: 'Previous page' }).click();
    await page
      .getByTestId('audit-count')
      .filter({ hasText: /page 1$/ })
      .waitFor();
    expect(ui.problems).toEqual([]);
  });

  it('instance settings: the instance admin changes them; an organization admin does not see them', async () => {
    const { page } = ui;
    await page.getByRole('navigation', { name: 'Instance' }).getByRole('link', { name: 'Instance settings' }).click();
    await page.getByRole('heading', { name: 'Sign-in and provisioning' }).waitFor();
    await page.getByLabel(/Invitation lifetime/).fill('0');
    await page.getByRole('button', { name: 'Save sign-in settings' }).click();
    await page.getByTestId('error-message').waitFor();
    await page.getByLabel(/Invitation lifetime/).fill('14');
    await page.getByRole('button', { name: 'Save sign-in settings' }).click();
    await page.getByText('Saved.').first().waitFor();
    expect((await admin.instanceSettings()).invitationTtlDays).toBe(14);
    // Set here, then reset: the form shows the environment's value again, not its copy of the stored one.
    const provisioning = page.getByLabel(/SSO auto-provisioning/);
    const fromEnvironment = await provisioning.isChecked();
    await provisioning.setChecked(!fromEnvironment);
    await page.getByRole('button', { name: 'Save sign-in settings' }).click();
    await page.getByRole('button', { name: 'Reset sso provisioning' }).click();
    await page.getByRole('button', { name: 'Reset sso provisioning' }).waitFor({ state: 'detached' });
    expect((await admin.instanceSettings()).overridden).not.toContain('SSO_PROVISIONING');
    expect(await page.getByLabel(/SSO auto-provisioning/).isChecked()).toBe(fromEnvironment);
    await page.getByLabel('Seat limit of acme (empty: unlimited)').fill('10');
    await page.getByRole('button', { name: 'Save seat limit of acme' }).click();
    await page.getByRole('table', { name: 'Organizations and seats' }).getByText('Saved').waitFor();
    expect((await admin.organization({ organization: 'acme' })).seatLimit).toBe(10);
    expect(await checkScreen(page, 'instance-settings')).toEqual([]);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await checkScreen(page, 'instance-settings-phone-dark')).toEqual([]);
    await page.goto(`${app.url}/orgs/acme/audit-log`);
    await page.getByRole('table', { name: 'Audit events' }).waitFor();
    expect(await checkScreen(page, 'audit-log-phone-dark')).toEqual([]);
    await page.goto(`${app.url}/orgs/acme/roles`);
    await page.getByRole('button', { name: 'Edit auditor' }).click();
    const editor = page.getByTestId('role-editor');
    await editor.waitFor();
    expect(await checkScreen(page, 'custom-roles-editor-phone-dark')).toEqual([]);
    // Edit: one permission less; delete another role.
    await editor.getByLabel('report:create', { exact: true }).uncheck();
    await editor.getByRole('button', { name: 'Save role' }).click();
    await page.getByTestId('roles-status').filter({ hasText: 'auditor saved.' }).waitFor();
    const [auditor] = (await admin.customRoles({ organization: 'acme' })).nodes;
    expect([...(auditor?.permissions ?? [])].sort()).toEqual(['PROJECT_CREATE', 'PROJECT_DELETE_OWN']);
    await admin.createCustomRole({ organization: 'acme', name: 'temp', inheritsFrom: 'MEMBER', permissions: [] });
    await page.reload();
    await page.getByRole('button', { name: 'Delete temp' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Delete role' }).click();
    await page.getByTestId('custom-role-temp').waitFor({ state: 'detached' });
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.emulateMedia({ colorScheme: 'light' });
    expect(ui.problems).toEqual([]);

    const olga = await openPage(browser, app.url, { token: tokens.olga ?? '' });
    await olga.page.goto(`${app.url}/orgs/acme/audit-log`);
    await olga.page.getByRole('table', { name: 'Audit events' }).waitFor();
    expect(await olga.page.getByRole('navigation', { name: 'Instance' }).count()).toBe(0);
    await olga.page.goto(`${app.url}/admin/settings`);
    await olga.page.getByTestId('instance-settings-denied').waitFor();
    expect(olga.problems).toEqual([]);
    await olga.context.close();
  });

  it('instance settings: add an LDAP provider; set and remove a group mapping (errors with their field)', async () => {
    const { page } = ui;
    await page.goto(`${app.url}/admin/settings`);
    await page.getByRole('button', { name: 'Add LDAP provider' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add LDAP provider' });
    await dialog.getByLabel(/^Name \(/).fill('corp');
    await dialog.getByLabel('Label on the sign-in page').fill('Corp directory');
    await dialog.getByLabel(/^Server URL/).fill('ldap://ldap.example.com:389');
    // Neither direct bind nor search-then-bind: the server's message, with its field.
    await dialog.getByRole('button', { name: 'Add provider' }).click();
    await dialog.getByTestId('error-message').filter({ hasText: 'bindDnTemplate' }).waitFor();
    await dialog.getByTestId('error-field').filter({ hasText: 'bindDnTemplate' }).waitFor();
    await dialog.getByLabel(/^Direct bind DN template/).fill('uid={username},ou=people,dc=example,dc=com');
    await dialog.getByLabel('Groups from').selectOption('SEARCH');
    await dialog.getByLabel(/^Group search base/).fill('ou=groups,dc=example,dc=com');
    await dialog.getByLabel(/^Only these groups/).fill('eng, ops');
    expect(await checkScreen(page, 'instance-settings-add-ldap')).toEqual([]);
    await dialog.getByRole('button', { name: 'Add provider' }).click();
    await dialog.waitFor({ state: 'detached' });
    const providers = page.getByRole('table', { name: 'SSO providers' });
    await providers.getByRole('cell', { name: 'corp', exact: true }).waitFor();
    await providers.getByRole('cell', { name: 'ldap://ldap.example.com:389' }).waitFor();
    const ldap = (await admin.instanceSettings()).ssoProviders.find((p) => p.name === 'corp');
    expect(ldap).toMatchObject({ kind: 'LDAP', label: 'Corp directory', source: 'API' });
    expect(ldap?.ldap).toMatchObject({
      url: 'ldap://ldap.example.com:389',
      bindDnTemplate: 'uid={username},ou=people,dc=example,dc=com',
      groupSource: 'SEARCH',
      groupAllowList: ['eng', 'ops'],
    });

    const mappings = page.getByRole('form', { name: 'Group mappings' });
    await mappings.getByText('No group mappings.').waitFor();
    await mappings.getByRole('button', { name: 'Add mapping' }).click();
    await mappings.getByLabel('Group of mapping 1').fill('eng');
    await mappings.getByLabel('Organization of mapping 1').fill('acme');
    await mappings.getByLabel('Team of mapping 1').fill('nope');
    await mappings.getByLabel('Role of mapping 1').selectOption('ADMIN');
    await mappings.getByRole('button', { name: 'Save group mappings' }).click();
    await mappings.getByTestId('error-field').filter({ hasText: 'mappings.0.team' }).waitFor();
    await mappings.getByTestId('error-message').filter({ hasText: 'nope' }).waitFor();
    await mappings.getByLabel('Team of mapping 1').fill('vision');
    await mappings.getByRole('button', { name: 'Save group mappings' }).click();
    await mappings.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    expect((await admin.instanceSettings()).groupMappings).toEqual([
      { group: 'eng', organization: 'acme', team: 'vision', role: 'ADMIN' },
    ]);
    expect(await checkScreen(page, 'instance-settings-group-mappings')).toEqual([]);
    await mappings.getByRole('button', { name: 'Remove mapping 1' }).click();
    await mappings.getByText('No group mappings.').waitFor();
    await mappings.getByRole('button', { name: 'Save group mappings' }).click();
    await mappings.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    expect((await admin.instanceSettings()).groupMappings).toEqual([]);
    await admin.deleteSsoProvider({ name: 'corp' });
    expect(ui.problems).toEqual([]);
  });

  it('greys out from viewerPermissions: a Member and a Viewer on custom roles and the audit log', async () => {
    for (const [who, options] of [
      ['grace', {}],
      ['vic', { viewport: { width: 390, height: 844 }, colorScheme: 'dark' as const }],
    ] as const) {
      const p = await openPage(browser, app.url, { token: tokens[who] ?? '', ...options });
      await p.page.goto(`${app.url}/orgs/acme/roles`);
      await p.page.getByTestId('custom-role-auditor').waitFor();
      expect(await isGreyed(p.page, 'New custom role')).toBe(true);
      expect(await isGreyed(p.page, 'Edit auditor')).toBe(true);
      expect(await isGreyed(p.page, 'Delete auditor')).toBe(true);
      expect(await checkScreen(p.page, `custom-roles-${who}`)).toEqual([]);
      expect(await p.page.getByRole('link', { name: 'Audit log' }).count()).toBe(0);
      await p.page.goto(`${app.url}/orgs/acme/audit-log`);
      await p.page.getByText('Only organization admins may read the audit log.').waitFor();
      expect(await checkScreen(p.page, `audit-log-${who}`)).toEqual([]);
      expect(p.problems).toEqual([]);
      await p.context.close();
    }
  });
});
