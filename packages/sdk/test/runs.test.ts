import { describe, expect, test } from 'vitest';
import { NotFoundError, RosterClient, type Run } from '../src';

// runs() and iterateRuns() reach a project through Team.projects (the schema has no lookup of a project by
// name): they scan the team's projects for the project's position, then ask for the one project after the
// cursor before it. A fake server (projects newest first, keyset cursors) checks the requests they make.

interface Call {
  operationName: string;
  variables: Record<string, unknown>;
}

function fakeServer(projectNames: string[], runsPerProject = 3) {
  /** Newest first, as Team.projects. */
  const projects = projectNames.map((name) => ({ name, cursor: `p:${name}` }));
  const calls: Call[] = [];
  // Keyset cursors, as the server's: a cursor from another list is valid there too (here: nothing follows it).
  const after = <T extends { cursor: string }>(list: T[], cursor: unknown): T[] => {
    if (cursor == null) return list;
    const i = list.findIndex((e) => e.cursor === cursor);
    return i < 0 ? [] : list.slice(i + 1);
  };
  const fetch: typeof globalThis.fetch = async (_input, init) => {
    const { operationName, variables } = JSON.parse(String(init?.body)) as Call;
    calls.push({ operationName, variables });
    let data: unknown;
    if (operationName === 'ProjectCursors') {
      const rest = after(projects, variables.after);
      const page = rest.slice(0, variables.first as number);
      data = {
        team: {
          projects: {
            pageInfo: { hasNextPage: rest.length > page.length, endCursor: page.at(-1)?.cursor ?? null },
            edges: page.map((p) => ({ cursor: p.cursor, node: { name: p.name } })),
          },
        },
      };
    } else if (operationName === 'Runs') {
      const project = after(projects, variables.projectAfter)[0];
      const runs = Array.from({ length: runsPerProject }, (_, i) => ({ cursor: `r:${project?.name}:${i}`, name: `${project?.name}-run-${i}` }));
      const rest = after(runs, variables.after);
      const page = rest.slice(0, (variables.first as number | undefined) ?? 20);
      data = {
        team: {
          projects: {
            nodes: project
              ? [
                  {
                    name: project.name,
                    runs: {
                      totalCount: runs.length,
                      pageInfo: { hasNextPage: rest.length > page.length, endCursor: page.at(-1)?.cursor ?? null },
                      nodes: page.map((r) => ({ id: r.cursor, name: r.name, createdAt: '2025-01-01T00:00:00.000Z', createdByUsername: 'grace', createdBy: { username: 'grace' }, project: { id: project.name, name: project.name, visibility: 'PRIVATE' } })),
                      edges: page.map((r) => ({ cursor: r.cursor })),
                    },
                  },
                ]
              : [],
          },
        },
      };
    } else {
      throw new Error(`unexpected operation ${operationName}`);
    }
    return new Response(JSON.stringify({ data }), { status: 200, headers: { 'content-type': 'application/json' } });
  };
  const client = new RosterClient({ url: 'http://roster.test', fetch });
  const names = () => calls.map((c) => c.operationName);
  return { client, calls, names, projects };
}

const many = (n: number) => Array.from({ length: n }, (_, i) => `p${i}`);

describe('runs: reaching a project through Team.projects', () => {
  test('scans the projects 100 at a time and fetches the one after the cursor of the project before it', async () => {
    const { client, calls, names } = fakeServer(many(160));
    const page = await client.runs('acme', 'vision', 'p150', { first: 2 });
    expect(page.nodes.map((r) => r.name)).toEqual(['p150-run-0', 'p150-run-1']);
    expect(names()).toEqual(['ProjectCursors', 'ProjectCursors', 'Runs']);
    expect(calls[0]!.variables).toMatchObject({ organization: 'acme', team: 'vision', first: 100, after: null });
    expect(calls[1]!.variables).toMatchObject({ first: 100, after: 'p:p99' });
    expect(calls[2]!.variables).toMatchObject({ projectAfter: 'p:p149', first: 2 });
  });

  test('the newest project is reached with no project cursor', async () => {
    const { client, calls } = fakeServer(['a', 'b']);
    expect((await client.runs('acme', 'vision', 'a')).totalCount).toBe(3);
    expect(calls.at(-1)!.variables).toMatchObject({ projectAfter: null });
  });

  test('iterateRuns locates the project once for all pages, and again when a new project moved it', async () => {
    const server = fakeServer(['a', 'b']);
    const seen: Run[] = [];
    for await (const run of server.client.iterateRuns('acme', 'vision', 'a', { pageSize: 1 })) {
      seen.push(run);
      // A project created meanwhile becomes the newest: "the first project" is no longer "a".
      if (seen.length === 1) server.projects.unshift({ name: 'new', cursor: 'p:new' });
    }
    expect(seen.map((r) => r.name)).toEqual(['a-run-0', 'a-run-1', 'a-run-2']);
    expect(server.names()).toEqual(['ProjectCursors', 'Runs', 'Runs', 'ProjectCursors', 'Runs', 'Runs']);
    expect(server.calls.at(-1)!.variables).toMatchObject({ projectAfter: 'p:new', first: 1, after: 'r:a:1' });
  });

  test('a project that is not in the team is NotFoundError, after scanning every page', async () => {
    const { client, names } = fakeServer(many(120));
    const error = await client.runs('acme', 'vision', 'nope').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ code: 'NOT_FOUND', message: 'No project named "nope" is visible to you in team "vision" of "acme".' });
    expect(names()).toEqual(['ProjectCursors', 'ProjectCursors']);
  });
});
