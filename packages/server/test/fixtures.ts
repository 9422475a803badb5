import { ref } from '@mikro-orm/core';
import type { MikroORM } from '@mikro-orm/postgresql';
import { createRequestContext, type AppServices, type RequestContext } from '../src/graphql/context';
import { startTestServer, gql, type TestServer, type TestServerOptions } from '../src/testing';
import { User } from '../src/modules/accounts/user.entity';
import { Organization } from '../src/modules/organizations/organization.entity';
import { Membership } from '../src/modules/organizations/membership.entity';
import { issueSession } from '../src/auth/sessions';
import { hashPassword } from '../src/auth/passwords';
import { MemberStatus, OrgRole } from '../src/authz/roles';

export { gql };

export const ADMIN_PASSWORD = 'admin-password-1';

export interface Actor {
  user: User;
  token: string;
}

export interface InstanceWithAdmin {
  t: TestServer;
  url: string;
  admin: Actor;
  org: Organization;
}

/** Fixture "an instance with an admin": a server whose first sign-up (through the API) is done. */
export async function instanceWithAdmin(
  env: Record<string, string> = {},
  options: TestServerOptions = {},
): Promise<InstanceWithAdmin> {
  const t = await startTestServer(env, undefined, options);
  const res = await gql<{ signUp: { token: string; user: { id: string } } }>(
    t.url,
    'mutation($i: SignUpInput!) { signUp(input: $i) { token user { id } } }',
    {
      i: {
        email: 'admin@example.com',
        username: 'admin',
        name: 'Instance Admin',
        password: ADMIN_PASSWORD,
        organizationName: 'acme',
      },
    },
  );
  if (!res.data) throw new Error(`bootstrap failed: ${JSON.stringify(res.errors)}`);
  const em = t.server.db.orm.em.fork();
  const user = await em.findOneOrFail(User, { id: res.data.signUp.user.id });
  const org = await em.findOneOrFail(Organization, { name: 'acme' });
  return { t, url: t.url, admin: { user, token: res.data.signUp.token }, org };
}

/**
 * Creates a user with a membership and a session directly in the database. Invitations are the API path;
 * this fixture stands in for "an organization with members" so tests of other features need not go through them.
 */
export async function addMember(
  t: TestServer,
  org: Organization | null,
  username: string,
  role: OrgRole = OrgRole.MEMBER,
  status: MemberStatus = MemberStatus.ACTIVE,
  options: { password?: string; instanceAdmin?: boolean } = {},
): Promise<Actor> {
  const em = t.server.db.orm.em.fork();
  const user = em.create(User, {
    email: `${username}@example.com`,
    username,
    name: username[0]!.toUpperCase() + username.slice(1),
    passwordHash: options.password ? await hashPassword(options.password) : null,
    instanceAdmin: options.instanceAdmin ?? false,
  });
  if (org) em.create(Membership, { organization: ref(em.getReference(Organization, org.id)), user, role, status });
  const { token } = issueSession(em, user, 24, { clientAddress: null, userAgent: 'fixture' });
  await em.flush();
  return { user, token };
}

/** Counts SQL statements the server's connection pool runs while `fn` executes. */
export async function countStatements<T>(
  t: TestServer,
  fn: () => Promise<T>,
): Promise<{ result: T; statements: string[] }> {
  const knex = t.server.db.orm.em.getConnection().getKnex();
  const statements: string[] = [];
  const listener = (q: { sql: string }) => statements.push(q.sql);
  knex.on('query', listener);
  try {
    const result = await fn();
    return { result, statements };
  } finally {
    knex.off('query', listener);
  }
}

export function codeOf(res: { errors?: Array<{ extensions?: Record<string, unknown> }> }): unknown {
  return res.errors?.[0]?.extensions?.code;
}

/**
 * What a read through a lookup by natural key answered: the error code; 'absent' when the lookup (`organization`,
 * `team`, or `team.project`) was null without an error (absent or invisible: issue 9); 'ok' otherwise.
 */
export function outcomeOf(res: { data?: unknown; errors?: Array<{ extensions?: Record<string, unknown> }> }): unknown {
  const code = codeOf(res);
  if (code) return code;
  const data = res.data as { organization?: unknown; team?: { project?: unknown } | null } | null | undefined;
  if (data && (data.organization === null || data.team === null || (data.team != null && data.team.project === null)))
    return 'absent';
  return 'ok';
}

const INVITE =
  'mutation($i: InviteUserInput!) { inviteUser(input: $i) { acceptUrl invitation { id email role status expiresAt } ' +
  '} }';
const ACCEPT =
  'mutation($i: AcceptInvitationInput!) { acceptInvitation(input: $i) { token user { id username } organization { ' +
  'name } } }';

/** Invites without email and returns the token from the one-time accept link. */
export async function inviteByLink(
  url: string,
  adminToken: string,
  organization: string,
  email: string,
  role?: string,
): Promise<{ id: string; token: string; acceptUrl: string }> {
  const res = await gql<{ inviteUser: { acceptUrl: string; invitation: { id: string } } }>(
    url,
    INVITE,
    { i: { organization, email, role, sendEmail: false } },
    adminToken,
  );
  if (!res.data) throw new Error(`invite failed: ${JSON.stringify(res.errors)}`);
  const acceptUrl = res.data.inviteUser.acceptUrl;
  return { id: res.data.inviteUser.invitation.id, token: new URL(acceptUrl).searchParams.get('token')!, acceptUrl };
}

/** Accepts as a new user; returns the new session. */
export async function acceptAsNewUser(
  url: string,
  token: string,
  username: string,
): Promise<{ token: string; userId: string }> {
  const res = await gql<{ acceptInvitation: { token: string; user: { id: string } } }>(url, ACCEPT, {
    i: { token, username, name: `Person ${username}`, password: 'member-password-1' },
  });
  if (!res.data) throw new Error(`accept failed: ${JSON.stringify(res.errors)}`);
  return { token: res.data.acceptInvitation.token, userId: res.data.acceptInvitation.user.id };
}

export { INVITE, ACCEPT };

/** A request context on a given ORM, as another server process would build one (for invariant races). */
export function contextOn(orm: MikroORM, app: AppServices, user: User): RequestContext {
  return createRequestContext({
    requestId: 'race-test',
    em: orm.em.fork(),
    principal: { kind: 'user', user, method: 'SESSION', sessionId: null, apiKeyId: null },
    signal: new AbortController().signal,
    acceptsGraphQLResponseJson: false,
    clientAddress: null,
    userAgent: null,
    cookies: { set: () => undefined, clear: () => undefined },
    app,
    logger: app.logger,
  });
}

/** 'ok', or the error code a settled service call failed with. */
export const settledOutcome = (r: PromiseSettledResult<unknown>): string =>
  r.status === 'fulfilled' ? 'ok' : ((r.reason as { code?: string }).code ?? String(r.reason));
