import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, gql, instanceWithAdmin, type Actor, type InstanceWithAdmin } from './fixtures';
import { OrgRole } from '../src/authz/roles';

// The members view's totalCount when filtered by team is counted from team_memberships (their copies of the
// organization membership's status and role) plus the PENDING rows invited to the teams: it must equal the number of
// rows the same filters list, for every combination of teams (overlapping, hidden, unknown), roles, statuses and
// caller.

const CREATE = 'mutation($i: CreateTeamInput!) { createTeam(input: $i) { team { name } } }';
const ADD = 'mutation($i: AddTeamMemberInput!) { addTeamMember(input: $i) { member { role } } }';
const DEACTIVATE = 'mutation($i: DeactivateMemberInput!) { deactivateMember(input: $i) { changed } }';
const INVITE = 'mutation($i: InviteUserInput!) { inviteUser(input: $i) { invitation { id } } }';
const LIST =
  'query($t: [String!], $r: [OrgRole!], $s: [MemberStatus!], $after: String) { organization(name: "acme") { ' +
  'members(teams: $t, roles: $r, statuses: $s, first: 3, after: $after) { totalCount pageInfo { hasNextPage ' +
  'endCursor } nodes { id } } } }';
type ListData = {
  organization: {
    members: {
      totalCount: number;
      pageInfo: { hasNextPage: boolean; endCursor: string };
      nodes: Array<{ id: string }>;
    };
  };
};

describe('members filtered by team: totalCount equals the rows listed', () => {
  let ctx: InstanceWithAdmin;
  let member: Actor;
  let hiddenMember: Actor;

  beforeAll(async () => {
    ctx = await instanceWithAdmin();
    member = await addMember(ctx.t, ctx.org, 'mia', OrgRole.MEMBER);
    hiddenMember = await addMember(ctx.t, ctx.org, 'hal', OrgRole.MEMBER);
    await addMember(ctx.t, ctx.org, 'vera', OrgRole.VIEWER);
    await addMember(ctx.t, ctx.org, 'otto', OrgRole.MEMBER);
    await addMember(ctx.t, ctx.org, 'dora', OrgRole.MEMBER);
    await addMember(ctx.t, ctx.org, 'ada', OrgRole.ADMIN);
    // A user of another organization: never counted here.
    await addMember(ctx.t, null, 'stranger');
    for (const [name, hidden] of [
      ['ml', false],
      ['core', false],
      ['secret', true],
    ] as const) {
      const res = await gql(
        ctx.url,
        CREATE,
        { i: { organization: 'acme', name, settings: { hidden } } },
        ctx.admin.token,
      );
      expect(res.errors).toBeUndefined();
    }
    // ml and core overlap (otto, vera, and the admin who created both).
    for (const [team, user] of [
      ['ml', 'mia'],
      ['ml', 'otto'],
      ['ml', 'vera'],
      ['ml', 'dora'],
      ['core', 'otto'],
      ['core', 'vera'],
      ['core', 'ada'],
      ['secret', 'hal'],
    ]) {
      const res = await gql(ctx.url, ADD, { i: { organization: 'acme', team, user } }, ctx.admin.token);
      expect(res.errors, `${user} → ${team}`).toBeUndefined();
    }
    // dora is deactivated after joining ml: her team membership stays, with the status copied.
    const deactivated = await gql(ctx.url, DEACTIVATE, { i: { organization: 'acme', user: 'dora' } }, ctx.admin.token);
    expect(deactivated.errors).toBeUndefined();
    // PENDING rows invited to teams: a new address to ml, one to ml and core, a viewer to core, an existing user
    // (a stranger to acme) to secret, and one to no team.
    for (const [email, role, teams] of [
      ['new1@example.com', 'MEMBER', [{ team: 'ml' }]],
      ['new2@example.com', 'ADMIN', [{ team: 'ml' }, { team: 'core' }]],
      ['new3@example.com', 'VIEWER', [{ team: 'core', role: 'VIEW_ONLY' }]],
      ['stranger@example.com', 'MEMBER', [{ team: 'secret' }]],
      ['new4@example.com', 'MEMBER', []],
    ] as const) {
      const res = await gql(
        ctx.url,
        INVITE,
        { i: { organization: 'acme', email, role, teams, sendEmail: false } },
        ctx.admin.token,
      );
      expect(res.errors, email).toBeUndefined();
    }
  });
  afterAll(() => ctx?.t.close());

  /** totalCount of the first page, and the rows of every page (3 per page, so that most lists take several). */
  async function listAll(caller: Actor, variables: Record<string, unknown>) {
    const ids: string[] = [];
    let totalCount = -1;
    let after: string | undefined;
    for (;;) {
      const res = await gql<ListData>(ctx.url, LIST, { ...variables, after }, caller.token);
      expect(res.errors, JSON.stringify(variables)).toBeUndefined();
      const page = res.data!.organization.members;
      if (totalCount < 0) totalCount = page.totalCount;
      expect(page.totalCount, 'the same count on every page').toBe(totalCount);
      ids.push(...page.nodes.map((n) => n.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    return { totalCount, ids };
  }

  it('for every combination of teams, roles, statuses and caller', async () => {
    const teamSets = [['ml'], ['core'], ['ml', 'core'], ['secret'], ['ml', 'secret'], ['nope'], ['ml', 'ml']];
    const roleSets = [undefined, ['MEMBER'], ['ADMIN', 'VIEWER']];
    const statusSets = [undefined, ['ACTIVE'], ['PENDING'], ['DEACTIVATED'], ['ACTIVE', 'PENDING']];
    let nonEmpty = 0;
    for (const caller of [ctx.admin, member, hiddenMember])
      for (const t of teamSets)
        for (const r of roleSets)
          for (const s of statusSets) {
            const { totalCount, ids } = await listAll(caller, { t, r, s });
            const label = JSON.stringify({ caller: caller.user.username, t, r, s });
            expect(new Set(ids).size, label).toBe(ids.length);
            expect(totalCount, label).toBe(ids.length);
            if (ids.length) nonEmpty++;
          }
    // The combinations exercise real rows, not only empty lists.
    expect(nonEmpty).toBeGreaterThan(60);
  });

  it('counts the known rows of ml and core for the admin', async () => {
    // ml: admin, mia, otto, vera, dora (DEACTIVATED), new1 and new2 (PENDING).
    expect((await listAll(ctx.admin, { t: ['ml'] })).totalCount).toBe(7);
    // ml or core: those of ml, ada, and new3 (PENDING); otto, vera, new2 and the admin once each.
    expect((await listAll(ctx.admin, { t: ['ml', 'core'] })).totalCount).toBe(9);
    // A member sees ACTIVE members only.
    expect((await listAll(member, { t: ['ml', 'core'] })).totalCount).toBe(5);
    // secret is hidden: its member sees it, another member finds nobody in it.
    expect((await listAll(hiddenMember, { t: ['secret'] })).totalCount).toBe(2);
    expect((await listAll(member, { t: ['secret'] })).totalCount).toBe(0);
  });
});
