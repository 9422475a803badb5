import http from 'node:http';
import { parse } from 'graphql';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  CLIENT_HEADER,
  describeOperation,
  NotFoundError,
  RosterAbortError,
  RosterClient,
  RosterNetworkError,
  RosterTimeoutError,
  SDK_VERSION,
  type GraphQLDocument,
  type RosterClientOptions,
} from '../src';
import { bootstrapAdmin, useServer } from './helpers';

interface Recorded {
  url: string;
  init: RequestInit;
  headers: Headers;
  body: { operationName?: string; variables?: Record<string, unknown> };
}

/** A fetch that records each call and passes it on to the real fetch. */
function recordingFetch(): { fetch: typeof fetch; calls: Recorded[] } {
  const calls: Recorded[] = [];
  return {
    calls,
    fetch: async (input, init = {}) => {
      calls.push({
        url: String(input),
        init,
        headers: new Headers(init.headers),
        body: JSON.parse(String(init.body)) as Recorded['body'],
      });
      return fetch(input, init);
    },
  };
}

/** A tiny local HTTP server in front of `target`: `behave(n)` decides what the n-th request (1-based) gets. */
async function startProxy(
  target: () => string,
  behave: (n: number) => 'pass' | '503' | 'drop' | 'hang',
): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let count = 0;
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    count += 1;
    const action = behave(count);
    if (action === '503') {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('upstream unavailable');
      return;
    }
    if (action === 'drop') {
      req.socket.destroy();
      return;
    }
    if (action === 'hang') {
      hanging.add(res);
      return;
    }
    const upstream = new URL(target());
    const forward = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: req.url,
        method: req.method,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => count,
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const FAST_RETRY: RosterClientOptions['retry'] = { retries: 2, minDelayMs: 5, maxDelayMs: 20 };

