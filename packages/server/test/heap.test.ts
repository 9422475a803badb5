import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { manageHeap } from '../src/observability/heap';
import { createLogger } from '../src/logger';
import { loadConfig } from '../src/config';

describe('heap management (goal 7 of issue 10)', () => {
  const logs: Array<Record<string, unknown>> = [];
  const logger = createLogger('debug', {
    write: (line: string) => {
      logs.push(JSON.parse(line) as Record<string, unknown>);
    },
  });
  let retained: unknown[] = [];
  const server = http.createServer((_req, res) => {
    // A burst's worth of objects that stay reachable until the request ends, as in-flight requests' do.
    retained = Array.from({ length: 400_000 }, (_, i) => ({ i, text: `row ${i}` }));
    res.end(String(retained.length));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('compacts a grown heap once no request has been in flight for the idle delay, not before', async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const stop = manageHeap(server, { growingPercent: 30, idleCompactSeconds: 1 }, logger);
    const { port } = server.address() as AddressInfo;
    await (await fetch(`http://127.0.0.1:${port}/`)).text();
    retained = [];
    await new Promise((r) => setTimeout(r, 400));
    expect(logs.filter((l) => l.msg === 'Idle: heap compacted')).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 1_200));
    const compacted = logs.filter((l) => l.msg === 'Idle: heap compacted');
    expect(compacted).toHaveLength(1);
    // The heap V8 holds shrinks (the process's RSS follows, but other work in this test worker moves it too).
    expect(compacted[0]!.heapMbAfter).toBeLessThan(compacted[0]!.heapMbBefore as number);
    stop();
  });

  it('reads its settings from the environment, with bounds', () => {
    const base = { DATABASE_URL: 'postgres://localhost/x' };
    expect(loadConfig(base).heap).toEqual({ growingPercent: 60, idleCompactSeconds: 5 });
    expect(loadConfig({ ...base, HEAP_GROWING_PERCENT: '0', IDLE_HEAP_COMPACT_SECONDS: '0' }).heap).toEqual({
      growingPercent: 0,
      idleCompactSeconds: 0,
    });
    expect(() => loadConfig({ ...base, HEAP_GROWING_PERCENT: '900' })).toThrow(/HEAP_GROWING_PERCENT must be 0-400/);
    expect(() => loadConfig({ ...base, IDLE_HEAP_COMPACT_SECONDS: '-1' })).toThrow(/IDLE_HEAP_COMPACT_SECONDS/);
  });
});
