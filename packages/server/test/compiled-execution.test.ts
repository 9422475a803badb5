import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, type GraphQLSchema } from 'graphql';
import { addMember, gql, instanceWithAdmin, type InstanceWithAdmin } from './fixtures';
import { buildRosterSchema } from '../src/graphql/schema';
import { compiledExecutionGateway } from '../src/graphql/jit-executor';

/**
 * GRAPHQL_JIT (on by default): a query document seen twice runs compiled by graphql-jit. The first request of a
 * document runs on graphql-js, the later ones compiled: sending each document three times and comparing the bodies
 * byte for byte compares the two executors on the same data, errors and null propagation included.
 */
describe('compiled execution (graphql-jit) answers exactly as graphql-js', () => {
  let ctx: InstanceWithAdmin;
  let memberToken: string;
  beforeAll(async () => {
    ctx = await instanceWithAdmin();
    await gql(
      ctx.url,
      'mutation { createTeam(input: { organization: "acme", name: "vision" }) { team { id } } }',
      {},
      ctx.admin.token,
    );
    for (let i = 0; i < 5; i++) {
      const m = await addMember(ctx.t, ctx.org, `user${i}`);
      if (i === 0) memberToken = m.token;
    }
  });
  afterAll(async () => {
    await ctx?.t.close();
  });

  const MEMBERS =
    'query($org: String!, $first: Int, $after: String, $orderBy: MemberOrder, $withTeams: Boolean!) {' +
    ' organization(name: $org) { name seats { limit used available } viewerPermissions' +
    ' members(first: $first, after: $after, orderBy: $orderBy) { totalCount pageInfo { hasNextPage endCursor }' +
    ' nodes { ...M teams @include(if: $withTeams) { name } } edges { cursor node { __typename id } } } } }' +
    ' fragment M on Member { id name username email role status lastActiveAt addedAt }';
  const cases: Array<{
    name: string;
    query: string;
    variables?: Record<string, unknown>;
    as?: 'admin' | 'member' | 'anonymous';
  }> = [
    {
      name: 'members page with fragments, @include and edges',
      query: MEMBERS,
      variables: { org: 'acme', first: 3, withTeams: true },
    },
    {
      name: 'members page in another order, without teams',
      query: MEMBERS,
      variables: { org: 'acme', first: 2, orderBy: { field: 'ROLE', direction: 'DESC' }, withTeams: false },
    },
    {
      name: 'a member sees less (no emails, no pending rows)',
      query: MEMBERS,
      variables: { org: 'acme', first: 10, withTeams: true },
      as: 'member',
    },
    {
      name: 'aliases and the viewer',
      query: '{ me: viewer { kind authenticatedWith user { username } } i: instance { needsBootstrap } }',
    },
    {
      name: 'anonymous: null organization',
      query: MEMBERS,
      variables: { org: 'acme', first: 3, withTeams: true },
      as: 'anonymous',
    },
    {
      name: 'a resolver error inside a list: its path, code and null propagation',
      query: MEMBERS,
      variables: { org: 'acme', first: 100000, withTeams: true },
    },
    {
      name: 'a bad cursor',
      query: MEMBERS,
      variables: { org: 'acme', first: 2, after: 'not-a-cursor', withTeams: false },
    },
    {
      name: 'a variable of the wrong type (coercion error)',
      query: MEMBERS,
      variables: { org: 'acme', first: 'ten', withTeams: true },
    },
    { name: 'a missing required variable', query: MEMBERS, variables: { first: 2, withTeams: true } },
    {
      name: 'an unknown enum value in an input variable',
      query: MEMBERS,
      variables: { org: 'acme', orderBy: { field: 'SHOE_SIZE' }, withTeams: true },
    },
    {
      // Literals are compiled into the generated function: they must stay data.
      name: 'hostile literals in the document stay data',
      query:
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a template placeholder as data is the point here
        '{ organization(name: "x\\"); process.exit(1); //\\u2028`${process.exit(2)}`") { name } ' +
        'team(organization: "acme", name: "\'); throw 1; (\'") { name } }',
    },
    { name: 'an organization that does not exist', query: MEMBERS, variables: { org: 'nope', withTeams: true } },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const token = c.as === 'anonymous' ? undefined : c.as === 'member' ? memberToken : ctx.admin.token;
      const bodies: string[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`${ctx.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify({ query: c.query, variables: c.variables ?? {} }),
        });
        bodies.push(`${res.status} ${await res.text()}`);
      }
      expect(bodies[1]).toBe(bodies[0]);
      expect(bodies[2]).toBe(bodies[0]);
      expect(bodies[0]).not.toContain('INTERNAL_SERVER_ERROR');
    });
  }
});

describe('compiledExecutionGateway', () => {
  let schema: GraphQLSchema;
  beforeAll(async () => {
    schema = await buildRosterSchema();
  });
  const run = async (
    gateway: ReturnType<typeof compiledExecutionGateway>,
    query: string,
    variables: Record<string, unknown> = {},
  ) => {
    const { executor } = await gateway.load({ apollo: { key: undefined, keyHash: undefined, graphRef: undefined } });
    const document = parse(query);
    const operation = document.definitions.find((d) => d.kind === 'OperationDefinition');
    if (!executor || operation?.kind !== 'OperationDefinition') throw new Error('no executor or operation');
    return executor({
      request: { query, variables },
      document,
      operation,
      operationName: null,
      queryHash: query,
      schemaHash: 'unused' as never,
      source: query,
      context: {},
      schema,
      logger: console,
      cache: undefined as never,
      metrics: {},
      overallCachePolicy: undefined as never,
      requestIsBatched: false,
    });
  };

  it('compiles a query the second time it is seen, keeps a budget of fields, never compiles a mutation', async () => {
    // Each document below has 1 field: a budget of 2 keeps two of them.
    const gateway = compiledExecutionGateway(schema, { compileAfter: 2, maxFields: 2, maxFieldsPerDocument: 5 });
    await run(gateway, '{ __typename }');
    expect(gateway.stats()).toEqual({ compiled: 0, executedCompiled: 0, fieldsKept: 0 });
    const first = await run(gateway, '{ __typename }');
    expect(gateway.stats()).toEqual({ compiled: 1, executedCompiled: 1, fieldsKept: 1 });
    expect(first).toEqual({ data: { __typename: 'Query' } });
    await run(gateway, '{ a: __typename }');
    await run(gateway, '{ a: __typename }');
    await run(gateway, '{ b: __typename }');
    await run(gateway, '{ b: __typename }');
    expect(gateway.stats()).toEqual({ compiled: 3, executedCompiled: 3, fieldsKept: 2 });
    // The oldest was dropped: seen again, it runs on graphql-js until its second sighting.
    await run(gateway, '{ __typename }');
    expect(gateway.stats().executedCompiled).toBe(3);
    const mutation = 'mutation { logOut(input: {}) { ok } }';
    await run(gateway, mutation);
    await run(gateway, mutation);
    expect(gateway.stats().compiled).toBe(3);
  });

  it('never compiles a document with more fields than maxFieldsPerDocument (fragments expanded)', async () => {
    const gateway = compiledExecutionGateway(schema, { compileAfter: 1, maxFields: 100, maxFieldsPerDocument: 5 });
    const big =
      '{ ...F a: instance { ...I } b: instance { ...I } } fragment F on Query { __typename } ' +
      'fragment I on Instance { needsBootstrap version }';
    await run(gateway, big);
    await run(gateway, big);
    // Remembered as not compiled (weighing 1), so that it is not counted again on each request.
    expect(gateway.stats()).toEqual({ compiled: 0, executedCompiled: 0, fieldsKept: 1 });
    const small = '{ ...F a: instance { ...I } } fragment F on Query { __typename } fragment I on Instance { version }';
    await run(gateway, small);
    expect(gateway.stats()).toEqual({ compiled: 1, executedCompiled: 1, fieldsKept: 4 });
  });

  it("bad variables get graphql-js's own errors when compiled", async () => {
    const gateway = compiledExecutionGateway(schema, { compileAfter: 1, maxFields: 100, maxFieldsPerDocument: 100 });
    const res = await run(gateway, 'query($n: String!) { organization(name: $n) { id } }', { n: 5 });
    expect(res.data).toBeUndefined();
    expect(res.errors?.map((e) => e.message)).toEqual([
      'Variable "$n" got invalid value 5; String cannot represent a non string value: 5',
    ]);
    expect(gateway.stats().executedCompiled).toBe(0);
  });
});
