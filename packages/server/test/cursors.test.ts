import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSchema, getNamedType, isObjectType } from 'graphql';
import { instanceWithAdmin, addMember, gql, codeOf, inviteByLink, type InstanceWithAdmin } from './fixtures';
import { printRosterSchema } from '../src/graphql/schema';
import { OrgRole } from '../src/authz/roles';

// Issue 9: every connection decodes `after` with the one cursor codec (src/graphql/cursor.ts). A cursor that is
// not ours, belongs to another list, was issued for another orderBy, or holds values of the wrong type is
// BAD_USER_INPUT on `after`, never INTERNAL_SERVER_ERROR; normal paging keeps working.

/** How to reach each connection field of the schema, `CONN` standing for the field with its arguments. */
const PATHS: Record<string, string> = {
  'Query.organizations': 'organizations(CONN)',
  'Organization.members': 'organization(name: "acme") { members(CONN) }',
  'Organization.teams': 'organization(name: "acme") { teams(CONN) }',
  'Organization.invitations': 'organization(name: "acme") { invitations(CONN) }',
  'Organization.auditLog': 'organization(name: "acme") { auditLog(CONN) }',
  'Query.auditLog': 'auditLog(CONN)',
  'Team.members': 'team(organization: "acme", name: "alpha") { members(CONN) }',
  'Team.projects': 'team(organization: "acme", name: "alpha") { projects(CONN) }',
  'Team.reports': 'team(organization: "acme", name: "alpha") { reports(CONN) }',
  'Project.runs': 'team(organization: "acme", name: "alpha") { project(name: "p1") { runs(CONN) } }',
  'Viewer.apiKeys': 'viewer { apiKeys(CONN) }',
  'Organization.customRoles': 'organization(name: "acme") { customRoles(CONN) }',
  'User.memberships': 'viewer { user { memberships(CONN) } }',
  'Organization.apiKeys': 'organization(name: "acme") { apiKeys(CONN) }',
  'Organization.serviceAccounts': 'organization(name: "acme") { serviceAccounts(CONN) }',
  'Team.serviceAccounts': 'team(organization: "acme", name: "alpha") { serviceAccounts(CONN) }',
  // The newest of alpha's accounts, which holds three keys.
  'ServiceAccount.apiKeys':
    'team(organization: "acme", name: "alpha") { serviceAccounts(first: 1) { nodes { apiKeys(CONN) } } }',
};

