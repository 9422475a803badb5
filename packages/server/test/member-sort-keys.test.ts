import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acceptAsNewUser,
  addMember,
  countStatements,
  gql,
  instanceWithAdmin,
  inviteByLink,
  type Actor,
  type InstanceWithAdmin,
} from './fixtures';
import { MemberStatus, OrgRole } from '../src/authz/roles';
import { ORG_ROLE_ORDER } from '../src/authz/permissions';

// The members view reads sort and search keys the database keeps on org_memberships (triggers of
// Migration20261129120000_MemberSortKeys) and per-status counts (Migration20261129121000_MemberCounts). These tests
// write users and memberships the ways the application and operators do (API, ORM, plain SQL) and check the view.

const Q =
  'query($first: Int, $after: String, $search: String, $statuses: [MemberStatus!], $orderBy: MemberOrder) { ' +
  'organization(name: "acme") { members(first: $first, after: $after, search: $search, statuses: $statuses, ' +
  'orderBy: $orderBy) { totalCount pageInfo { hasNextPage endCursor } nodes { name username email status } } } }';

interface MembersPage {
  organization: {
    members: {
      totalCount: number;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      nodes: Array<{ name: string | null; username: string | null; email: string | null; status: string }>;
    };
  };
}

async function members(
  ctx: InstanceWithAdmin,
  variables: Record<string, unknown>,
  token = ctx.admin.token,
): Promise<MembersPage['organization']['members']> {
  const res = await gql<MembersPage>(ctx.url, Q, { first: 100, ...variables }, token);
  if (!res.data) throw new Error(JSON.stringify(res.errors));
  return res.data.organization.members;
}

const who = (page: MembersPage['organization']['members']) => page.nodes.map((n) => n.username ?? n.email);

function sql<T = Record<string, unknown>>(ctx: InstanceWithAdmin, text: string, params: unknown[] = []): Promise<T[]> {
  return ctx.t.server.db.orm.em.fork().getConnection().execute(text, params);
}

