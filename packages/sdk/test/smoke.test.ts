import { test, expect } from 'vitest';
import { startTestServer } from '@roster/server/testing';
import { RosterClient } from '../src';
test('smoke', async () => {
  const s = await startTestServer();
  try {
    const c = new RosterClient({ url: s.url });
    const i = await c.instance();
    console.log(i);
    expect(i.needsBootstrap).toBe(true);
  } finally { await s.close(); }
});
