/**
 * Users active over time (issue 13, items 2 and 6; docs/USAGE.md): zero-filled series of distinct users per bucket,
 * totals, the bucket bound, who may ask; the instance-wide usage for instance admins.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, codeOf, gql, instanceWithAdmin, type Actor, type InstanceWithAdmin } from './fixtures';
import { OrgRole } from '../src/authz/roles';

const SERIES =
  'query($r: ActivityRange!, $g: ActivityGranularity!) { organization(name: "acme") { activeUsers(range: $r, ' +
  'granularity: $g) { range granularity timeZone from to series { start activeUsers } activeUsers newMembers } } }';
const INSTANCE =
  'query($r: ActivityRange!, $g: ActivityGranularity!) { instance { usage { organizationCount activeUsersLast30Days ' +
  'activeUsers(range: $r, granularity: $g) { series { start activeUsers } activeUsers } } } organizations(first: ' +
  '10) { nodes { name usage { members seatsUsed seatLimit activeUsersLast30Days } } } }';

const today = () => new Date().toISOString().slice(0, 10);
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

describe('users active over time', () => {
  let ctx: InstanceWithAdmin;
  let member: Actor;
  let otherAdmin: Actor;
  const exec = (sql: string, params: unknown[] = []) =>
    ctx.t.server.db.orm.em.fork().getConnection().execute(sql, params);
  const series = async (r: string, g: string, token = ctx.admin.token) => {
    const res = await gql(ctx.url, SERIES, { r, g }, token);
    if (res.errors) return { code: codeOf(res), data: res.data };
    return res.data!.organization.activeUsers;
  };

  beforeAll(async () => {
    ctx = await instanceWithAdmin();
    member = await addMember(ctx.t, ctx.org, 'mia');
    await gql(
      ctx.url,
      'mutation { createOrganization(input: { name: "other", displayName: "Other" }) { organization { id } } }',
      {},
      ctx.admin.token,
    );
    otherAdmin = await addMember(ctx.t, null, 'oscar');
    await exec(
      `insert into org_memberships (id, organization_id, user_id, role, status, created_at, updated_at)
       select gen_random_uuid(), id, ?, 'ADMIN', 'ACTIVE', now(), now() from organizations where name = 'other'`,
      [otherAdmin.user.id],
    );
    await ctx.t.server.activity.flush();
  });
  afterAll(() => ctx?.t.close());

  it('is zero-filled, one point per bucket, and counts a user once per bucket', async () => {
    const past = await addMember(ctx.t, ctx.org, 'pat');
    // Active on 20 days ending 40 days ago (set-based, oldest first, like a backfill): once per month and week.
    await exec(
      `insert into daily_activity (user_id, organization_id, day)
       select ?, ?, current_date - g from generate_series(59, 40, -1) g order by 3`,
      [past.user.id, ctx.org.id],
    );
    const days = await series('LAST_90_DAYS', 'DAY');
    expect(days.series).toHaveLength(90);
    expect(days.from).toBe(daysAgo(89));
    expect(days.to).toBe(today());
    expect(days.series[0].start).toBe(daysAgo(89));
    expect(days.series.filter((p: { activeUsers: number }) => p.activeUsers === 0).length).toBeGreaterThan(60);
    expect(days.series.find((p: { start: string }) => p.start === daysAgo(45)).activeUsers).toBe(1);
    const months = await series('LAST_12_MONTHS', 'MONTH');
    expect(months.series).toHaveLength(12);
    const total = (pts: Array<{ activeUsers: number }>) => pts.reduce((n, p) => n + p.activeUsers, 0);
    // pat's 20 days fall in one or two months: at most 2 (and admin and mia this month).
    expect(months.series.every((p: { activeUsers: number }) => p.activeUsers <= 3)).toBe(true);
    expect(total(months.series)).toBeLessThanOrEqual(5);
    const weeks = await series('LAST_90_DAYS', 'WEEK');
    const start = weeks.series[0].start;
    expect(new Date(`${start}T00:00:00Z`).getUTCDay()).toBe(1);
    // 20 consecutive days touch 3 or 4 ISO weeks: once each.
    const patWeeks = weeks.series.filter((p: { start: string }) => p.start >= daysAgo(66) && p.start <= daysAgo(40));
    expect(total(patWeeks)).toBeGreaterThanOrEqual(3);
    expect(total(patWeeks)).toBeLessThanOrEqual(4);
    // Distinct users over the range, not a sum of buckets.
    expect(days.activeUsers).toBeLessThan(total(days.series));
  });

  it('changes when a new user becomes active today', async () => {
    const before = await series('LAST_7_DAYS', 'DAY');
    expect(before.series).toHaveLength(7);
    const newcomer = await addMember(ctx.t, ctx.org, 'nina');
    await gql(ctx.url, '{ viewer { user { username } } }', {}, newcomer.token);
    await ctx.t.server.activity.flush();
    const after = await series('LAST_7_DAYS', 'DAY');
    expect(after.series.at(-1).activeUsers).toBe(before.series.at(-1).activeUsers + 1);
    expect(after.activeUsers).toBe(before.activeUsers + 1);
    expect(after.newMembers).toBe(before.newMembers + 1);
    // The same request again does not count twice.
    await gql(ctx.url, '{ viewer { user { username } } }', {}, newcomer.token);
    await ctx.t.server.activity.flush();
    expect((await series('LAST_7_DAYS', 'DAY')).series.at(-1).activeUsers).toBe(after.series.at(-1).activeUsers);
  });

  it('refuses DAY over a history longer than the bucket bound', async () => {
    const old = await addMember(ctx.t, ctx.org, 'olde');
    await exec('insert into daily_activity (user_id, organization_id, day) values (?, ?, current_date - 900)', [
      old.user.id,
      ctx.org.id,
    ]);
    expect((await series('ALL_TIME', 'DAY')).code).toBe('TOO_MANY_BUCKETS');
    const all = await series('ALL_TIME', 'MONTH');
    expect(all.from).toBe(daysAgo(900));
    expect(all.series.length).toBeGreaterThanOrEqual(29);
    expect(all.series[0].activeUsers).toBe(1);
  });

  it('is for org admins: members are refused, other organizations invisible', async () => {
    expect((await series('LAST_30_DAYS', 'DAY', member.token)).code).toBe('FORBIDDEN');
    const res = await gql(ctx.url, SERIES, { r: 'LAST_7_DAYS', g: 'DAY' }, otherAdmin.token);
    expect(res.data?.organization ?? null).toBeNull();
    const bad = await gql(ctx.url, SERIES, { r: 'FOREVER', g: 'DAY' }, ctx.admin.token);
    expect(bad.errors).toBeDefined();
  });

  it('is not reachable from another organization through nested paths', async () => {
    // mia is in both organizations; oscar administers "other" only.
    await exec(
      `insert into org_memberships (id, organization_id, user_id, role, status, created_at, updated_at)
       select gen_random_uuid(), id, ?, 'MEMBER', 'ACTIVE', now(), now() from organizations where name = 'other'`,
      [member.user.id],
    );
    const res = await gql(
      ctx.url,
      '{ organization(name: "other") { members(first: 50) { nodes { username activity { daysActive } user { ' +
        'memberships { nodes { organization { name activeUsers { activeUsers } usage { members } } } } } } } } }',
      {},
      otherAdmin.token,
    );
    const nodes = res.data!.organization.members.nodes as Array<{
      username: string;
      user: { memberships: { nodes: Array<{ organization: { name: string } | null }> } | null } | null;
    }>;
    const mia = nodes.find((n) => n.username === 'mia')!;
    const reached = (mia.user?.memberships?.nodes ?? []).map((m) => m.organization?.name);
    expect(reached).not.toContain('acme');
    expect(JSON.stringify(res.data)).not.toContain('"acme"');
  });

  it('instance usage: organizations with seats and activity, and the instance series (instance admins)', async () => {
    const res = await gql(ctx.url, INSTANCE, { r: 'LAST_30_DAYS', g: 'WEEK' }, ctx.admin.token);
    expect(res.errors).toBeUndefined();
    const usage = res.data!.instance.usage;
    expect(usage.organizationCount).toBe(2);
    expect(usage.activeUsersLast30Days).toBeGreaterThanOrEqual(3);
    const acme = res.data!.organizations.nodes.find((o: { name: string }) => o.name === 'acme');
    expect(acme.usage).toMatchObject({ seatLimit: null });
    expect(acme.usage.members).toBeGreaterThanOrEqual(5);
    expect(acme.usage.activeUsersLast30Days).toBeGreaterThanOrEqual(3);
    expect(usage.activeUsers.series.length).toBeGreaterThanOrEqual(5);
    for (const who of [member, otherAdmin]) {
      const denied = await gql(ctx.url, INSTANCE, { r: 'LAST_30_DAYS', g: 'WEEK' }, who.token);
      expect(codeOf(denied)).toBe('FORBIDDEN');
      expect(denied.data?.instance?.usage ?? null).toBeNull();
    }
    const seats = await gql(
      ctx.url,
      '{ organization(name: "acme") { usage { members } } }',
      {},
      (await addMember(ctx.t, ctx.org, 'vic', OrgRole.VIEWER)).token,
    );
    expect(codeOf(seats)).toBe('FORBIDDEN');
  });
});
