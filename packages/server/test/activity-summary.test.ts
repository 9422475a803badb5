/**
 * Activity summaries (issue 13, item 1; docs/USAGE.md): runs and reports created in the organization (attributed runs
 * logged by a service account included), days active in the organization's time zone, first and last activity; a page
 * of members with summaries costs a fixed number of statements; visible to org admins and to the member themselves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addMember,
  codeOf,
  countStatements,
  gql,
  instanceWithAdmin,
  type Actor,
  type InstanceWithAdmin,
} from './fixtures';

const SUMMARIES =
  'query($first: Int) { organization(name: "acme") { members(first: $first) { nodes { username activity { addedAt ' +
  'lastActiveAt firstActiveAt runsCreated reportsCreated daysActive } } } } }';

describe('activity summaries', () => {
  let ctx: InstanceWithAdmin;
  let tim: Actor;
  let vera: Actor;
  let outsider: Actor;
  const exec = (sql: string, params: unknown[] = []) =>
    ctx.t.server.db.orm.em.fork().getConnection().execute(sql, params);
  const must = async (query: string, variables: Record<string, unknown> = {}, token = ctx.admin.token) => {
    const res = await gql(ctx.url, query, variables, token);
    if (!res.data || res.errors) throw new Error(JSON.stringify(res.errors));
    return res.data;
  };
  const summaryOf = async (username: string, token = ctx.admin.token) => {
    const data = await must(SUMMARIES, { first: 100 }, token);
    return data.organization.members.nodes.find((n: { username: string }) => n.username === username)?.activity;
  };

  beforeAll(async () => {
    ctx = await instanceWithAdmin();
    tim = await addMember(ctx.t, ctx.org, 'tim');
    vera = await addMember(ctx.t, ctx.org, 'vera');
    await must(
      'mutation { createOrganization(input: { name: "other", displayName: "Other" }) { organization { id } } }',
    );
    outsider = await addMember(ctx.t, null, 'olaf');
    await must('mutation { createTeam(input: { organization: "acme", name: "ml" }) { team { name } } }');
    await must('mutation { createTeam(input: { organization: "other", name: "ml" }) { team { name } } }');
    for (const org of ['acme', 'other'])
      await must('mutation($i: AddTeamMemberInput!) { addTeamMember(input: $i) { member { role } } }', {
        i: { organization: org, team: 'ml', user: org === 'acme' ? 'tim' : 'admin', role: 'ADMIN' },
      }).catch(() => undefined);
    await must('mutation($i: CreateProjectInput!) { createProject(input: $i) { project { name } } }', {
      i: { organization: 'acme', team: 'ml', name: 'train' },
    });
  });
  afterAll(() => ctx?.t.close());

  it('counts runs and reports created in the organization, attributed runs included', async () => {
    const logRun = 'mutation { logRun(input: { organization: "acme", team: "ml", project: "train" }) { run { id } } }';
    const report =
      'mutation { createReport(input: { organization: "acme", team: "ml", title: "w" }) { report { id } } }';
    await must(logRun, {}, tim.token);
    await must(logRun, {}, tim.token);
    await must(report, {}, tim.token);
    // A service account logs a run for tim (X-Roster-Acting-User): it counts as tim's.
    const sa = await must(
      'mutation { createServiceAccount(input: { organization: "acme", team: "ml", name: "ci" }) { serviceAccount { ' +
        'id } } }',
    );
    const key = await must(
      'mutation($i: CreateServiceAccountKeyInput!) { createServiceAccountKey(input: $i) { secret } }',
      { i: { serviceAccount: sa.createServiceAccount.serviceAccount.id, name: 'ci' } },
    );
    const attributed = await gql(ctx.url, logRun, {}, key.createServiceAccountKey.secret, {
      'x-roster-acting-user': 'tim',
    });
    expect(attributed.errors).toBeUndefined();
    // Runs in another organization do not count here.
    await must('mutation($i: CreateProjectInput!) { createProject(input: $i) { project { name } } }', {
      i: { organization: 'other', team: 'ml', name: 'x' },
    });
    await must('mutation { logRun(input: { organization: "other", team: "ml", project: "x" }) { run { id } } }');
    await ctx.t.server.activity.flush();

    const summary = await summaryOf('tim');
    expect(summary).toMatchObject({ runsCreated: 3, reportsCreated: 1, daysActive: 1 });
    expect(Date.parse(summary.lastActiveAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(summary.firstActiveAt).not.toBeNull();
    const admin = await summaryOf('admin');
    expect(admin).toMatchObject({ runsCreated: 0, reportsCreated: 0 });
    expect(await summaryOf('vera')).toMatchObject({ runsCreated: 0, daysActive: 0, firstActiveAt: null });
  });

  it('counts active days from the daily rows, in the organization', async () => {
    const tracker = ctx.t.server.activity;
    tracker.touch(vera.user.id, new Date('2031-03-01T12:00:00Z'));
    tracker.touch(vera.user.id, new Date('2031-03-02T12:00:00Z'));
    tracker.touch(vera.user.id, new Date('2031-03-02T13:00:00Z'));
    tracker.touch(vera.user.id, new Date('2031-03-05T09:00:00Z'));
    await tracker.flush();
    const summary = await summaryOf('vera');
    expect(summary.daysActive).toBe(3);
    expect(summary.firstActiveAt).toBe('2031-03-01T00:00:00.000Z');
  });

  it('takes the day in the organization time zone', async () => {
    const zoned = await addMember(ctx.t, ctx.org, 'zed');
    const bad = await gql(
      ctx.url,
      'mutation { updateOrganization(input: { organization: "acme", settings: { timeZone: "Mars/Olympus" } }) { ' +
        'organization { name } } }',
      {},
      ctx.admin.token,
    );
    expect(codeOf(bad)).toBe('BAD_USER_INPUT');
    const set = await must(
      'mutation { updateOrganization(input: { organization: "acme", settings: { timeZone: "Asia/Tokyo" } }) { ' +
        'organization { settings { timeZone } } } }',
    );
    expect(set.updateOrganization.organization.settings.timeZone).toBe('Asia/Tokyo');
    const tracker = ctx.t.server.activity;
    // 23:30 UTC on the 1st is 08:30 on the 2nd in Tokyo; 14:00 UTC on the 2nd is 23:00 there: one Tokyo day.
    tracker.touch(zoned.user.id, new Date('2032-01-01T23:30:00Z'));
    tracker.touch(zoned.user.id, new Date('2032-01-02T14:00:00Z'));
    // 15:30 UTC on the 2nd is 00:30 on the 3rd in Tokyo: a new day although the UTC day did not change.
    tracker.touch(zoned.user.id, new Date('2032-01-02T15:30:00Z'));
    await tracker.flush();
    const days = (await exec('select day::text as day from daily_activity where user_id = ? order by day', [
      zoned.user.id,
    ])) as Array<{ day: string }>;
    expect(days.map((d) => d.day)).toEqual(['2032-01-02', '2032-01-03']);
    const summary = await summaryOf('zed');
    expect(summary.daysActive).toBe(2);
    expect(summary.firstActiveAt).toBe('2032-01-01T15:00:00.000Z');
    await must(
      'mutation { updateOrganization(input: { organization: "acme", settings: { timeZone: null } }) { ' +
        'organization { settings { timeZone } } } }',
    );
  });

  it('costs a fixed number of statements whatever the page size', async () => {
    for (let i = 0; i < 30; i++) await addMember(ctx.t, ctx.org, `bulk${i}`);
    const costOf = async (first: number) => {
      const { statements } = await countStatements(ctx.t, () => must(SUMMARIES, { first }));
      return statements.filter((s) => !/outbox/.test(s)).length;
    };
    const small = await costOf(5);
    const large = await costOf(35);
    expect(large).toBe(small);
  });

  it('shows summaries to admins and to the member themselves only', async () => {
    const data = await must(SUMMARIES, { first: 100 }, vera.token);
    const rows = data.organization.members.nodes as Array<{ username: string; activity: unknown }>;
    expect(rows.find((r) => r.username === 'vera')?.activity).not.toBeNull();
    expect(rows.find((r) => r.username === 'tim')?.activity).toBeNull();
    // Someone outside the organization reaches nothing.
    const res = await gql(ctx.url, SUMMARIES, { first: 10 }, outsider.token);
    expect(res.data?.organization ?? null).toBeNull();
  });
});
