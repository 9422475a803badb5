import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import {
  ACTING_USER_HEADER,
  AttributionError,
  ForbiddenError,
  resolveActingUser,
  RosterClient,
  ServiceAccountDisabledError,
  UnauthenticatedError,
} from '../src';
import { ADMIN, useServer } from './helpers';

const ORG = 'acme';
const TEAM = 'ml';
const PASSWORD = 'member-password-1';
const ENV = ['ROSTER_USERNAME', 'WANDB_USERNAME', 'WANDB_USER_EMAIL'] as const;

/** The `token` query parameter of an accept link. */
function tokenOf(acceptUrl: string | null | undefined): string {
  const token = acceptUrl ? new URL(acceptUrl).searchParams.get('token') : null;
  if (!token) throw new Error('no accept link');
  return token;
}

// One server; the tests build on each other: a team admin's service account, its key, runs logged in CI.
describe('service accounts and attribution', () => {
  const server = useServer();
  let admin: RosterClient;
  const people = {} as Record<'tara' | 'tim' | 'olga', RosterClient>;
  let serviceAccountId = '';
  let secret = '';
  const saved = Object.fromEntries(ENV.map((name) => [name, process.env[name]]));

  afterEach(() => {
    for (const name of ENV) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  beforeAll(async () => {
    admin = new RosterClient({ url: server.url });
    await admin.signUp({ ...ADMIN, organizationName: ORG });
    await admin.createTeam({ organization: ORG, name: TEAM });
    for (const username of ['tara', 'tim', 'olga'] as const) {
      const { acceptUrl } = await admin.inviteUser({
        organization: ORG,
        email: `${username}@example.com`,
        sendEmail: false,
      });
      const client = new RosterClient({ url: server.url });
      await client.acceptInvitation({ token: tokenOf(acceptUrl), username, name: username, password: PASSWORD });
      people[username] = client;
    }
    await admin.org(ORG).team(TEAM).addMember({ user: 'tara', role: 'ADMIN' });
    await admin.org(ORG).team(TEAM).addMember({ user: 'tim', role: 'MEMBER' });
    await admin.org(ORG).team(TEAM).createProject({ name: 'train', visibility: 'PRIVATE' });
  });

  test('the acting user comes from the username option, else ROSTER_USERNAME, WANDB_USERNAME, WANDB_USER_EMAIL', () => {
    for (const name of ENV) delete process.env[name];
    expect(resolveActingUser(undefined)).toBeUndefined();
    process.env.WANDB_USER_EMAIL = 'tim@example.com';
    expect(resolveActingUser(undefined)).toBe('tim@example.com');
    process.env.WANDB_USERNAME = 'tim';
    expect(resolveActingUser(undefined)).toBe('tim');
    process.env.ROSTER_USERNAME = 'tara';
    expect(resolveActingUser(undefined)).toBe('tara');
    expect(resolveActingUser(' olga ')).toBe('olga');
    expect(resolveActingUser(null)).toBeUndefined();
    expect(ACTING_USER_HEADER).toBe('x-roster-acting-user');
  });

  test('a team admin creates a service account and a key; the secret is shown once', async () => {
    const { serviceAccount } = await people.tara.org(ORG).createServiceAccount({ team: TEAM, name: 'ci-trainer' });
    expect(serviceAccount).toMatchObject({ name: 'ci-trainer', status: 'ACTIVE', team: { name: TEAM } });
    serviceAccountId = serviceAccount.id;
    const key = await people.tara.createServiceAccountKey({ serviceAccount: serviceAccount.id, name: 'github' });
    secret = key.secret;
    expect(secret.startsWith('rsk_')).toBe(true);
    const listed = await people.tara.teamServiceAccountKeys({ organization: ORG, team: TEAM });
    expect(listed.nodes[0]!.apiKeys.nodes.map((k) => k.lastFour)).toEqual([secret.slice(-4)]);
    expect(JSON.stringify(listed)).not.toContain(secret);
    // A team member sees the account, not its keys; an org member outside the team sees neither.
    expect((await people.tim.teamServiceAccounts({ organization: ORG, team: TEAM })).totalCount).toBe(1);
    await expect(people.tim.teamServiceAccountKeys({ organization: ORG, team: TEAM })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await expect(people.olga.teamServiceAccounts({ organization: ORG, team: TEAM })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
  });

  test('CI with ROSTER_API_KEY and WANDB_USERNAME logs runs as the person, logged by the service account', async () => {
    process.env.WANDB_USERNAME = 'tim';
    const ci = new RosterClient({ url: server.url, apiKey: secret });
    const viewer = await ci.viewer();
    expect(viewer).toMatchObject({ kind: 'SERVICE_ACCOUNT', user: null, serviceAccount: { name: 'ci-trainer' } });
    const { run } = await ci.org(ORG).team(TEAM).logRun({ project: 'train' });
    expect(run).toMatchObject({
      createdBy: { username: 'tim' },
      createdByUsername: 'tim',
      loggedBy: { id: serviceAccountId, name: 'ci-trainer' },
      loggedByName: 'ci-trainer',
    });
    // The username option wins over the environment; an email names the person too.
    const byEmail = new RosterClient({ url: server.url, apiKey: secret, username: 'tara@example.com' });
    expect((await byEmail.org(ORG).team(TEAM).logRun({ project: 'train' })).run.createdBy).toEqual({
      username: 'tara',
    });
    // Without anyone named, the service account is the author.
    const anonymous = new RosterClient({ url: server.url, apiKey: secret, username: null });
    const own = (await anonymous.org(ORG).team(TEAM).logRun({ project: 'train' })).run;
    expect(own).toMatchObject({ createdBy: null, createdByUsername: 'ci-trainer', loggedByName: 'ci-trainer' });
  });

  test('naming someone outside the team fails with AttributionError and writes nothing', async () => {
    const runCount = async () => (await admin.org(ORG).team(TEAM).runs({ project: 'train', first: 1 })).totalCount;
    const before = await runCount();
    const ci = new RosterClient({ url: server.url, apiKey: secret, username: 'olga' });
    const error = await ci
      .org(ORG)
      .team(TEAM)
      .logRun({ project: 'train' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AttributionError);
    const e = error as AttributionError;
    expect(e.code).toBe('ATTRIBUTION_FAILED');
    expect(e.actingUser).toBe('olga');
    expect(e.team).toBe(TEAM);
    expect(e.message).toContain('"olga"');
    expect(e.message).toContain(`"${TEAM}"`);
    expect(await runCount()).toBe(before);
  });

  test('disabling stops the key on the next request; rotation keeps both keys for the grace period', async () => {
    const ci = new RosterClient({ url: server.url, apiKey: secret, username: null });
    await people.tara.disableServiceAccount({ id: serviceAccountId });
    await expect(ci.viewer()).rejects.toBeInstanceOf(ServiceAccountDisabledError);
    await people.tara.enableServiceAccount({ id: serviceAccountId });
    expect((await ci.viewer())?.kind).toBe('SERVICE_ACCOUNT');

    const keys = await people.tara.teamServiceAccountKeys({ organization: ORG, team: TEAM });
    const oldId = keys.nodes[0]!.apiKeys.nodes[0]!.id;
    const rotated = await people.tara.rotateApiKey({ id: oldId, graceHours: 1 });
    expect(rotated.previousApiKey).toMatchObject({ id: oldId, status: 'ACTIVE' });
    const next = new RosterClient({ url: server.url, apiKey: rotated.secret, username: null });
    expect((await ci.viewer())?.kind).toBe('SERVICE_ACCOUNT');
    expect((await next.viewer())?.kind).toBe('SERVICE_ACCOUNT');
    await people.tara.revokeApiKey({ id: oldId });
    await expect(ci.viewer()).rejects.toBeInstanceOf(UnauthenticatedError);

    await people.tara.updateServiceAccount({ id: serviceAccountId, name: 'ci-renamed' });
    const deleted = await people.tara.deleteServiceAccount({ id: serviceAccountId });
    expect(deleted).toMatchObject({ deletedServiceAccountId: serviceAccountId, keysRevoked: 1 });
    await expect(next.viewer()).rejects.toBeInstanceOf(UnauthenticatedError);
  });

  test('an org admin creates an organization service account; it is listed on the organization', async () => {
    await expect(people.tara.org(ORG).createServiceAccount({ name: 'fleet' })).rejects.toBeInstanceOf(ForbiddenError);
    const { serviceAccount } = await admin.org(ORG).createServiceAccount({ name: 'fleet' });
    expect(serviceAccount).toMatchObject({ name: 'fleet', team: null, organization: { name: ORG } });
    expect((await people.tim.org(ORG).serviceAccounts()).nodes.map((a) => a.name)).toEqual(['fleet']);
  });
});