describe('members view: sort keys kept in step with users and invitations', () => {
  let ctx: InstanceWithAdmin;
  beforeAll(async () => {
    ctx = await instanceWithAdmin();
    await addMember(ctx.t, ctx.org, 'anna', OrgRole.ADMIN);
    await addMember(ctx.t, ctx.org, 'bert', OrgRole.MEMBER);
    await addMember(ctx.t, ctx.org, 'cleo', OrgRole.VIEWER);
  });
  afterAll(() => ctx?.t.close());

  it('stores the role rank in ORG_ROLE_ORDER, the one order of roles', async () => {
    const rows = await sql<{ role: OrgRole; role_rank: number }>(
      ctx,
      'select distinct role, role_rank from org_memberships order by role_rank',
    );
    expect(rows.map((r) => r.role)).toEqual([...ORG_ROLE_ORDER]);
    for (const r of rows) expect(r.role_rank).toBe(ORG_ROLE_ORDER.indexOf(r.role) + 1);
  });

  it('re-sorts by name when a user is renamed, whoever writes the row', async () => {
    expect(who(await members(ctx, {}))).toEqual(['anna', 'bert', 'cleo', 'admin']);
    await sql(ctx, `update users set name = 'Zora' where username = 'anna'`);
    expect(who(await members(ctx, {}))).toEqual(['bert', 'cleo', 'admin', 'anna']);
    // A user without a name sorts by username, not as an empty key before everyone.
    await sql(ctx, `update users set name = '' where username = 'cleo'`);
    expect(who(await members(ctx, {}))).toEqual(['bert', 'cleo', 'admin', 'anna']);
    await sql(ctx, `update users set name = initcap(username) where username in ('anna', 'cleo')`);
    expect(who(await members(ctx, {}))).toEqual(['anna', 'bert', 'cleo', 'admin']);
  });

  it('follows activity, from the activity tracker as from SQL, for LAST_ACTIVE', async () => {
    const dora = await addMember(ctx.t, ctx.org, 'dora', OrgRole.MEMBER);
    const order = { field: 'LAST_ACTIVE', direction: 'DESC' };
    await sql(
      ctx,
      `update users set last_active_at = case username when 'anna' then now() - interval '1 hour' ` +
        `when 'cleo' then now() - interval '2 hours' else null end`,
    );
    expect(who(await members(ctx, { orderBy: order })).slice(0, 2)).toEqual(['anna', 'cleo']);
    // An authenticated request: the tracker writes last_active_at with its own set-based statement.
    await gql(ctx.url, '{ viewer { user { username } } }', {}, dora.token);
    await ctx.t.server.activity.flush();
    expect(who(await members(ctx, { orderBy: order })).slice(0, 3)).toEqual(['dora', 'anna', 'cleo']);
    // Never active sorts as oldest: last descending, first ascending.
    const ascending = who(await members(ctx, { orderBy: { field: 'LAST_ACTIVE' } }));
    expect(ascending.slice(-3)).toEqual(['cleo', 'anna', 'dora']);
  });

  it('turns a PENDING row into the user when the invitation is accepted', async () => {
    const invited = await inviteByLink(ctx.url, ctx.admin.token, 'acme', 'erik@example.com');
    const pending = await members(ctx, { search: 'erik@' });
    expect(pending.nodes).toEqual([{ name: null, username: null, email: 'erik@example.com', status: 'PENDING' }]);
    await acceptAsNewUser(ctx.url, invited.token, 'erik');
    // Now sorted and found by the user's name ("Person erik"), username and email.
    expect(who(await members(ctx, {})).at(-1)).toBe('erik');
    for (const search of ['person e', 'erik', 'erik@example'])
      expect((await members(ctx, { search })).nodes, search).toEqual([
        { name: 'Person erik', username: 'erik', email: 'erik@example.com', status: 'ACTIVE' },
      ]);
  });

  it('follows a changed email, and drops removed and deleted users from the page and the count', async () => {
    await sql(ctx, `update users set email = 'cleo.new@example.com' where username = 'cleo'`);
    expect(who(await members(ctx, { search: 'cleo.new' }))).toEqual(['cleo']);
    expect(who(await members(ctx, { search: 'cleo@example' }))).toEqual([]);

    const before = (await members(ctx, {})).totalCount;
    const removed = await gql(
      ctx.url,
      'mutation { removeMember(input: { organization: "acme", user: "bert" }) { removedMemberId } }',
      {},
      ctx.admin.token,
    );
    expect(removed.errors).toBeUndefined();
    await sql(ctx, `delete from users where username = 'dora'`);
    const after = await members(ctx, {});
    expect(who(after)).not.toContain('bert');
    expect(who(after)).not.toContain('dora');
    expect(after.totalCount).toBe(before - 2);
    expect(after.nodes).toHaveLength(after.totalCount);
  });
});

