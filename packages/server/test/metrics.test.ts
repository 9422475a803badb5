import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config';
import { MAX_OPERATION_NAMES } from '../src/observability/metrics';
import { startTestServer, type TestServer } from '../src/testing';
import { instanceWithAdmin, codeOf, gql, type InstanceWithAdmin } from './fixtures';

const TOKEN = 'metrics-token-0123456789abcdef';
const LOG_IN = 'mutation LogIn($i: LogInInput!) { logIn(input: $i) { user { username } } }';

async function scrape(
  url: string,
  token: string | null = TOKEN,
): Promise<{ status: number; text: string; type: string }> {
  const res = await fetch(`${url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') ?? '' };
}

/** The value of one series, e.g. `roster_graphql_requests_total{operation="Me",outcome="ok"}`; undefined if absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics (issue 10, goal 8)', () => {
  let ctx: InstanceWithAdmin;
  beforeAll(async () => {
    ctx = await instanceWithAdmin({
      METRICS: 'on',
      METRICS_TOKEN: TOKEN,
      SIGN_IN_MAX_FAILURES_PER_ACCOUNT: '2',
      // The sender must not deliver the email this test queues before the scrape.
      EMAIL_POLL_SECONDS: '3600',
    });
  });
  afterAll(() => ctx?.t.close());

  it('refuses a scrape without the token, or with a wrong one', async () => {
    const none = await scrape(ctx.url, null);
    expect(none.status).toBe(401);
    expect(none.text).not.toContain('roster_');
    expect((await scrape(ctx.url, 'wrong-token-0123456789abcdef')).status).toBe(401);
    const malformed = await fetch(`${ctx.url}/metrics`, { headers: { authorization: TOKEN } });
    expect(malformed.status).toBe(401);
  });

  it('counts requests by operation and outcome, SQL, pool, outbox, rate limits and the activity backlog', async () => {
    // The fixture's sign-up was a request too: compare with a scrape taken before.
    const before = (await scrape(ctx.url)).text;
    for (let i = 0; i < 3; i++) {
      const me = await gql(ctx.url, 'query Me { viewer { user { username } } }', {}, ctx.admin.token);
      expect(me.data!.viewer.user.username).toBe('admin');
    }
    await gql(ctx.url, '{ instance { version } }');
    // A document that does not parse has no operation name to read.
    expect(codeOf(await gql(ctx.url, 'query Broken { viewer {', {}))).toBe('GRAPHQL_PARSE_FAILED');
    expect(codeOf(await gql(ctx.url, 'query Me { viewer { kind } }', {}, 'not-a-session-token'))).toBe(
      'UNAUTHENTICATED',
    );
    const codes: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      codes.push(codeOf(await gql(ctx.url, LOG_IN, { i: { login: 'admin', password: `wrong-${i}` } })));
    }
    expect(codes).toEqual(['INVALID_CREDENTIALS', 'INVALID_CREDENTIALS', 'RATE_LIMITED']);
    await ctx.t.server.db.orm.em
      .fork()
      .getConnection()
      .execute(
        `insert into outbox_emails (id, kind, to_address, subject, status, next_attempt_at)
         values (gen_random_uuid(), 'test', 'late@example.com', 'Late', 'QUEUED', now() - interval '120 seconds'),
                (gen_random_uuid(), 'test', 'later@example.com', 'Later', 'QUEUED', now() + interval '1 hour')`,
      );
    await ctx.t.server.activity.flush();

    const { status, text, type } = await scrape(ctx.url);
    expect(status).toBe(200);
    expect(type).toContain('text/plain');
    const requests = (labels: string) => {
      const series = `roster_graphql_requests_total{${labels}}`;
      return (sample(text, series) ?? 0) - (sample(before, series) ?? 0);
    };
    expect(requests('operation="Me",outcome="ok"')).toBe(3);
    expect(requests('operation="anonymous",outcome="ok"')).toBe(1);
    expect(requests('operation="unknown",outcome="GRAPHQL_PARSE_FAILED"')).toBe(1);
    expect(requests('operation="unknown",outcome="UNAUTHENTICATED"')).toBe(1);
    expect(requests('operation="LogIn",outcome="INVALID_CREDENTIALS"')).toBe(2);
    expect(requests('operation="LogIn",outcome="RATE_LIMITED"')).toBe(1);
    expect(sample(text, 'roster_graphql_request_duration_seconds_count{operation="Me",outcome="ok"}')).toBe(3);
    expect(sample(text, 'roster_rate_limited_total{operation="LogIn"}')).toBe(1);
    expect(sample(text, 'roster_db_statements_total{outcome="ok"}')).toBeGreaterThan(5);
    expect(sample(text, 'roster_db_statement_duration_seconds_count{outcome="ok"}')).toBeGreaterThan(5);
    expect(sample(text, 'roster_db_pool_max')).toBe(ctx.t.server.config.databasePoolMax);
    expect(sample(text, 'roster_db_pool_connections{state="used"}')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'roster_db_pool_connections{state="pending_acquire"}')).toBe(0);
    expect(sample(text, 'roster_outbox_queue_depth')).toBe(2);
    expect(sample(text, 'roster_outbox_due')).toBe(1);
    const age = sample(text, 'roster_outbox_oldest_due_age_seconds');
    expect(age).toBeGreaterThanOrEqual(119);
    expect(age).toBeLessThan(600);
    expect(sample(text, 'roster_activity_backlog')).toBe(0);
    // prom-client's default process metrics.
    expect(sample(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(text).toContain('nodejs_heap_size_used_bytes');
    // A scrape is not a GraphQL request.
    const again = await scrape(ctx.url);
    expect(sample(again.text, 'roster_graphql_requests_total{operation="Me",outcome="ok"}')).toBe(3);
  });

  it('bounds operation names: the first 100 distinct ones, then "other"', async () => {
    const metrics = ctx.t.server.metrics!;
    const labels = new Set<string>();
    for (let i = 0; i < MAX_OPERATION_NAMES + 50; i++) labels.add(metrics.operationLabel(`Op${i}`));
    expect(labels.size).toBeLessThanOrEqual(MAX_OPERATION_NAMES + 1);
    expect(labels).toContain('other');
    expect(metrics.operationLabel('Me')).toBe('Me');
    const res = await gql(ctx.url, 'query Newcomer { instance { version } }');
    expect(res.data!.instance.version).toBeTruthy();
    const { text } = await scrape(ctx.url);
    expect(sample(text, 'roster_graphql_requests_total{operation="other",outcome="ok"}')).toBe(1);
    expect(text).not.toContain('operation="Newcomer"');
  });
});

describe('GET /metrics configuration', () => {
  let t: TestServer | undefined;
  afterAll(() => t?.close());

  it('answers 404 when METRICS is off (the default)', async () => {
    t = await startTestServer();
    expect(t.server.metrics).toBeNull();
    const res = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(404);
  });

  it('requires METRICS_TOKEN with METRICS=on in production, and validates both', () => {
    expect(() => loadConfig({ METRICS: 'on' })).toThrow(ConfigError);
    expect(() => loadConfig({ METRICS: 'on' })).toThrow(/METRICS_TOKEN/);
    expect(loadConfig({ METRICS: 'on', METRICS_TOKEN: TOKEN }).metrics).toEqual({ enabled: true, token: TOKEN });
    expect(loadConfig({ METRICS: 'on', NODE_ENV: 'development' }).metrics).toEqual({ enabled: true, token: undefined });
    expect(loadConfig({}).metrics).toEqual({ enabled: false, token: undefined });
    expect(() => loadConfig({ METRICS: 'yes' })).toThrow(/METRICS must be off or on/);
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/at least 16/);
  });
});
