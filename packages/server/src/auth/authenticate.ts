import type { EntityManager } from '@mikro-orm/postgresql';
import { GraphQLError } from 'graphql';
import { ApiKey } from '../modules/api-keys/api-key.entity';
import { Session } from './session.entity';
import { ANONYMOUS, type Principal } from './principal';
import { API_KEY_PREFIX, hashSecret, isWellFormedApiKey } from './secrets';
import { ErrorCode } from '../errors';
import type { ApiKeyUsage } from './api-key-usage';

export interface Credentials {
  /** From `Authorization: Bearer ...`: a bad one is an error. */
  bearer: string | null;
  /** From the session cookie: a stale one is ignored (the browser may still log in). */
  cookie: string | null;
}

export class AuthenticationError extends GraphQLError {
  constructor(message: string) {
    super(message, { extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401 } } });
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
}

/** Turns a request's credentials into a principal. Revocation and expiry are checked on every request. */
export async function authenticate(
  em: EntityManager,
  credentials: Credentials,
  options: AuthenticateOptions,
): Promise<Principal> {
  if (credentials.bearer) {
    const principal = credentials.bearer.startsWith(API_KEY_PREFIX)
      ? await fromApiKey(em, credentials.bearer, options)
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
  const session = await em.findOne(Session, { tokenHash: hashSecret(token) }, { populate: ['user'] });
  if (!session || session.revokedAt || session.expiresAt.getTime() <= Date.now()) return null;
  return { kind: 'user', user: session.user.getEntity(), method: 'SESSION', sessionId: session.id, apiKeyId: null };
}

async function fromApiKey(em: EntityManager, key: string, options: AuthenticateOptions): Promise<Principal | null> {
  if (!isWellFormedApiKey(key)) {
    throw new AuthenticationError(
      'The API key is malformed (its checksum does not match): check that it was copied whole.',
    );
  }
  const apiKey = await em.findOne(ApiKey, { keyHash: hashSecret(key) }, { populate: ['user'] });
  if (!apiKey?.isUsable()) return null;
  // Written at most once per interval; concurrent requests and processes do not pile up writes.
  await options.apiKeyUsage.record(em, apiKey.id, apiKey.lastUsedAt);
  return { kind: 'user', user: apiKey.user.getEntity(), method: 'API_KEY', sessionId: null, apiKeyId: apiKey.id };
}
