import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { Principal } from '../auth/principal';
import { Authz } from '../authz/policy';
import { createLoaders, membershipKey, teamMembershipFacts, type Loaders } from './loaders';
import type { ActivityTracker } from '../modules/activity/activity-tracker';
import type { EmailSender } from '../modules/mail/email-sender';
import type { SignInThrottle } from '../auth/sign-in-throttle';
import type { PasswordHasher } from '../auth/passwords';
import type { ApiKeyUsage } from '../auth/api-key-usage';
import type { InstanceState } from '../modules/instance/instance-state';
import type { SsoSettingsSource } from '../modules/sso/sso-settings';
import type { InstanceSettingsStore } from '../modules/settings/instance-settings-store';

export interface SessionCookieWriter {
  set(token: string, expiresAt: Date): void;
  clear(): void;
  /** The OIDC `state` of a sign-in this browser started (httpOnly, path /auth/oidc); absent outside HTTP. */
  setSignInState?(state: string, expiresAt: Date): void;
}

/** Sets a header on the HTTP response (e.g. Retry-After with RATE_LIMITED). */
export interface ResponseHeaderWriter {
  setHeader(name: string, value: string): void;
}

const NO_RESPONSE: ResponseHeaderWriter = { setHeader: () => undefined };

/** Process-wide collaborators, shared by every request. */
export interface AppServices {
  config: Config;
  logger: Logger;
  activity: ActivityTracker;
  /** Delivers the email outbox; kick() it after committing a transaction that queued an email. */
  mail: EmailSender;
  /** Failed-password counters shared by every process (logIn, acceptInvitation with a password). */
  signIn: SignInThrottle;
  /** The process-wide bound on argon2 work: hash and verify passwords only through it. */
  passwords: PasswordHasher;
  /** Coalesces API keys' lastUsedAt writes per process. */
  apiKeyUsage: ApiKeyUsage;
  /** Remembers that the instance is bootstrapped, so `instance { needsBootstrap }` stops reading users. */
  instanceState: InstanceState;
  /** SSO providers, provisioning and group mappings in effect now (read on every sign-in). */
  ssoSettings: SsoSettingsSource;
  /**
   * Instance settings in effect: session and invitation lifetimes, SMTP, password sign-in, SSO (ssoSettings reads
   * it). At most SETTINGS_REFRESH_MS old; a change made in this process applies at once.
   */
  settings: InstanceSettingsStore;
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
  response: ResponseHeaderWriter;
  app: AppServices;
  logger: Logger;
  /** Aborted when the request runs past REQUEST_TIMEOUT_SECONDS or its client disconnects; fields stop resolving. */
  signal: AbortSignal;
  /** The client prefers `application/graphql-response+json`, so request errors get 4xx statuses. */
  acceptsGraphQLResponseJson: boolean;
}

export function createRequestContext(params: {
  requestId: string;
  em: EntityManager;
  principal: Principal;
  clientAddress: string | null;
  userAgent: string | null;
  cookies: SessionCookieWriter;
  /** Absent outside HTTP (tests, jobs): headers are then dropped. */
  response?: ResponseHeaderWriter;
  app: AppServices;
  logger: Logger;
  signal: AbortSignal;
  acceptsGraphQLResponseJson: boolean;
}): RequestContext {
  const loaders = createLoaders(params.em);
  const authz = new Authz(
    params.principal,
    (orgId, userId) => loaders.membership.load(membershipKey(orgId, userId)),
    async (teamId, userId) =>
      teamMembershipFacts(await loaders.teamMembership.load(membershipKey(teamId, userId)), (id) =>
        loaders.customRole.load(id),
      ),
  );
  return {
    ...params,
    response: params.response ?? NO_RESPONSE,
    loaders,
    authz,
    get principal() {
      return authz.principal;
    },
  };
}
