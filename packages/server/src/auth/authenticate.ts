import type { EntityManager } from '@mikro-orm/postgresql';
import { GraphQLError } from 'graphql';
import { ApiKey } from '../modules/api-keys/api-key.entity';
import { ServiceAccount } from '../modules/service-accounts/service-account.entity';
import { User } from '../modules/accounts/user.entity';
import { selectRows } from '../db/select-entities';
import { ANONYMOUS, type Principal } from './principal';
import { API_KEY_PREFIX, hashSecret, isWellFormedApiKey } from './secrets';
import { ErrorCode } from '../errors';
import type { ApiKeyUsage } from './api-key-usage';
import { AuditAction, recordAudit } from '../modules/audit/audit.service';

/** Whom a service account's request acts for (docs/API.md, "Service accounts"): a username or an email. */
export const ACTING_USER_HEADER = 'x-roster-acting-user';

export interface Credentials {
  /** From `Authorization: Bearer ...`: a bad one is an error. */
  bearer: string | null;
  /** From the session cookie: a stale one is ignored (the browser may still log in). */
  cookie: string | null;
  /**
   * From `X-Roster-Acting-User`: whom a service account's request acts for. Ignored for people (the SDK sends it
   * from WANDB_USERNAME whatever the key, as W&B's client does); validated where a run or report is written.
   */
  actingUser?: string | null;
}

export class AuthenticationError extends GraphQLError {
  constructor(message: string) {
    super(message, { extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401 } } });
  }
}

/** A service account's key whose account is disabled: refused on every request until it is enabled again. */
export class ServiceAccountDisabledError extends GraphQLError {
  constructor(name: string) {
    super(
      `The service account "${name}" is disabled, so its API keys are refused. Ask a team admin to enable it ` +
        '(enableServiceAccount) or use another key.',
      { extensions: { code: ErrorCode.SERVICE_ACCOUNT_DISABLED, http: { status: 403 } } },
    );
  }
}

export function readBearer(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new AuthenticationError('The Authorization header must be "Bearer <session token or API key>".');
  return match[1]!;
}

export interface AuthenticateOptions {
  /** Writes lastUsedAt, coalesced per key per process. */
  apiKeyUsage: ApiKeyUsage;
  /** For the audit event of a request with an expired key. */
  clientAddress?: string | null;
}

/**
 * The first request that comes with a key after its expiry is audited (api_key.expired_on_use, actor: the key's
 * owner), once per key: the conditional update claims it, so concurrent requests and processes write one event.
 * A scheduled job still using an expired key is what a security team wants to hear about.
 */
async function auditExpiredUse(em: EntityManager, apiKey: ApiKey, clientAddress: string | null | undefined) {
  if (apiKey.expiredUseAuditedAt) return;
  const fork = em.fork();
  await fork.transactional(async (tx) => {
    const claimed = await tx.nativeUpdate(
      ApiKey,
      { id: apiKey.id, expiredUseAuditedAt: null },
      { expiredUseAuditedAt: new Date() },
    );
    if (!claimed) return;
    const account = apiKey.serviceAccount?.getEntity() ?? null;
    const user = apiKey.user?.getEntity() ?? null;
    recordAudit(
      tx,
      { principal: ANONYMOUS, clientAddress: clientAddress ?? null },
      {
        action: AuditAction.API_KEY_EXPIRED_ON_USE,
        actor: account
          ? { type: 'service_account', id: account.id, label: account.name }
          : { type: 'user', id: user?.id ?? null, label: user?.username ?? null },
        organizationId: account?.organization.id ?? null,
        target: { type: 'api_key', id: apiKey.id, label: apiKey.name },
        metadata: { lastFour: apiKey.lastFour, expiresAt: apiKey.expiresAt?.toISOString() ?? null },
      },
    );
  });
}

/**
 * `api_key.used_from_new_address`, once per key and client address: the process-wide set skips pairs already seen
 * here, and the insert into api_key_addresses (primary key: key and address) claims the event across processes, in
 * the same transaction as the event. So a key used from one address costs no write after its first request there.
 */
