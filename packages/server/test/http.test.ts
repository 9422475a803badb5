import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../src/testing';
import { gql, codeOf } from './fixtures';
import { formatError, requestScope } from '../src/graphql/format-error';
import { createLogger } from '../src/logger';
import { AppError, ErrorCode } from '../src/errors';

describe('HTTP surface', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t?.close());

  it('answers /healthz and /readyz', async () => {
    const health = await fetch(`${t.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${t.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('serves GraphiQL from local assets only', async () => {
    const page = await fetch(`${t.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('GraphiQL');
    // Everything but the inline favicon (data:) comes from the server's own assets.
    const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)]
      .map((m) => m[1]!)
      .filter((src) => !src.startsWith('data:'));
    expect(sources.length).toBeGreaterThanOrEqual(4);
    for (const src of sources) {
      expect(src.startsWith('/graphiql-assets/')).toBe(true);
      const asset = await fetch(`${t.url}${src}`);
      expect(asset.status, src).toBe(200);
      expect((await asset.arrayBuffer()).byteLength, src).toBeGreaterThan(1000);
    }
  });

  it('echoes a safe x-request-id and makes one up otherwise', async () => {
    const res = await fetch(`${t.url}/healthz`, { headers: { 'x-request-id': 'trace-123' } });
    expect(res.headers.get('x-request-id')).toBe('trace-123');
    const bad = await fetch(`${t.url}/healthz`, { headers: { 'x-request-id': 'x'.repeat(200) } });
    expect(bad.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('names parse and validation errors with stable codes', async () => {
    expect(codeOf(await gql(t.url, '{ viewer {'))).toBe('GRAPHQL_PARSE_FAILED');
    expect(codeOf(await gql(t.url, '{ noSuchField }'))).toBe('GRAPHQL_VALIDATION_FAILED');
    const badVar = await gql(t.url, 'query($n: String!) { organization(name: $n) { name } }', {});
    expect(codeOf(badVar)).toBe('BAD_USER_INPUT');
  });

  it('lists every error code in the schema', async () => {
    const res = await gql(t.url, '{ instance { errorCodes { code description } } }');
    const codes = res.data!.instance.errorCodes.map((c: { code: string }) => c.code);
    expect(codes).toEqual(Object.values(ErrorCode));
  });

  it('masks unexpected errors behind a request id and keeps service errors as they are', () => {
    const logged: unknown[] = [];
    const logger = createLogger('silent');
    logger.error = ((obj: unknown) => void logged.push(obj)) as typeof logger.error;
    const masked = requestScope.run({ requestId: 'req-42', logger }, () =>
      formatError(
        {
          message: 'relation "users" does not exist',
          extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['at x'] },
        },
        new Error('relation "users" does not exist'),
      ),
    );
    expect(masked.message).toBe('Internal server error. Quote request id req-42 to your operator.');
    expect(masked.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', requestId: 'req-42' });
    expect(logged).toHaveLength(1);
    const kept = formatError({ message: 'x' }, new AppError(ErrorCode.CONFLICT, 'Taken.', { field: 'name' }));
    expect(kept).toMatchObject({ message: 'Taken.', extensions: { code: 'CONFLICT', field: 'name' } });
  });
});
