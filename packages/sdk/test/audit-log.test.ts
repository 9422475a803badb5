import { beforeAll, describe, expect, test } from 'vitest';
import { BadUserInputError, ForbiddenError, InvalidCredentialsError, RosterClient, auditLogEvents } from '../src';
import { ADMIN, bootstrapAdmin, useServer } from './helpers';

describe('audit log', () => {
  const server = useServer();
  let admin: RosterClient;
  beforeAll(async () => {
    ({ client: admin } = await bootstrapAdmin(server.url));
    await expect(new RosterClient({ url: server.url }).logIn({ login: 'nobody', password: 'x' })).rejects.toThrow(
      InvalidCredentialsError,
    );
  });

  test('instanceAuditLog pages the whole log; exportAuditLog streams the same events as JSON Lines', async () => {
    const page = await admin.instanceAuditLog({ actions: ['USER_LOGIN_FAILED', 'USER_SIGNED_UP'], first: 10 });
    expect(page.nodes.map((n) => n.action).sort()).toEqual(['USER_LOGIN_FAILED', 'USER_SIGNED_UP']);
    const stream = await admin.exportAuditLog({ actions: ['USER_LOGIN_FAILED', 'USER_SIGNED_UP'] });
    expect(stream).toBeInstanceOf(ReadableStream);
    const events = [];
    for await (const e of auditLogEvents(stream)) events.push(e);
    expect(events.map((e) => e.id)).toEqual(page.nodes.map((n) => n.id));
    expect(events.find((e) => e.action === 'USER_LOGIN_FAILED')).toMatchObject({
      target: { type: 'login' },
      organizationId: null,
    });
  });

  test('revokeSessions ends the other sessions and is audited', async () => {
    const other = new RosterClient({ url: server.url });
    await other.logIn({ login: ADMIN.username, password: ADMIN.password });
    const res = await admin.revokeSessions({ keepCurrent: true });
    expect(res.revokedCount).toBe(1);
    await expect(other.viewer()).rejects.toThrow();
    const log = await admin.instanceAuditLog({ actions: ['USER_SESSIONS_REVOKED'] });
    expect(log.nodes[0]).toMatchObject({ metadata: { count: 1, keptCurrent: true } });
  });

  test('exportAuditLog throws the typed errors of the API', async () => {
    await expect(admin.exportAuditLog({ since: 'yesterday' })).rejects.toThrow(BadUserInputError);
    await expect(new RosterClient({ url: server.url }).exportAuditLog()).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
    const org = 'acme';
    await admin.createOrganization({ name: org });
    const { acceptUrl } = await admin.org(org).inviteUser({ email: 'grace@example.com', sendEmail: false });
    const grace = new RosterClient({ url: server.url });
    await grace.acceptInvitation({
      token: new URL(acceptUrl!).searchParams.get('token')!,
      username: 'grace',
      name: 'Grace Hopper',
      password: 'grace-password-1',
    });
    await expect(grace.exportAuditLog()).rejects.toThrow(ForbiddenError);
    await expect(grace.exportAuditLog({ organization: org })).rejects.toThrow(ForbiddenError);
    await expect(grace.instanceAuditLog()).rejects.toThrow(ForbiddenError);
  });
});