describe('transport', () => {
  const server = useServer();
  let token: string;
  beforeAll(async () => {
    const { client } = await bootstrapAdmin(server.url);
    token = client.getToken()!;
    await client.createOrganization({ name: 'acme' });
  });

  const proxies: Array<{ close: () => Promise<void> }> = [];
  afterAll(async () => {
    await Promise.all(proxies.map((p) => p.close()));
  });
  async function proxy(behave: (n: number) => 'pass' | '503' | 'drop' | 'hang') {
    const p = await startProxy(() => server.url, behave);
    proxies.push(p);
    return p;
  }

  test(
    'every request names the SDK (x-roster-client, and User-Agent in Node) and carries an x-request-id; fetch ' +
      'and credentials are passed through',
    async () => {
      const { fetch: recording, calls } = recordingFetch();
      const client = new RosterClient({ url: server.url, token, fetch: recording, credentials: 'include' });
      expect((await client.viewer())?.user?.username).toBe('ada');
      expect(calls).toHaveLength(1);
      const [call] = calls;
      expect(call!.url).toBe(`${server.url}/graphql`);
      expect(call!.init.credentials).toBe('include');
      expect(call!.init.signal).toBeInstanceOf(AbortSignal);
      expect(call!.headers.get(CLIENT_HEADER)).toBe(`@roster/sdk/${SDK_VERSION}`);
      expect(CLIENT_HEADER).toBe('x-roster-client');
      expect(call!.headers.get('user-agent')).toBe(`roster-sdk/${SDK_VERSION} node/${process.versions.node}`);
      expect(call!.headers.get('x-request-id')).toMatch(/^[A-Za-z0-9._-]{1,64}$/);
      expect(call!.body.operationName).toBe('Viewer');

      // Without the option, fetch gets no credentials mode (its default, 'same-origin').
      const plain = recordingFetch();
      await new RosterClient({ url: server.url, fetch: plain.fetch }).instance();
      expect('credentials' in plain.calls[0]!.init).toBe(false);
      // Per-call headers win over the client's; an x-request-id given is kept.
      await new RosterClient({ url: server.url, fetch: plain.fetch, headers: { 'x-team': 'a' } }).instance(
        {},
        { headers: { 'x-team': 'b', 'x-request-id': 'mine-1' } },
      );
      expect(plain.calls[1]!.headers.get('x-team')).toBe('b');
      expect(plain.calls[1]!.headers.get('x-request-id')).toBe('mine-1');
    },
  );

  test('a GraphQL error carries the operation name and the request id the SDK sent', async () => {
    const { fetch: recording, calls } = recordingFetch();
    const client = new RosterClient({ url: server.url, token, fetch: recording });
    const error = await client.members({ organization: 'no-such-org' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    const sent = calls[0]!.headers.get('x-request-id');
    expect(error).toMatchObject({ operationName: 'Members', requestId: sent, code: 'NOT_FOUND' });

    const unreachable = await new RosterClient({ url: 'http://127.0.0.1:9', retry: false })
      .instance()
      .catch((e: unknown) => e);
    expect(unreachable).toBeInstanceOf(RosterNetworkError);
    expect(unreachable).toMatchObject({
      code: 'NETWORK_ERROR',
      operationName: 'Instance',
      requestId: expect.any(String),
      attempts: 1,
    });
    expect((unreachable as Error).message).toMatch(/^Instance: request to http:\/\/127\.0\.0\.1:9\/graphql failed/);
  });

  test('a query is retried after 5xx responses and dropped connections, with backoff, and then succeeds', async () => {
    const p = await proxy((n) => (n === 1 ? '503' : n === 2 ? 'drop' : 'pass'));
    const client = new RosterClient({ url: p.url, token, retry: FAST_RETRY });
    const viewer = await client.viewer();
    expect(viewer?.user?.username).toBe('ada');
    expect(p.requests()).toBe(3);
  });

  test(
    'retries are bounded: after `retries` more attempts the ' + 'last failure is thrown, with the attempt count',
    async () => {
      const p = await proxy(() => '503');
      const client = new RosterClient({ url: p.url, token, retry: FAST_RETRY });
      const error = await client.viewer().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RosterNetworkError);
      expect(error).toMatchObject({ status: 503, attempts: 3, operationName: 'Viewer', body: 'upstream unavailable' });
      expect(p.requests()).toBe(3);

      // Per call, and off for the whole client.
      await new RosterClient({ url: p.url, token, retry: FAST_RETRY })
        .viewer({}, { retries: 0 })
        .catch(() => undefined);
      expect(p.requests()).toBe(4);
      await new RosterClient({ url: p.url, token, retry: false }).viewer().catch(() => undefined);
      expect(p.requests()).toBe(5);
    },
  );

  test('a mutation is never retried, on a 5xx or on a dropped connection', async () => {
    for (const failure of ['503', 'drop'] as const) {
      const p = await proxy((n) => (n === 1 ? failure : 'pass'));
      const client = new RosterClient({ url: p.url, token, retry: FAST_RETRY });
      const error = await client.createOrganization({ name: `never-twice-${failure}` }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RosterNetworkError);
      expect(error).toMatchObject({ attempts: 1, operationName: 'CreateOrganization' });
      expect(p.requests()).toBe(1);
    }
  });

  test('timeoutMs bounds each attempt: RosterTimeoutError, not retried', async () => {
    const p = await proxy(() => 'hang');
    const client = new RosterClient({ url: p.url, token, timeoutMs: 150, retry: FAST_RETRY });
    const started = Date.now();
    const error = await client.viewer().catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(error).toBeInstanceOf(RosterTimeoutError);
    expect(error).toBeInstanceOf(RosterNetworkError);
    expect(error).toMatchObject({
      code: 'TIMEOUT',
      timeoutMs: 150,
      operationName: 'Viewer',
      attempts: 1,
      requestId: expect.any(String),
    });
    expect(p.requests()).toBe(1);

    // A per-call timeout overrides the client's.
    const perCall = await new RosterClient({ url: p.url, token })
      .viewer({}, { timeoutMs: 100 })
      .catch((e: unknown) => e);
    expect(perCall).toMatchObject({ name: 'RosterTimeoutError', timeoutMs: 100 });
  });

  test('an AbortSignal cancels a call in flight, and an aborted signal sends nothing', async () => {
    const p = await proxy(() => 'hang');
    const client = new RosterClient({ url: p.url, token });
    const controller = new AbortController();
    const pending = client.organizations({}, { signal: controller.signal }).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort(new Error('user navigated away'));
    const error = await pending;
    expect(error).toBeInstanceOf(RosterAbortError);
    expect(error).toMatchObject({ code: 'ABORTED', operationName: 'Organizations' });
    expect((error as RosterAbortError).cause).toEqual(new Error('user navigated away'));
    expect(p.requests()).toBe(1);

    const before = p.requests();
    const already = await client.viewer({}, { signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect(already).toBeInstanceOf(RosterAbortError);
    expect(p.requests()).toBe(before);
  });

  test('an abort during the backoff stops the retries', async () => {
    const p = await proxy(() => '503');
    const client = new RosterClient({
      url: p.url,
      token,
      retry: { retries: 5, minDelayMs: 10_000, maxDelayMs: 10_000 },
    });
    const controller = new AbortController();
    const pending = client.viewer({}, { signal: controller.signal }).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 100));
    controller.abort();
    expect(await pending).toBeInstanceOf(RosterAbortError);
    expect(p.requests()).toBe(1);
  });

  test(
    "request() runs a document string with the client's " + 'credentials; describeOperation reads its kind and name',
    async () => {
      const client = new RosterClient({ url: server.url, token });
      const data = await client.request<{ organization: { name: string; seats: { used: number } } }, { name: string }>(
        'query OrgSeats($name: String!) { organization(name: $name) { name seats { used } } }',
        { name: 'acme' },
      );
      expect(data).toEqual({ organization: { name: 'acme', seats: { used: 1 } } });

      expect(describeOperation('{ viewer { kind } }')).toEqual({ kind: 'query', operationName: undefined });
      expect(
        describeOperation(
          '# a comment with mutation X {\nfragment F on User { id }\nmutation Make($a: [Int!] = [1], $o: In = { x: ' +
            '"{" }) @d { x }',
        ),
      ).toEqual({
        kind: 'mutation',
        operationName: 'Make',
      });
      expect(describeOperation('query ($a: Int) { x }')).toEqual({ kind: 'query', operationName: undefined });
      // A graphql-js DocumentNode is sent as the source text parse() kept; without it, refused with a hint.
      const parsed = parse('query Version { instance { version } }') as GraphQLDocument<
        { instance: { version: string } },
        Record<string, never>
      >;
      expect((await client.request(parsed)).instance.version).toEqual(expect.any(String));
      const node = { kind: 'Document', definitions: [] } as GraphQLDocument<unknown, Record<string, never>>;
      await expect(client.request(node)).rejects.toThrow(/document string or a TypedDocumentString/);
    },
  );
});
