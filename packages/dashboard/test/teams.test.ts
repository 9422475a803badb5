import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { RosterClient } from '@roster/sdk';
import {
  CHROMIUM_AVAILABLE,
  addPerson,
  bootstrapAdmin,
  checkScreen,
  isGreyed,
  eventually,
  launchBrowser,
  openPage,
  startDashboard,
  type Dashboard,
  type OpenedPage,
} from './harness';

/** Chooses an option of one of the dashboard's (Radix) selects. */
async function choose(page: Page, combobox: string, option: string | RegExp): Promise<void> {
  await page.getByRole('combobox', { name: combobox }).click();
  await page.getByRole('option', { name: option }).click();
}

describe.runIf(CHROMIUM_AVAILABLE)('teams: create, home, Settings tab (Chromium, real server, fresh database)', () => {
  let app: Dashboard;
  let browser: Browser;
  let admin: RosterClient;
  let ui: OpenedPage;
  let graceToken: string;
  let vicToken: string;

  beforeAll(async () => {
    [app, browser] = await Promise.all([startDashboard(), launchBrowser()]);
    const boot = await bootstrapAdmin(app.url);
    admin = boot.client;
    [graceToken, vicToken] = await Promise.all([
      addPerson(app.url, admin, 'grace', 'MEMBER').then((p) => p.token),
      addPerson(app.url, admin, 'vic', 'VIEWER').then((p) => p.token),
    ]);
    ui = await openPage(browser, app.url, { token: boot.token });
    ui.page.setDefaultTimeout(10_000);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('"Create new team" in the navigation: name, a bucket as storage type; lands on the new team\'s home', async () => {
    const { page } = ui;
    await page.goto(`${app.url}/orgs/acme`);
    await page
      .getByRole('navigation', { name: 'Organization' })
      .getByRole('link', { name: /Create new team/ })
      .click();
    await page.waitForURL(`${app.url}/orgs/acme/teams/new`);
    await page.getByLabel('Team name').fill('vision');
    await page.getByLabel('Your own bucket').check();
    await choose(page, 'Provider', 'Google Cloud Storage');
    await page.getByLabel('Bucket', { exact: true }).fill('acme-vision');
    await page.getByLabel('Region (optional)').fill('europe-west1');
    expect(await checkScreen(page, 'team-create')).toEqual([]);
    // The server's own message for a bad name.
    await page.getByLabel('Team name').fill('Vision!');
    await page.getByRole('button', { name: 'Create team' }).click();
    await page.getByTestId('error-message').waitFor();
    await page.getByLabel('Team name').fill('vision');
    await page.getByRole('button', { name: 'Create team' }).click();
    await page.waitForURL(`${app.url}/orgs/acme/teams/vision`);
    await page.getByRole('heading', { level: 1, name: 'vision' }).waitFor();
    await page.getByText('GCP bucket acme-vision').waitFor();
    // The new team is in the navigation's Teams list.
    await page.getByRole('navigation', { name: 'Organization' }).getByRole('link', { name: 'vision' }).waitFor();
    const team = await admin.team({ organization: 'acme', team: 'vision' });
    expect(team.storage).toMatchObject({ kind: 'BUCKET', provider: 'GCP', bucket: 'acme-vision' });

    // Projects, runs and reports, as the API exposes them.
    await admin.createProject({ organization: 'acme', team: 'vision', name: 'detector' });
    await admin.logRun({ organization: 'acme', team: 'vision', project: 'detector', name: 'baseline' });
    await admin.createReport({ organization: 'acme', team: 'vision', project: 'detector', title: 'Weekly results' });
    await page.reload();
    await page.getByRole('button', { name: 'detector' }).click();
    await page.getByRole('table', { name: 'Runs of detector' }).getByText('baseline').waitFor();
    await page.getByRole('table', { name: 'Reports' }).getByText('Weekly results').waitFor();
    expect(await checkScreen(page, 'team-home')).toEqual([]);
    expect(ui.problems).toEqual([]);
  });

  it('Create new team by keyboard alone (radio arrows, the provider menu, Enter)', async () => {
    const { page } = ui;
    await page.goto(`${app.url}/orgs/acme/teams/new`);
    await page.getByLabel('Team name').focus();
    await page.keyboard.type('keys');
    await page.keyboard.press('Tab'); // Managed storage
    await page.keyboard.press('ArrowDown'); // Your own bucket
    await page.keyboard.press('Tab'); // Provider
    await page.keyboard.press('Enter');
    await page.getByRole('option', { name: 'Amazon S3' }).waitFor();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab'); // Bucket
    await page.keyboard.type('acme-keys');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${app.url}/orgs/acme/teams/keys`);
    const team = await admin.team({ organization: 'acme', team: 'keys' });
    expect(team.storage).toMatchObject({ kind: 'BUCKET', provider: 'GCP', bucket: 'acme-keys' });
  });

  it('Settings → Members: find by username, Invite, change role, Delete; runs stay', async () => {
    const { page } = ui;
    await page.goto(`${app.url}/orgs/acme/teams/vision`);
    await page.getByRole('navigation', { name: 'Team' }).getByRole('link', { name: 'Settings' }).click();
    await page.waitForURL(`${app.url}/orgs/acme/teams/vision/settings`);
    await page.getByRole('table', { name: 'Team members' }).getByText('ada', { exact: true }).waitFor();
    await page.getByLabel('Email or username').fill('grace');
    await page.getByRole('list', { name: 'Matching members' }).getByText('@grace').waitFor();
    expect(await checkScreen(page, 'team-settings-members')).toEqual([]);
    await page.getByRole('button', { name: 'Invite grace' }).click();
    const row = page.getByTestId('team-member-grace');
    await row.waitFor();
    await page.getByTestId('team-status').filter({ hasText: 'grace was added to vision as Member' }).waitFor();

    await choose(page, 'Team role of grace', 'Admin');
    await page.getByTestId('team-status').filter({ hasText: 'grace is now Admin' }).waitFor();
    const members = await admin.teamMembers({ organization: 'acme', team: 'vision' });
    expect(members.nodes.find((m) => m.user.username === 'grace')?.role).toBe('ADMIN');

    await row.getByRole('button', { name: 'Delete grace from the team' }).click();
    await page.getByRole('alertdialog').getByText('Runs and reports they logged stay').waitFor();
    await page.getByRole('button', { name: 'Delete from team' }).click();
    await row.waitFor({ state: 'detached' });
    const after = await admin.teamMembers({ organization: 'acme', team: 'vision' });
    expect(after.nodes.map((m) => m.user.username)).toEqual(['ada']);
    expect(ui.problems).toEqual([]);
  });

  it('Settings → Members: invite with a custom role in one call (addTeamMember with customRole)', async () => {
    const { page } = ui;
    await admin.createCustomRole({ organization: 'acme', name: 'runner', inheritsFrom: 'MEMBER', permissions: [] });
    await page.goto(`${app.url}/orgs/acme/teams/vision/settings`);
    await page.getByRole('table', { name: 'Team members' }).getByText('ada', { exact: true }).waitFor();
    const operations: string[] = [];
    const onRequest = (r: { method(): string; postData(): string | null }) => {
      const op = /\b(?:mutation|query)\s+(\w+)/.exec(r.postData() ?? '')?.[1];
      if (r.method() === 'POST' && op) operations.push(op);
    };
    page.on('request', onRequest);
    await page.getByRole('combobox', { name: 'Team role', exact: true }).click();
    await page.getByRole('option', { name: /runner/ }).click();
    await page.getByLabel('Email or username').fill('grace');
    await page.getByRole('button', { name: 'Invite grace' }).click();
    await page.getByTestId('team-status').filter({ hasText: 'grace was added to vision as runner' }).waitFor();
    await page.getByTestId('team-member-grace').getByText('runner').waitFor();
    page.off('request', onRequest);
    const mutations = operations.filter((o) => /^(AddTeamMember|UpdateTeamMemberRole)$/.test(o));
    expect(mutations).toEqual(['AddTeamMember']);
    const members = await admin.teamMembers({ organization: 'acme', team: 'vision' });
    expect(members.nodes.find((m) => m.user.username === 'grace')).toMatchObject({
      role: 'MEMBER',
      customRole: 'runner',
    });
    expect(await checkScreen(page, 'team-settings-members-custom-role')).toEqual([]);
    await admin.removeTeamMember({ organization: 'acme', team: 'vision', user: 'grace' });
    await admin.deleteCustomRole({ id: (await admin.customRoles({ organization: 'acme' })).nodes[0]?.id ?? '' });
    expect(ui.problems).toEqual([]);
  });

  it('Settings → service accounts (key shown once, revoke), avatar, privacy, alerts, usage, delete', async () => {
    const { page } = ui;
    const settings = page.getByRole('navigation', { name: 'Team settings' });
    await settings.getByRole('link', { name: 'Service accounts' }).click();
    await page.getByRole('button', { name: 'New service account' }).click();
    await page.getByLabel('Name', { exact: true }).fill('ci-bot');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('region', { name: 'Service account ci-bot' }).waitFor();
    await page.getByRole('button', { name: 'New key' }).click();
    await page.getByLabel('Key name').fill('github');
    await page.getByRole('button', { name: 'Create key' }).click();
    expect(await page.getByTestId('service-account-secret').textContent()).toMatch(/^rsk_/);
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('button', { name: 'Revoke key github' }).waitFor();
    expect(await checkScreen(page, 'team-settings-service-accounts')).toEqual([]);
    await page.getByRole('button', { name: 'Revoke key github' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Revoke key' }).click();
    await page.getByRole('button', { name: 'Revoke key github' }).waitFor({ state: 'detached' });

    await settings.getByRole('link', { name: 'Avatar, privacy and alerts' }).click();
    await page.getByLabel('Hidden team').check();
    await page.getByLabel('Members may invite').check();
    await page.getByLabel('Run crashed: Slack').check();
    await page.getByRole('button', { name: 'Save settings' }).click();
    // Slack alerts need a channel: the server says so.
    await page.getByTestId('error-message').waitFor();
    await page.getByLabel(/Slack channel/).fill('#vision-alerts');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved.').waitFor();
    const team = await admin.team({ organization: 'acme', team: 'vision' });
    expect(team.settings).toMatchObject({ hidden: true, membersCanInvite: true });
    expect(team.settings.alerts.runCrashed).toContain('SLACK');
    expect(team.settings.alerts.slackChannel).toBe('#vision-alerts');
    expect(await checkScreen(page, 'team-settings-general')).toEqual([]);

    await settings.getByRole('link', { name: 'Usage' }).click();
    await page.getByText('Runs in the last 30 days').waitFor();
    expect(await checkScreen(page, 'team-settings-usage')).toEqual([]);

    await admin.createTeam({ organization: 'acme', name: 'scratch' });
    await page.goto(`${app.url}/orgs/acme/teams/scratch/settings/delete`);
    expect(await isGreyed(page, 'Delete team')).toBe(true);
    await page.getByLabel(/Type the team name/).fill('scratch');
    expect(await checkScreen(page, 'team-settings-delete')).toEqual([]);
    await page.getByRole('button', { name: 'Delete team' }).click();
    await page.waitForURL(`${app.url}/orgs/acme`);

    // Phone width, dark: the team's home and its Settings tab.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(`${app.url}/orgs/acme/teams/vision`);
    await page.getByRole('table', { name: 'Projects' }).waitFor();
    expect(await checkScreen(page, 'team-home-phone-dark')).toEqual([]);
    await page.goto(`${app.url}/orgs/acme/teams/vision/settings`);
    await page.getByTestId('team-member-ada').waitFor();
    expect(await checkScreen(page, 'team-settings-members-phone-dark')).toEqual([]);
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.emulateMedia({ colorScheme: 'light' });
    await eventually(async () => {
      const teams = await admin.teams({ organization: 'acme' });
      return teams.nodes.some((t) => t.name === 'scratch') ? undefined : true;
    });
    expect(ui.problems).toEqual([]);
  });

  it('greys out from permissions: an org Member in a team, a Viewer on Create new team (phone, dark)', async () => {
    await admin.addTeamMember({ organization: 'acme', team: 'vision', user: 'grace', role: 'MEMBER' });
    await admin.updateTeam({ organization: 'acme', team: 'vision', settings: { membersCanInvite: false } });
    // A membership the identity provider manages (SSO group sync) is shown as such and not editable.
    const sql = (managed: boolean) =>
      app.server.server.db.orm.em
        .getConnection()
        .execute(
          `update team_memberships set managed_by_idp = ${managed} where user_id = ` +
            `(select id from users where username = 'grace')`,
        );
    await sql(true);
    await ui.page.goto(`${app.url}/orgs/acme/teams/vision/settings`);
    const graceRow = ui.page.getByTestId('team-member-grace');
    await graceRow.getByText('Managed by SSO').waitFor();
    expect(await graceRow.getByRole('combobox').count()).toBe(0);
    expect(await isGreyed(ui.page, 'Delete grace from the team')).toBe(true);
    await sql(false);
    const grace = await openPage(browser, app.url, { token: graceToken });
    await grace.page.goto(`${app.url}/orgs/acme/teams/vision/settings`);
    await grace.page.getByTestId('team-member-ada').waitFor();
    expect(await isGreyed(grace.page, 'Invite')).toBe(true);
    expect(await isGreyed(grace.page, 'Delete ada from the team')).toBe(true);
    // Leave team is theirs to take.
    expect(await isGreyed(grace.page, 'Leave team')).toBe(false);
    expect(await checkScreen(grace.page, 'team-settings-member-view')).toEqual([]);
    await grace.page.goto(`${app.url}/orgs/acme/teams/vision/settings/general`);
    expect(await isGreyed(grace.page, 'Save settings')).toBe(true);
    await grace.page.goto(`${app.url}/orgs/acme/teams/vision/settings/service-accounts`);
    expect(await isGreyed(grace.page, 'New service account')).toBe(true);
    await grace.page.goto(`${app.url}/orgs/acme/teams/vision/settings`);
    await grace.page.getByRole('button', { name: 'Leave team' }).click();
    await grace.page.getByRole('alertdialog').getByRole('button', { name: 'Leave team' }).click();
    await grace.page.waitForURL(`${app.url}/orgs/acme`);
    expect(grace.problems).toEqual([]);
    await grace.context.close();

    const vic = await openPage(browser, app.url, {
      token: vicToken,
      viewport: { width: 390, height: 844 },
      colorScheme: 'dark',
    });
    await vic.page.goto(`${app.url}/orgs/acme/teams/new`);
    await vic.page.getByTestId('create-team-denied').waitFor();
    expect(await isGreyed(vic.page, 'Create team')).toBe(true);
    expect(await checkScreen(vic.page, 'team-create-viewer-phone-dark')).toEqual([]);
    expect(vic.problems).toEqual([]);
    await vic.context.close();
  });
});
