import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { Principal } from '../auth/principal';
import { Authz } from '../authz/policy';
import { createLoaders, membershipKey, teamMembershipFacts, type Loaders } from './loaders';
import type { ActivityTracker } from '../modules/activity/activity-tracker';
import type { EmailSender } from '../modules/mail/email-sender';

export interface SessionCookieWriter {
  set(token: string, expiresAt: Date): void;
  clear(): void;
}

/** Process-wide collaborators, shared by every request. */
export interface AppServices {
  config: Config;
  logger: Logger;
  activity: ActivityTracker;
  /** Delivers the email outbox; kick() it after committing a transaction that queued an email. */
  mail: EmailSender;
}

/** Everything request-scoped: built fresh for every request, never global. */
export interface RequestContext {
  requestId: string;
  em: EntityManager;
  principal: Principal;
  authz: Authz;
  loaders: Loaders;
  clientAddress: string | null;
  userAgent: string | null;
  cookies: SessionCookieWriter;
  app: AppServices;
  logger: Logger;
}

export function createRequestContext(params: {
  requestId: string;
  em: EntityManager;
  principal: Principal;
  clientAddress: string | null;
  userAgent: string | null;
  cookies: SessionCookieWriter;
  app: AppServices;
  logger: Logger;
}): RequestContext {
  const loaders = createLoaders(params.em);
  const authz = new Authz(
    params.principal,
    (orgId, userId) => loaders.membership.load(membershipKey(orgId, userId)),
    async (teamId, userId) => teamMembershipFacts(await loaders.teamMembership.load(membershipKey(teamId, userId)), (id) => loaders.customRole.load(id)),
  );
  return {
    ...params,
    loaders,
    authz,
    get principal() {
      return authz.principal;
    },
  };
}