describe('members view: totalCount', () => {
  let ctx: InstanceWithAdmin;
  let member: Actor;
  beforeAll(async () => {
    ctx = await instanceWithAdmin();
    member = await addMember(ctx.t, ctx.org, 'mona', OrgRole.MEMBER);
    await addMember(ctx.t, ctx.org, 'nils', OrgRole.VIEWER, MemberStatus.DEACTIVATED);
    await inviteByLink(ctx.url, ctx.admin.token, 'acme', 'olga@example.com');
  });
  afterAll(() => ctx?.t.close());

  const counts = async () =>
    sql<{ organization_id: string; status: string; kept: number; actual: number }>(
      ctx,
      `select coalesce(c.organization_id, m.organization_id) as organization_id, coalesce(c.status, m.status) as status,
         coalesce(c.n, 0) as kept, coalesce(m.n, 0)::int as actual
       from org_member_counts c
       full join (select organization_id, status, count(*) as n from org_memberships group by 1, 2) m
         on m.organization_id = c.organization_id and m.status = c.status`,
    );

  it('matches the rows of every status it is filtered by, for admins and for others', async () => {
    for (const statuses of [null, ['ACTIVE'], ['PENDING'], ['DEACTIVATED'], ['PENDING', 'DEACTIVATED']]) {
      const page = await members(ctx, { statuses });
      expect(page.totalCount, JSON.stringify(statuses)).toBe(page.nodes.length);
    }
    const asMember = await members(ctx, {}, member.token);
    expect(asMember.totalCount).toBe(2);
    expect(asMember.nodes).toHaveLength(2);
  });

  it('keeps the per-status counts exact through invitations, status changes, removals and deletions', async () => {
    const accept = await inviteByLink(ctx.url, ctx.admin.token, 'acme', 'pia@example.com');
    const revoke = await inviteByLink(ctx.url, ctx.admin.token, 'acme', 'quin@example.com');
    await acceptAsNewUser(ctx.url, accept.token, 'pia');
    const revoked = await gql(
      ctx.url,
      'mutation($i: RevokeInvitationInput!) { revokeInvitation(input: $i) { invitation { status } } }',
      { i: { id: revoke.id } },
      ctx.admin.token,
    );
    expect(revoked.errors).toBeUndefined();
    for (const mutation of ['deactivateMember', 'reactivateMember', 'deactivateMember', 'removeMember'])
      expect(
        (
          await gql(
            ctx.url,
            `mutation { ${mutation}(input: { organization: "acme", user: "pia" }) { __typename } }`,
            {},
            ctx.admin.token,
          )
        ).errors,
        mutation,
      ).toBeUndefined();
    // Set-based SQL too: a status change of several rows, and an organization deleted with its memberships.
    await sql(ctx, `update org_memberships set status = 'ACTIVE' where status = 'DEACTIVATED'`);
    const other = await gql<{ createOrganization: { organization: { id: string } } }>(
      ctx.url,
      'mutation { createOrganization(input: { name: "other" }) { organization { id } } }',
      {},
      ctx.admin.token,
    );
    const otherId = other.data!.createOrganization.organization.id;
    expect((await counts()).some((c) => c.organization_id === otherId)).toBe(true);
    for (const c of await counts()) expect(c.kept, `${c.organization_id} ${c.status}`).toBe(c.actual);
    await sql(ctx, 'delete from organizations where id = ?', [otherId]);
    for (const c of await counts()) expect(c.kept, `${c.organization_id} ${c.status}`).toBe(c.actual);
    const page = await members(ctx, {});
    expect(page.totalCount).toBe(page.nodes.length);
  });

  it('is counted only when selected: from the per-status counts in the page statement, else on its own', async () => {
    const without =
      'query($s: String) { organization(name: "acme") { members(first: 5, search: $s) { nodes { id } } } }';
    const withCount =
      'query($s: String) { organization(name: "acme") { members(first: 5, search: $s) { totalCount nodes { id } } } }';
    const twice =
      'query($s: String) { organization(name: "acme") { members(first: 5, search: $s) { a: totalCount b: totalCount ' +
      'nodes { id } } } }';
    for (const search of [null, 'mo']) {
      const reads = (s: string[]) => s.filter((q) => !/outbox_emails|daily_activity|last_active_at = /.test(q));
      const run = async (query: string) =>
        reads((await countStatements(ctx.t, () => gql(ctx.url, query, { s: search }, ctx.admin.token))).statements);
      const a = await run(without);
      const b = await run(withCount);
      expect(a.some((q) => /count\(|org_member_counts/.test(q))).toBe(false);
      const counting = b.filter((q) => /count\(|org_member_counts/.test(q));
      expect(counting).toHaveLength(1);
      if (search === null) {
        // By status alone: the per-status counts, as a subquery of the page.
        expect(b.length, JSON.stringify({ a, b })).toBe(a.length);
        expect(counting[0]).toMatch(/org_member_counts.* as "total_count"/);
      } else {
        // A search: the page's conditions counted in a statement of their own.
        expect(b.length, JSON.stringify({ a, b })).toBe(a.length + 1);
        expect(counting[0]).toMatch(/^select count\(\*\)/);
      }
      // Selected twice under aliases: counted once.
      expect(await run(twice)).toHaveLength(b.length);
    }
  });

  it('counts an empty page on its own: the page has no row to carry the count', async () => {
    const res = await gql<{ organization: { members: { totalCount: number; nodes: unknown[] } } }>(
      ctx.url,
      '{ organization(name: "acme") { members(first: 5, search: "no such member anywhere") { totalCount ' +
        'nodes { id } } } }',
      {},
      ctx.admin.token,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.organization.members).toEqual({ totalCount: 0, nodes: [] });
    const all = await gql<{ organization: { members: { totalCount: number } } }>(
      ctx.url,
      '{ organization(name: "acme") { members(first: 1) { totalCount } } }',
      {},
      ctx.admin.token,
    );
    const last = await gql<{ organization: { members: { totalCount: number; nodes: unknown[] } } }>(
      ctx.url,
      'query($after: String) { organization(name: "acme") { members(first: 1, after: $after) { totalCount ' +
        'nodes { id } } } }',
      {
        after: (
          await gql<{ organization: { members: { pageInfo: { endCursor: string } } } }>(
            ctx.url,
            `{ organization(name: "acme") { members(first: ${all.data!.organization.members.totalCount}) ` +
              '{ pageInfo { endCursor } } } }',
            {},
            ctx.admin.token,
          )
        ).data!.organization.members.pageInfo.endCursor,
      },
      ctx.admin.token,
    );
    // After the last row: an empty page, and still the whole view's count.
    expect(last.data!.organization.members).toEqual({
      totalCount: all.data!.organization.members.totalCount,
      nodes: [],
    });
  });
});

describe('members view: search', () => {
  let ctx: InstanceWithAdmin;
  let member: Actor;
  beforeAll(async () => {
    ctx = await instanceWithAdmin();
    member = await addMember(ctx.t, ctx.org, 'mira', OrgRole.MEMBER);
    for (const username of ['under_score', 'underxscore', 'back-slash', 'pct'])
      await addMember(ctx.t, ctx.org, username);
    await sql(ctx, `update users set name = 'Up 100% Club' where username = 'pct'`);
    await sql(ctx, `update users set name = 'Back\\Slash' where username = 'back-slash'`);
    await inviteByLink(ctx.url, ctx.admin.token, 'acme', 'zed_x@example.org');
  });
  afterAll(() => ctx?.t.close());

  it('matches name, username and, for those who see emails, email; case-insensitively', async () => {
    expect(who(await members(ctx, { search: 'UP 100' }))).toEqual(['pct']);
    expect(who(await members(ctx, { search: 'SCORE' }))).toEqual(['under_score', 'underxscore']);
    expect(who(await members(ctx, { search: 'example.org' }))).toEqual(['zed_x@example.org']);
    expect(who(await members(ctx, { search: 'mira@example.com' }))).toEqual(['mira']);
    // Without READ_MEMBER_EMAILS an address is no search key (it would reveal it), names still are.
    expect(who(await members(ctx, { search: 'mira@example.com' }, member.token))).toEqual([]);
    expect((await members(ctx, { search: 'example' }, member.token)).totalCount).toBe(0);
    expect(who(await members(ctx, { search: 'mira' }, member.token))).toEqual(['mira']);
  });

  it('takes LIKE wildcards and backslashes literally, and short terms too', async () => {
    expect(who(await members(ctx, { search: 'r_s' }))).toEqual(['under_score']);
    expect(who(await members(ctx, { search: '_' }))).toEqual(['under_score', 'zed_x@example.org']);
    expect(who(await members(ctx, { search: '%' }))).toEqual(['pct']);
    expect(who(await members(ctx, { search: '0%' }))).toEqual(['pct']);
    expect(who(await members(ctx, { search: '\\' }))).toEqual(['back-slash']);
    expect(who(await members(ctx, { search: 'k\\s' }))).toEqual(['back-slash']);
    expect(who(await members(ctx, { search: 'z' }))).toEqual(['zed_x@example.org']);
    expect(who(await members(ctx, { search: 'ct' }))).toEqual(['pct']);
    expect(who(await members(ctx, { search: 'zz' }))).toEqual([]);
  });

  it('pages a search with cursors', async () => {
    const all = who(await members(ctx, { search: 'e' }));
    expect(all.length).toBeGreaterThan(3);
    const paged: Array<string | null> = [];
    let after: string | null = null;
    for (;;) {
      const page = await members(ctx, { search: 'e', first: 2, after });
      paged.push(...who(page));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(paged).toEqual(all);
  });
});

describe('members view: cursors issued before the stored sort keys', () => {
  let ctx: InstanceWithAdmin;
  beforeAll(async () => {
    ctx = await instanceWithAdmin();
    for (const username of ['amy', 'ben', 'cal']) await addMember(ctx.t, ctx.org, username);
  });
  afterAll(() => ctx?.t.close());

  const cursor = (order: string, values: unknown[]) =>
    Buffer.from(JSON.stringify({ list: 'members', order, values })).toString('base64url');

  it('continues after a position of the old keys, and refuses malformed values with BAD_USER_INPUT', async () => {
    const zero = '00000000-0000-0000-0000-000000000000';
    // The old NAME key was lower(name): the same value the stored key holds for a named user.
    expect(who(await members(ctx, { after: cursor('NAME_ASC', ['amy', zero]) }))).toEqual([
      'amy',
      'ben',
      'cal',
      'admin',
    ]);
    // The old ROLE key was array_position over ORG_ROLE_ORDER: 1-based, as role_rank.
    expect(
      who(await members(ctx, { orderBy: { field: 'ROLE' }, after: cursor('ROLE_ASC', [1, 'zzz', zero]) })),
    ).toEqual(['amy', 'ben', 'cal']);
    const old = cursor('LAST_ACTIVE_ASC', ['1970-01-01T00:00:00.000000Z', zero]);
    expect((await members(ctx, { orderBy: { field: 'LAST_ACTIVE' }, after: old })).nodes).toHaveLength(4);
    // A rank past every role is a valid position (after the last row), not an error.
    expect(
      (await members(ctx, { orderBy: { field: 'ROLE' }, after: cursor('ROLE_ASC', [70000, '', zero]) })).nodes,
    ).toEqual([]);
    for (const values of [
      [1.5, 'a', zero],
      ['1', 'a', zero],
      [2 ** 31, 'a', zero],
    ]) {
      const res = await gql(
        ctx.url,
        Q,
        { orderBy: { field: 'ROLE' }, after: cursor('ROLE_ASC', values) },
        ctx.admin.token,
      );
      expect(res.errors?.[0]?.extensions?.code, JSON.stringify(values)).toBe('BAD_USER_INPUT');
    }
  });
});

describe('members view filtered by team: keys on team_memberships kept in step', () => {
  // Migration20261129145000_TeamMemberSortKeys: a team-filtered page reads, per team, an index range of
  // team_memberships; these tests check that what it shows is what the unfiltered view shows for the team's members.
  let ctx: InstanceWithAdmin;
  const ALL =
    'query($orderBy: MemberOrder, $statuses: [MemberStatus!]) { organization(name: "acme") { members(first: 100, ' +
    'orderBy: $orderBy, statuses: $statuses) { nodes { username email } } } }';
  const TEAM =
    'query($first: Int, $after: String, $teams: [String!], $orderBy: MemberOrder, $roles: [OrgRole!], ' +
    '$statuses: [MemberStatus!]) { organization(name: "acme") { members(first: $first, after: $after, ' +
    'teams: $teams, orderBy: $orderBy, roles: $roles, statuses: $statuses) { totalCount pageInfo { hasNextPage ' +
    'endCursor } nodes { username email } } } }';
  const inTeam = new Set<string>();
  const inOther = new Set<string>();

  async function paged(variables: Record<string, unknown>, token = ctx.admin.token): Promise<Array<string | null>> {
    const seen: Array<string | null> = [];
    let after: string | null = null;
    for (;;) {
      const res: { data?: MembersPage | null; errors?: unknown } = await gql<MembersPage>(
        ctx.url,
        TEAM,
        { first: 2, after, ...variables },
        token,
      );
      if (!res.data) throw new Error(JSON.stringify(res.errors));
      const m: MembersPage['organization']['members'] = res.data.organization.members;
      seen.push(...who(m));
      if (!m.pageInfo.hasNextPage) return seen;
      after = m.pageInfo.endCursor;
    }
  }

  async function expected(variables: Record<string, unknown>, members: Set<string>, token = ctx.admin.token) {
    const res = await gql<MembersPage>(ctx.url, ALL, variables, token);
    if (!res.data) throw new Error(JSON.stringify(res.errors));
    return who(res.data.organization.members).filter((u) => u && members.has(u));
  }

  beforeAll(async () => {
    ctx = await instanceWithAdmin();
    const roles = [OrgRole.ADMIN, OrgRole.MEMBER, OrgRole.VIEWER];
    for (const [i, name] of ['kai', 'lou', 'max', 'noa', 'oli', 'pia', 'quinn', 'rae', 'sam'].entries()) {
      await addMember(ctx.t, ctx.org, name, roles[i % 3]);
    }
    const made = await gql(
      ctx.url,
      'mutation { a: createTeam(input: { organization: "acme", name: "core" }) { team { id } } ' +
        'b: createTeam(input: { organization: "acme", name: "edge" }) { team { id } } }',
      {},
      ctx.admin.token,
    );
    expect(made.errors).toBeUndefined();
    // The creator joins each team as its admin.
    inTeam.add('admin');
    inOther.add('admin');
    // Through the API (the ORM writes the row) and through SQL (the bulk paths): the trigger fills the keys either way.
    for (const user of ['kai', 'max', 'oli', 'quinn', 'sam']) {
      const res = await gql(
        ctx.url,
        'mutation($i: AddTeamMemberInput!) { addTeamMember(input: $i) { member { role } } }',
        { i: { organization: 'acme', team: 'core', user } },
        ctx.admin.token,
      );
      expect(res.errors).toBeUndefined();
      inTeam.add(user);
    }
    await sql(
      ctx,
      `insert into team_memberships (id, team_id, user_id, role, created_at)
       select gen_random_uuid(), t.id, u.id, 'MEMBER', now() from teams t, users u
       where t.name = 'edge' and u.username in ('lou', 'max', 'pia')`,
    );
    for (const u of ['lou', 'max', 'pia']) inOther.add(u);
    // PENDING rows of a team: invitations that assign it (bounded like the members, under the same cursor).
    for (const email of ['aaa@new.test', 'mmm@new.test', 'zzz@new.test']) {
      const res = await gql(
        ctx.url,
        'mutation($i: InviteUserInput!) { inviteUser(input: $i) { invitation { id } } }',
        { i: { organization: 'acme', email, teams: [{ team: 'core' }] } },
        ctx.admin.token,
      );
      expect(res.errors).toBeUndefined();
      inTeam.add(email);
    }
  });
  afterAll(() => ctx?.t.close());

  it('pages a team, and two teams without repeats, in every order and direction like the unfiltered view', async () => {
    const both = new Set([...inTeam, ...inOther]);
    for (const field of ['NAME', 'LAST_ACTIVE', 'ROLE', 'ADDED_AT'])
      for (const direction of ['ASC', 'DESC']) {
        const orderBy = { field, direction };
        expect(await paged({ teams: ['core'], orderBy }), `${field} ${direction}`).toEqual(
          await expected({ orderBy }, inTeam),
        );
        expect(await paged({ teams: ['core', 'edge'], orderBy }), `${field} ${direction} two teams`).toEqual(
          await expected({ orderBy }, both),
        );
      }
  });

  it('follows renames, activity, role and status changes of the organization membership', async () => {
    await sql(ctx, `update users set name = 'Aaron' where username = 'sam'`);
    await sql(ctx, `update users set last_active_at = now() - interval '1 hour' where username = 'oli'`);
    const role = await gql(
      ctx.url,
      'mutation { updateMemberRole(input: { organization: "acme", user: "quinn", role: ADMIN }) { member { role } } }',
      {},
      ctx.admin.token,
    );
    expect(role.errors).toBeUndefined();
    const off = await gql(
      ctx.url,
      'mutation { deactivateMember(input: { organization: "acme", user: "max" }) { member { status } } }',
      {},
      ctx.admin.token,
    );
    expect(off.errors).toBeUndefined();
    for (const field of ['NAME', 'LAST_ACTIVE', 'ROLE'])
      for (const direction of ['ASC', 'DESC']) {
        const orderBy = { field, direction };
        expect(await paged({ teams: ['core'], orderBy }), `${field} ${direction}`).toEqual(
          await expected({ orderBy }, inTeam),
        );
      }
    // Renamed "Aaron", sam sorts first among the members, after the invited aaa@new.test.
    expect((await paged({ teams: ['core'] })).slice(0, 2)).toEqual(['aaa@new.test', 'sam']);
    expect(await paged({ teams: ['core'], roles: ['ADMIN'] })).toEqual(['admin', 'kai', 'quinn']);
    expect(await paged({ teams: ['core'], statuses: ['DEACTIVATED'] })).toEqual(['max']);
    // Others see active members only: the deactivated one is not in their pages of the team.
    const viewer = await addMember(ctx.t, ctx.org, 'tess', OrgRole.MEMBER);
    const seen = await paged({ teams: ['core', 'edge'] }, viewer.token);
    expect(seen).not.toContain('max');
    expect(seen).toEqual(await expected({}, new Set([...inTeam, ...inOther].filter((u) => u !== 'max')), viewer.token));
  });
});
