import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instanceWithAdmin, addMember, gql, countStatements, type InstanceWithAdmin, type Actor } from './fixtures';
import { OrgRole } from '../src/authz/roles';

const CREATE = 'mutation($i: CreateTeamInput!) { createTeam(input: $i) { team { name } } }';
const ADD = 'mutation($i: AddTeamMemberInput!) { addTeamMember(input: $i) { member { role } } }';
const TEAMS = 'query { organization(name: "acme") { teams(first: 100) { totalCount nodes { name } } } }';
const FILTER =
  'query($t: [String!]) { organization(name: "acme") { members(teams: $t, first: 100) { totalCount nodes { user { ' +
  'username } teams { name } } } } }';
const TEAM = 'query($n: String!) { team(organization: "acme", name: $n) { name } }';

type TeamsData = { organization: { teams: { totalCount: number; nodes: Array<{ name: string }> } } };
type FilterData = {
  organization: {
    members: { totalCount: number; nodes: Array<{ user: { username: string }; teams: Array<{ name: string }> }> };
  };
};

/**
 * The hidden-team rule (Authz.teamScope): a hidden team is seen by its members and by those who manage every
 * team, by nobody else. Every list and filter answers alike: the team list, the members filter, a member's
 * teams column and the team lookup.
 */
describe('hidden teams: one rule for every list and filter', () => {
  let ctx: InstanceWithAdmin;
  let orgAdmin: Actor;
  let hana: Actor; // member of the hidden team
  let vic: Actor; // organization VIEWER in the hidden team (VIEW_ONLY)
  let otto: Actor; // member of the organization, outside the hidden team

  beforeAll(async () => {
    ctx = await instanceWithAdmin();
    orgAdmin = await addMember(ctx.t, ctx.org, 'oscar', OrgRole.ADMIN);
    hana = await addMember(ctx.t, ctx.org, 'hana', OrgRole.MEMBER);
    vic = await addMember(ctx.t, ctx.org, 'vic', OrgRole.VIEWER);
    otto = await addMember(ctx.t, ctx.org, 'otto', OrgRole.MEMBER);
    for (const [name, hidden] of [
      ['secret', true],
      ['open', false],
    ] as const) {
      const res = await gql(
        ctx.url,
        CREATE,
        { i: { organization: 'acme', name, settings: { hidden } } },
        orgAdmin.token,
      );
      expect(res.errors).toBeUndefined();
    }
    for (const [team, user] of [
      ['secret', 'hana'],
      ['secret', 'vic'],
      ['open', 'otto'],
    ]) {
      const res = await gql(ctx.url, ADD, { i: { organization: 'acme', team, user } }, orgAdmin.token);
      expect(res.errors).toBeUndefined();
    }
  });
  afterAll(() => ctx?.t.close());

  const teamNames = async (a: Actor) =>
    (await gql<TeamsData>(ctx.url, TEAMS, {}, a.token)).data!.organization.teams.nodes.map((n) => n.name);
  const filtered = async (a: Actor, teams: string[]) => {
    const res = await gql<FilterData>(ctx.url, FILTER, { t: teams }, a.token);
    expect(res.errors).toBeUndefined();
    return res.data!.organization.members;
  };

  it(
    'a member of a hidden team finds its members with members(teams: [...]), as they find the team in their teams ' +
      'list',
    async () => {
      for (const member of [hana, vic]) {
        expect(await teamNames(member)).toEqual(['open', 'secret']);
        const m = await filtered(member, ['secret']);
        // oscar created both teams, so is an ADMIN of each.
        expect(m.nodes.map((n) => n.user.username).sort()).toEqual(['hana', 'oscar', 'vic']);
        expect(m.totalCount).toBe(3);
        expect(m.nodes.find((n) => n.user.username === 'hana')!.teams).toEqual([{ name: 'secret' }]);
        expect((await gql(ctx.url, TEAM, { n: 'secret' }, member.token)).data).toEqual({ team: { name: 'secret' } });
      }
    },
  );

  it(
    'someone outside the hidden team sees it nowhere: not in the ' +
      'list, not through the filter, not in a teams column',
    async () => {
      expect(await teamNames(otto)).toEqual(['open']);
      expect(await filtered(otto, ['secret'])).toEqual({ totalCount: 0, nodes: [] });
      expect((await filtered(otto, ['secret', 'open'])).nodes.map((n) => n.user.username).sort()).toEqual([
        'oscar',
        'otto',
      ]);
      const everyone = await filtered(otto, []);
      expect(everyone.nodes.find((n) => n.user.username === 'hana')!.teams).toEqual([]);
      // The lookup by name answers null, as for a team that does not exist (issue 9: lookups are nullable).
      const lookup = await gql(ctx.url, TEAM, { n: 'secret' }, otto.token);
      expect(lookup.errors).toBeUndefined();
      expect(lookup.data).toEqual({ team: null });
    },
  );

  it('organization admins see every team, hidden or not, in the list and through the filter', async () => {
    expect(await teamNames(orgAdmin)).toEqual(['open', 'secret']);
    expect((await filtered(orgAdmin, ['secret'])).totalCount).toBe(3);
  });

  it('the team list and the members filter stay set-based: the same statements for one team or many', async () => {
    const one = await countStatements(ctx.t, () =>
      gql(ctx.url, 'query { organization(name: "acme") { teams(first: 1) { nodes { name } } } }', {}, hana.token),
    );
    const all = await countStatements(ctx.t, () => gql(ctx.url, TEAMS, {}, hana.token));
    expect(all.statements.length).toBe(one.statements.length);
    const oneTeam = await countStatements(ctx.t, () =>
      gql(
        ctx.url,
        'query($t: [String!]) { organization(name: "acme") { members(teams: $t) { totalCount } } }',
        { t: ['secret'] },
        hana.token,
      ),
    );
    const twoTeams = await countStatements(ctx.t, () =>
      gql(
        ctx.url,
        'query($t: [String!]) { organization(name: "acme") { members(teams: $t) { totalCount } } }',
        { t: ['secret', 'open'] },
        hana.token,
      ),
    );
    expect(twoTeams.statements.length).toBe(oneTeam.statements.length);
  });
});