async function auditNewAddress(em: EntityManager, apiKey: ApiKey, options: AuthenticateOptions): Promise<void> {
  const address = options.clientAddress;
  if (!address || !options.apiKeyUsage.firstSeenHere(apiKey.id, address)) return;
  try {
    await em.fork().transactional(async (tx) => {
      const claimed: unknown[] = await tx.execute(
        'insert into api_key_addresses (api_key_id, client_address) values (?, ?) on conflict do nothing ' +
          'returning api_key_id',
        [apiKey.id, address],
      );
      if (claimed.length === 0) return;
      const account = apiKey.serviceAccount?.getEntity() ?? null;
      const user = apiKey.user?.getEntity() ?? null;
      recordAudit(
        tx,
        { principal: ANONYMOUS, clientAddress: address },
        {
          action: AuditAction.API_KEY_USED_FROM_NEW_ADDRESS,
          actor: account
            ? { type: 'service_account', id: account.id, label: account.name }
            : { type: 'user', id: user?.id ?? null, label: user?.username ?? null },
          organizationId: account?.organization.id ?? null,
          target: { type: 'api_key', id: apiKey.id, label: apiKey.name },
          metadata: { lastFour: apiKey.lastFour },
        },
      );
    });
  } catch (err) {
    options.apiKeyUsage.forgetAddress(apiKey.id, address);
    throw err;
  }
}

/** Turns a request's credentials into a principal. Revocation and expiry are checked on every request. */
export async function authenticate(
  em: EntityManager,
  credentials: Credentials,
  options: AuthenticateOptions,
): Promise<Principal> {
  if (credentials.bearer) {
    const principal = credentials.bearer.startsWith(API_KEY_PREFIX)
      ? await fromApiKey(em, credentials.bearer, credentials.actingUser ?? null, options)
      : await fromSession(em, credentials.bearer);
    if (!principal)
      throw new AuthenticationError(
        'The session or API key is unknown, expired or revoked. Log in again or create a new API key.',
      );
    return principal;
  }
  if (credentials.cookie) return (await fromSession(em, credentials.cookie)) ?? ANONYMOUS;
  return ANONYMOUS;
}

async function fromSession(em: EntityManager, token: string): Promise<Principal | null> {
  // Every request with a session makes this lookup: one fixed statement, no ORM query building (selectEntities). The
  // session's own facts are only checked, so they are plain columns; the user becomes an entity.
  const [found] = await selectRows<{ user: User }, { session_id: string; revoked: boolean; expires_at: string | Date }>(
    em,
    { user: User },
    'select s.id as session_id, s.revoked_at is not null as revoked, s.expires_at, to_jsonb(u) as user from ' +
      'sessions s join users u on u.id = s.user_id where s.token_hash = ?',
    [hashSecret(token)],
    'roster_session_by_token',
  );
  // The driver leaves timestamps as text for the ORM to read.
  if (!found?.user || found.revoked || new Date(found.expires_at).getTime() <= Date.now()) return null;
  return { kind: 'user', user: found.user, method: 'SESSION', sessionId: found.session_id, apiKeyId: null };
}

async function fromApiKey(
  em: EntityManager,
  key: string,
  actingUser: string | null,
  options: AuthenticateOptions,
): Promise<Principal | null> {
  if (!isWellFormedApiKey(key)) {
    throw new AuthenticationError(
      'The API key is malformed (its checksum does not match): check that it was copied whole.',
    );
  }
  // Like a session, on every request with a key: one fixed statement. The owner is merged before the key, so the
  // key's reference to it is the loaded entity.
  const [found] = await selectRows<{ user: User; serviceAccount: ServiceAccount; apiKey: ApiKey }>(
    em,
    { user: User, serviceAccount: ServiceAccount, apiKey: ApiKey },
    'select to_jsonb(u) as user, to_jsonb(sa) as "serviceAccount", to_jsonb(k) as "apiKey" from api_keys k ' +
      'left join users u on u.id = k.user_id left join service_accounts sa on sa.id = k.service_account_id ' +
      'where k.key_hash = ?',
    [hashSecret(key)],
    'roster_api_key_by_hash',
  );
  const apiKey = found?.apiKey;
  if (apiKey && !apiKey.revokedAt && apiKey.isExpired()) await auditExpiredUse(em, apiKey, options.clientAddress);
  if (!apiKey?.isUsable()) return null;
  const serviceAccount = apiKey.serviceAccount?.getEntity() ?? null;
  if (serviceAccount?.disabledAt) throw new ServiceAccountDisabledError(serviceAccount.name);
  // Written at most once per interval; concurrent requests and processes do not pile up writes.
  await options.apiKeyUsage.record(em, apiKey.id, apiKey.lastUsedAt);
  await auditNewAddress(em, apiKey, options);
  if (serviceAccount) {
    const acting = actingUser?.trim() || null;
    return { kind: 'service_account', serviceAccount, method: 'API_KEY', apiKeyId: apiKey.id, actingAs: acting };
  }
  if (!apiKey.user) return null;
  return { kind: 'user', user: apiKey.user.getEntity(), method: 'API_KEY', sessionId: null, apiKeyId: apiKey.id };
}
