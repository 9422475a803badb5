import { beforeAll, describe, expect, test } from 'vitest';
import { paginate, RosterClient, type Page } from '../src';
import { bootstrapAdmin, useServer } from './helpers';

describe('pagination', () => {
  const server = useServer();
  let admin: RosterClient;
  const created = ['zeta-lab', 'alpha-team', 'mu-research', 'beta-ops', 'omega-ml'];

  beforeAll(async () => {
    ({ client: admin } = await bootstrapAdmin(server.url));
    for (const name of created) {
      const { organization } = await admin.createOrganization({ name, displayName: name.toUpperCase(), seatLimit: 10 });
      expect(organization).toMatchObject({
        name,
        displayName: name.toUpperCase(),
        seatLimit: 10,
        viewerRole: 'ADMIN',
        seats: { limit: 10, used: 1, available: 9 },
      });
    }
  });

  test('iterateOrganizations({ pageSize: 2 }) yields every organization once, in name order', async () => {
    const names: string[] = [];
    for await (const org of admin.iterateOrganizations({ pageSize: 2 })) names.push(org.name);
    const expected = ['default', ...created].sort();
    expect(names).toEqual(expected);
    expect(new Set(names).size).toBe(6);
  });

  test('organizations({ first: 2 }) is one page of a connection', async () => {
    const page = await admin.organizations({ first: 2 });
    expect(page.totalCount).toBe(6);
    expect(page.pageInfo.hasNextPage).toBe(true);
    expect(page.nodes.map((o) => o.name)).toEqual(['alpha-team', 'beta-ops']);
    expect(page.edges.map((e) => e.cursor).at(-1)).toBe(page.pageInfo.endCursor);

    const next = await admin.organizations({ first: 2, after: page.pageInfo.endCursor });
    expect(next.nodes.map((o) => o.name)).toEqual(['default', 'mu-research']);
    const last = await admin.organizations({ first: 2, after: next.pageInfo.endCursor });
    expect(last.nodes.map((o) => o.name)).toEqual(['omega-ml', 'zeta-lab']);
    expect(last.pageInfo.hasNextPage).toBe(false);
  });

  test('iteration stops fetching when the loop breaks', async () => {
    let fetches = 0;
    const seen: string[] = [];
    for await (const org of paginate((after) => {
      fetches += 1;
      return admin.organizations({ first: 2, after });
    })) {
      seen.push(org.name);
      if (seen.length === 3) break;
    }
    expect(seen).toEqual(['alpha-team', 'beta-ops', 'default']);
    expect(fetches).toBe(2);
  });

  test("an invalid page size is the server's BadUserInputError", async () => {
    const iterate = async () => {
      for await (const org of admin.iterateOrganizations({ pageSize: 101 })) void org;
    };
    await expect(iterate()).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  test('updateOrganization returns the changed organization', async () => {
    const { organization } = await admin.updateOrganization({
      organization: 'alpha-team',
      displayName: 'Alpha Team',
      settings: { membersCanCreateTeams: true },
      seatLimit: null,
    });
    expect(organization).toMatchObject({
      name: 'alpha-team',
      displayName: 'Alpha Team',
      seatLimit: null,
      seats: { limit: null, available: null },
      settings: { membersCanCreateTeams: true },
    });
    expect(await admin.organization({ organization: 'alpha-team' })).toEqual(organization);
  });
});

describe('paginate()', () => {
  function fakePages(pages: string[][]): (after: string | null) => Promise<Page<string>> {
    return async (after) => {
      const index = after === null ? 0 : Number(after);
      return {
        nodes: pages[index]!,
        pageInfo: { hasNextPage: index < pages.length - 1, endCursor: String(index + 1) },
      };
    };
  }

  test('passes each endCursor to the next fetch and concatenates the pages', async () => {
    const out: string[] = [];
    for await (const item of paginate(fakePages([['a', 'b'], ['c'], []]))) out.push(item);
    expect(out).toEqual(['a', 'b', 'c']);
  });

  test('refuses a cursor that does not advance instead of looping forever', async () => {
    const stuck = async () => ({ nodes: ['x'], pageInfo: { hasNextPage: true, endCursor: 'same' } });
    const run = async () => {
      for await (const item of paginate(stuck)) void item;
    };
    await expect(run()).rejects.toThrow(/did not advance/);
  });
});
