import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { RosterClient, RosterError, UnauthenticatedError } from '../src';
import { bootstrapAdmin, changeOneChar, useServer } from './helpers';

describe('API keys', () => {
  const server = useServer();
  let admin: RosterClient;
  beforeAll(async () => {
    ({ client: admin } = await bootstrapAdmin(server.url));
  });

  test('a client built from { url, apiKey } acts as the key owner until the key is revoked', async () => {
    const created = await admin.createApiKey({ name: 'ci-bot' });
    expect(created.secret.startsWith('rsk_')).toBe(true);
    expect(created.apiKey).toMatchObject({
      name: 'ci-bot',
      status: 'ACTIVE',
      lastFour: created.secret.slice(-4),
      revokedAt: null,
    });

    const keyClient = new RosterClient({ url: server.url, apiKey: created.secret });
    const viewer = await keyClient.viewer();
    expect(viewer).toMatchObject({ authenticatedWith: 'API_KEY', user: { username: 'ada' } });

    const revoked = await admin.revokeApiKey({ id: created.apiKey.id });
    expect(revoked.apiKey).toMatchObject({ id: created.apiKey.id, status: 'REVOKED' });
    expect(revoked.apiKey.revokedAt).not.toBeNull();
    expect(revoked.changed).toBe(true);
    // Idempotent: a revoked key revoked again is { changed: false }, keeping its revokedAt.
    expect(await admin.revokeApiKey({ id: created.apiKey.id })).toMatchObject({
      changed: false,
      apiKey: { status: 'REVOKED', revokedAt: revoked.apiKey.revokedAt },
    });

    const error = await keyClient.viewer().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnauthenticatedError);
    expect(error).toBeInstanceOf(RosterError);
    const e = error as UnauthenticatedError;
    expect(e.code).toBe('UNAUTHENTICATED');
    expect(e.status).toBe(401);
    expect(e.requestId).toEqual(expect.any(String));
    expect(e.errors).toHaveLength(1);
  });

  test(
    "apiKeys and iterateApiKeys list the caller's keys, " + 'newest first, hiding revoked ones unless asked',
    async () => {
      const names = ['k1', 'k2', 'k3', 'k4', 'k5'];
      const ids: string[] = [];
      for (const name of names) ids.push((await admin.createApiKey({ name })).apiKey.id);
      await admin.revokeApiKey({ id: ids[0]! });

      const page = await admin.apiKeys({ first: 2 });
      expect(page.nodes.map((k) => k.name)).toEqual(['k5', 'k4']);
      expect(page.totalCount).toBe(4);
      expect(page.pageInfo.hasNextPage).toBe(true);
      expect(page.edges).toHaveLength(2);

      const active: string[] = [];
      for await (const key of admin.iterateApiKeys({ pageSize: 2 })) active.push(key.name);
      expect(active).toEqual(['k5', 'k4', 'k3', 'k2']);

      const all: string[] = [];
      for await (const key of admin.iterateApiKeys({ pageSize: 3, includeInactive: true })) all.push(key.name);
      // ci-bot (revoked by the previous test) and k1 appear only with includeInactive.
      expect(all).toEqual(['k5', 'k4', 'k3', 'k2', 'k1', 'ci-bot']);
    },
  );

  test('apiKeys on an anonymous client throws UnauthenticatedError', async () => {
    const anonymous = new RosterClient({ url: server.url });
    await expect(anonymous.apiKeys()).rejects.toBeInstanceOf(UnauthenticatedError);
  });

  test('a malformed key (one character changed) is UnauthenticatedError', async () => {
    const { secret } = await admin.createApiKey({ name: 'to-mangle' });
    const mangled = changeOneChar(secret);
    expect(mangled).not.toBe(secret);
    const client = new RosterClient({ url: server.url, apiKey: mangled });
    const error = await client.viewer().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnauthenticatedError);
    expect((error as UnauthenticatedError).message).toMatch(/malformed|unknown/);
    // The genuine key still works.
    expect((await new RosterClient({ url: server.url, apiKey: secret }).viewer())?.user?.username).toBe('ada');
  });

  describe('configuration from the environment', () => {
    const saved = { url: process.env.ROSTER_URL, key: process.env.ROSTER_API_KEY };
    afterEach(() => {
      restore('ROSTER_URL', saved.url);
      restore('ROSTER_API_KEY', saved.key);
    });

    test('new RosterClient() reads ROSTER_URL and ROSTER_API_KEY', async () => {
      const { secret } = await admin.createApiKey({ name: 'from-env' });
      process.env.ROSTER_URL = `${server.url}/`; // a trailing slash is tolerated
      process.env.ROSTER_API_KEY = secret;
      const client = new RosterClient();
      expect(client.endpoint).toBe(`${server.url}/graphql`);
      expect(await client.viewer()).toMatchObject({ authenticatedWith: 'API_KEY', user: { username: 'ada' } });
      const names: string[] = [];
      for await (const key of client.iterateApiKeys()) names.push(key.name);
      expect(names).toContain('from-env');
    });

    test('without a URL the constructor explains what to set', () => {
      delete process.env.ROSTER_URL;
      expect(() => new RosterClient()).toThrow(/ROSTER_URL/);
    });
  });
});

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
