import { describe, expect, test } from 'vitest';
import { ForbiddenError, InvalidCredentialsError, RosterClient, UnauthenticatedError } from '../src';
import { ADMIN, useServer } from './helpers';

// Tests in this file run in order on one server: bootstrap first, then sessions.
describe('accounts and sessions', () => {
  const server = useServer();

  test('signUp on a fresh instance bootstraps the admin and remembers the session', async () => {
    const client = new RosterClient({ url: server.url });
    expect((await client.instance()).needsBootstrap).toBe(true);
    expect(await client.viewer()).toBeNull();

    const result = await client.signUp({ ...ADMIN });
    expect(result.token).toEqual(expect.any(String));
    expect(Date.parse(result.expiresAt)).toBeGreaterThan(Date.now());
    expect(result.user).toMatchObject({
      username: 'ada',
      email: 'ada@example.com',
      name: 'Ada Lovelace',
      instanceAdmin: true,
    });
    expect(result.organization).toMatchObject({ name: 'default', viewerRole: 'ADMIN', seats: { used: 1 } });
    expect(client.getToken()).toBe(result.token);

    const viewer = await client.viewer();
    expect(viewer).toMatchObject({
      kind: 'USER',
      authenticatedWith: 'SESSION',
      user: { id: result.user.id, username: 'ada' },
    });
    expect(viewer?.user?.memberships.totalCount).toBe(1);
    expect(viewer?.user?.memberships.nodes).toEqual([
      expect.objectContaining({
        role: 'ADMIN',
        status: 'ACTIVE',
        organization: expect.objectContaining({ name: 'default' }),
      }),
    ]);
    const instance = await client.instance();
    expect(instance.needsBootstrap).toBe(false);
    expect(instance.settings).not.toBeNull();
  });

  test('logIn by username and by email returns distinct sessions that both work', async () => {
    const byUsername = new RosterClient({ url: server.url });
    const a = await byUsername.logIn({ login: ADMIN.username, password: ADMIN.password });
    const byEmail = new RosterClient({ url: server.url });
    const b = await byEmail.logIn({ login: 'ADA@example.com', password: ADMIN.password });

    expect(a.user.username).toBe('ada');
    expect(b.user.username).toBe('ada');
    expect(a.token).not.toBe(b.token);
    expect((await byUsername.viewer())?.user?.username).toBe('ada');
    expect((await byEmail.viewer())?.user?.email).toBe('ada@example.com');
  });

  test('a wrong password is InvalidCredentialsError and leaves the client anonymous', async () => {
    const client = new RosterClient({ url: server.url });
    const error = await client.logIn({ login: ADMIN.username, password: 'not the password' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidCredentialsError);
    expect(client.getToken()).toBeUndefined();
  });

  test('logOut forgets the token (viewer is null) and the server refuses the old session', async () => {
    const client = new RosterClient({ url: server.url });
    const { token } = await client.logIn({ login: ADMIN.username, password: ADMIN.password });
    const { sessionId } = await client.logOut();
    expect(sessionId).toEqual(expect.any(String));
    expect(client.getToken()).toBeUndefined();
    expect(await client.viewer()).toBeNull();

    const stale = new RosterClient({ url: server.url, token });
    const error = await stale.viewer().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnauthenticatedError);
    expect(error).toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
  });

  test('a stale token does not stop logIn, which replaces it', async () => {
    const client = new RosterClient({ url: server.url });
    await client.logIn({ login: ADMIN.username, password: ADMIN.password });
    await client.logOut();
    client.setToken('expired-or-revoked-session-token');
    await expect(client.viewer()).rejects.toBeInstanceOf(UnauthenticatedError);
    const { token } = await client.logIn({ login: ADMIN.username, password: ADMIN.password });
    expect(client.getToken()).toBe(token);
    expect((await client.viewer())?.user?.username).toBe('ada');
  });

  test('logOut with an API key is refused with ForbiddenError', async () => {
    const admin = new RosterClient({ url: server.url });
    await admin.logIn({ login: ADMIN.username, password: ADMIN.password });
    const { secret } = await admin.createApiKey({ name: 'logout-probe' });
    const keyClient = new RosterClient({ url: server.url, apiKey: secret });
    const error = await keyClient.logOut().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error).toMatchObject({ code: 'FORBIDDEN' });
    expect((await keyClient.viewer())?.authenticatedWith).toBe('API_KEY');
  });
});