interface Page {
  totalCount: number;
  edges: Array<{ cursor: string }>;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8').toString('base64url');
const unb64 = (cursor: string) =>
  JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { list: string; order: string; values: unknown[] };

describe('cursors', () => {
  let ctx: InstanceWithAdmin;
  /** The first page's endCursor of each connection, as "a cursor of another list" for the others. */
  const firstCursors = new Map<string, string>();

  const query = (target: string, args: string) => {
    const conn =
      `${args ? `${args}, ` : ''}first: $first, after: $after) { totalCount edges { cursor } pageInfo { ` +
      `hasNextPage hasPreviousPage startCursor endCursor } }`;
    return `query($first: Int, $after: String) { ${PATHS[target]!.replace('CONN)', conn)} }`;
  };
  /** The connection object inside a response, wherever the path put it. */
  const connectionOf = (data: unknown): Page => {
    let node = data as Record<string, unknown>;
    while (!('totalCount' in node))
      node = Object.values(node).find((v) => v && typeof v === 'object') as Record<string, unknown>;
    return node as unknown as Page;
  };
  const fetchPage = async (target: string, after: string | null, first = 1, args = '') => {
    const res = await gql(ctx.url, query(target, args), { first, after }, ctx.admin.token);
    return res;
  };

  beforeAll(async () => {
    ctx = await instanceWithAdmin();
    const ok = async (q: string, i: Record<string, unknown>) => {
      const res = await gql(ctx.url, q, { i }, ctx.admin.token);
      if (res.errors) throw new Error(JSON.stringify(res.errors));
    };
    await ok('mutation($i: CreateOrganizationInput!) { createOrganization(input: $i) { organization { name } } }', {
      name: 'beta',
    });
    for (const [name, role] of [
      ['bob', OrgRole.MEMBER],
      ['cat', OrgRole.VIEWER],
      ['dan', OrgRole.ADMIN],
    ] as const)
      await addMember(ctx.t, ctx.org, name, role);
    await inviteByLink(ctx.url, ctx.admin.token, 'acme', 'eve@example.com');
    await inviteByLink(ctx.url, ctx.admin.token, 'acme', 'fay@example.com', 'VIEWER');
    for (const name of ['alpha', 'beta'])
      await ok('mutation($i: CreateTeamInput!) { createTeam(input: $i) { team { name } } }', {
        organization: 'acme',
        name,
      });
    for (const user of ['bob', 'dan'])
      await ok('mutation($i: AddTeamMemberInput!) { addTeamMember(input: $i) { member { role } } }', {
        organization: 'acme',
        team: 'alpha',
        user,
      });
    for (const name of ['p1', 'p2', 'p3'])
      await ok('mutation($i: CreateProjectInput!) { createProject(input: $i) { project { name } } }', {
        organization: 'acme',
        team: 'alpha',
        name,
      });
    for (let n = 0; n < 3; n++) {
      await ok('mutation($i: LogRunInput!) { logRun(input: $i) { run { id } } }', {
        organization: 'acme',
        team: 'alpha',
        project: 'p1',
      });
      await ok('mutation($i: CreateReportInput!) { createReport(input: $i) { report { id } } }', {
        organization: 'acme',
        team: 'alpha',
        project: 'p1',
        title: `Report ${n}`,
      });
      await ok('mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }', { name: `key ${n}` });
      await ok('mutation($i: CreateCustomRoleInput!) { createCustomRole(input: $i) { customRole { id } } }', {
        organization: 'acme',
        name: `Role ${n}`,
        inheritsFrom: 'MEMBER',
        permissions: [],
      });
      await ok(
        'mutation($i: CreateServiceAccountInput!) { createServiceAccount(input: $i) { serviceAccount { id } } }',
        {
          organization: 'acme',
          name: `org-bot-${n}`,
        },
      );
    }
    let newest = '';
    for (let n = 0; n < 3; n++) {
      const res = await gql<{ createServiceAccount: { serviceAccount: { id: string } } }>(
        ctx.url,
        'mutation($i: CreateServiceAccountInput!) { createServiceAccount(input: $i) { serviceAccount { id } } }',
        { i: { organization: 'acme', team: 'alpha', name: `bot-${n}` } },
        ctx.admin.token,
      );
      newest = res.data!.createServiceAccount.serviceAccount.id;
    }
    for (let n = 0; n < 3; n++)
      await ok('mutation($i: CreateServiceAccountKeyInput!) { createServiceAccountKey(input: $i) { secret } }', {
        serviceAccount: newest,
        name: `bot key ${n}`,
      });
  });
  afterAll(() => ctx?.t.close());

  it('knows how to reach every connection field of the schema', async () => {
    const schema = buildSchema(await printRosterSchema());
    const found: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      for (const field of Object.values(type.getFields())) {
        if (getNamedType(field.type).name.endsWith('Connection')) found.push(`${type.name}.${field.name}`);
      }
    }
    // A new connection field needs a row in PATHS, and so a test of its cursors.
    expect(found.sort()).toEqual(Object.keys(PATHS).sort());
  });

  it('pages every connection one row at a time, without gaps or repeats', async () => {
    for (const target of Object.keys(PATHS)) {
      const cursors: string[] = [];
      let after: string | null = null;
      let total = 0;
      for (;;) {
        const res = await fetchPage(target, after);
        expect(res.errors, target).toBeUndefined();
        const page = connectionOf(res.data);
        total = page.totalCount;
        cursors.push(...page.edges.map((e) => e.cursor));
        // PageInfo is Relay-complete: the first and last cursors of the page, and a previous page exactly when `after`
        // was given.
        expect(page.pageInfo.startCursor, target).toBe(page.edges[0]?.cursor ?? null);
        expect(page.pageInfo.endCursor, target).toBe(page.edges.at(-1)?.cursor ?? null);
        expect(page.pageInfo.hasPreviousPage, target).toBe(after !== null);
        if (!firstCursors.has(target)) firstCursors.set(target, page.pageInfo.endCursor!);
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      expect(total, `${target} has at least two rows to page through`).toBeGreaterThanOrEqual(2);
      expect(cursors, target).toHaveLength(total);
      expect(new Set(cursors).size, target).toBe(total);
      // Every cursor names its list and sort.
      expect(Object.keys(unb64(cursors[0]!)).sort(), target).toEqual(['list', 'order', 'values']);
    }
  });

  it('refuses garbage, cursors of other lists and values of the wrong type with BAD_USER_INPUT on after', async () => {
    const targets = Object.keys(PATHS);
    for (const [n, target] of targets.entries()) {
      const own = unb64(firstCursors.get(target)!);
      const other = targets[(n + 1) % targets.length]!;
      const bad: Array<[string, string]> = [
        ['not base64', '!!!***'],
        ['base64 of text', b64('hello')],
        ['a bare array (the old format)', b64(['x'])],
        ['an object without values', b64({ list: own.list, order: own.order })],
        ['extra keys', b64({ ...own, extra: 1 })],
        ['empty values', b64({ ...own, values: [] })],
        ['one value too many', b64({ ...own, values: [...own.values, 'x'] })],
        ['wrong value types', b64({ ...own, values: own.values.map((v) => (typeof v === 'string' ? 12 : 'x')) })],
        ['a NUL in a value', b64({ ...own, values: own.values.map(() => 'a\u0000b') })],
        ['an unknown list', b64({ ...own, list: 'nope' })],
        ['an unknown order', b64({ ...own, order: 'NOPE' })],
        [
          'the year 0',
          b64({
            ...own,
            values: own.values.map((v) =>
              typeof v === 'string' && /^\d{4}-/.test(v) ? '0000-01-01T00:00:00.000Z' : v,
            ),
          }),
        ],
        ['a huge cursor', b64({ ...own, values: ['x'.repeat(10_000)] })],
        [`a cursor of ${other}`, firstCursors.get(other)!],
      ];
      for (const [what, after] of bad) {
        if (what === 'the year 0' && !own.values.some((v) => typeof v === 'string' && /^\d{4}-/.test(v))) continue;
        const res = await fetchPage(target, after);
        expect(codeOf(res), `${target}: ${what}`).toBe('BAD_USER_INPUT');
        expect(res.errors![0]!.extensions!.field, `${target}: ${what}`).toBe('after');
      }
    }
  });

  it('refuses a members cursor issued for another orderBy, field or direction', async () => {
    const target = 'Organization.members';
    const first = async (orderBy: string) => {
      const res = await fetchPage(target, null, 2, `orderBy: ${orderBy}`);
      expect(res.errors).toBeUndefined();
      return connectionOf(res.data).pageInfo.endCursor!;
    };
    const orders = [
      '{ field: NAME }',
      '{ field: NAME, direction: DESC }',
      '{ field: ROLE }',
      '{ field: LAST_ACTIVE, direction: DESC }',
      '{ field: ADDED_AT }',
    ];
    const cursors = new Map<string, string>();
    for (const orderBy of orders) cursors.set(orderBy, await first(orderBy));
    for (const issuedFor of orders) {
      for (const usedWith of orders) {
        const res = await fetchPage(target, cursors.get(issuedFor)!, 2, `orderBy: ${usedWith}`);
        if (issuedFor === usedWith) {
          expect(res.errors, `${issuedFor} with itself`).toBeUndefined();
        } else {
          expect(codeOf(res), `${issuedFor} used with ${usedWith}`).toBe('BAD_USER_INPUT');
          expect(res.errors![0]!.extensions!.field).toBe('after');
          expect(res.errors![0]!.message).toMatch(/sort order/);
        }
      }
    }
    // The default order is NAME ascending: a cursor of it works with or without orderBy.
    const res = await fetchPage(target, cursors.get('{ field: NAME }')!, 2);
    expect(res.errors).toBeUndefined();
  });

  it('still validates first', async () => {
    for (const first of [0, 101, -1])
      expect(codeOf(await fetchPage('Organization.members', null, first))).toBe('BAD_USER_INPUT');
  });
});
