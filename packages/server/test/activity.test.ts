import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instanceWithAdmin, addMember, gql, countStatements, type InstanceWithAdmin } from './fixtures';
import { OrgRole } from '../src/authz/roles';

describe('activity tracking', () => {
  let ctx: InstanceWithAdmin;
  beforeAll(async () => {
    ctx = await instanceWithAdmin();
  });
  afterAll(() => ctx?.t.close());

  it('records 1,000 authenticated requests by one user with at most a couple of writes', async () => {
    const user = await addMember(ctx.t, ctx.org, 'busy', OrgRole.MEMBER);
    const key = (await gql(ctx.url, 'mutation { createApiKey(input: { name: "load" }) { secret } }', {}, user.token))
      .data!.createApiKey.secret as string;
    const before = ctx.t.server.activity.writes;
    const { statements } = await countStatements(ctx.t, async () => {
      for (let batch = 0; batch < 100; batch++) {
        await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            gql(ctx.url, '{ viewer { user { username } } }', {}, i % 2 ? key : user.token),
          ),
        );
      }
      await ctx.t.server.activity.flush();
    });
    const activityWrites = ctx.t.server.activity.writes - before;
    // The createApiKey request above already marked this user active; a second write would only come from a new day.
    expect(activityWrites).toBeLessThanOrEqual(2);
    // Only this user's activity tables: the email sender may poll meanwhile.
    const writes = statements.filter(
      (s) => /^\s*(insert|update|delete|with)/i.test(s) && /users|daily_activity|api_keys|sessions/.test(s),
    );
    expect(writes.length).toBeLessThanOrEqual(2);

    const em = ctx.t.server.db.orm.em.fork();
    const [row] = await em.getConnection().execute('select last_active_at from users where id = ?', [user.user.id]);
    expect(row!.last_active_at).not.toBeNull();
    const days = await em
      .getConnection()
      .execute('select organization_id, day from daily_activity where user_id = ?', [user.user.id]);
    expect(days).toHaveLength(1);
    expect(days[0]!.organization_id).toBe(ctx.org.id);
  });

  it('shows lastActiveAt on the user', async () => {
    const res = await gql(ctx.url, '{ viewer { user { lastActiveAt } } }', {}, ctx.admin.token);
    await ctx.t.server.activity.flush();
    const again = await gql(ctx.url, '{ viewer { user { lastActiveAt } } }', {}, ctx.admin.token);
    expect(res.status).toBe(200);
    expect(Date.parse(again.data!.viewer.user.lastActiveAt)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('writes again once the interval has passed, and once per process only', async () => {
    const tracker = ctx.t.server.activity;
    const user = await addMember(ctx.t, ctx.org, 'later');
    const t0 = new Date('2030-01-01T10:00:00Z');
    const before = tracker.writes;
    tracker.touch(user.user.id, t0);
    tracker.touch(user.user.id, new Date(t0.getTime() + 60_000));
    tracker.touch(user.user.id, new Date(t0.getTime() + 301_000));
    tracker.touch(user.user.id, new Date('2030-01-02T00:00:01Z'));
    await tracker.flush();
    expect(tracker.writes - before).toBe(3);
    const days: Array<{ day: string }> = await ctx.t.server.db.orm.em
      .fork()
      .getConnection()
      .execute('select day::text as day from daily_activity where user_id = ? order by day', [user.user.id]);
    expect(days.map((d: { day: string }) => d.day)).toEqual(['2030-01-01', '2030-01-02']);
  });
});
