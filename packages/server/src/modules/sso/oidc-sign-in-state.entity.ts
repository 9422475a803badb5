import { randomUUID } from 'node:crypto';
import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * One OIDC sign-in in flight: what the callback must check (the PKCE verifier, the nonce) and where to go after.
 * Keyed by the SHA-256 of `state`; the browser that started the flow holds `state` itself in a short-lived httpOnly
 * cookie, so a callback link sent to someone else is refused (login CSRF). Deleted by the callback that uses it:
 * single use, whatever the outcome.
 */
@Entity({ tableName: 'oidc_sign_in_states' })
export class OidcSignInState {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'string', length: 64, unique: true })
  stateHash!: string;

  @Property({ type: 'string', length: 40 })
  provider!: string;

  @Property({ type: 'string', length: 128 })
  codeVerifier!: string;

  @Property({ type: 'string', length: 128 })
  nonce!: string;

  /** A path on this server (checked when the flow starts). */
  @Property({ type: 'string', length: 2048 })
  redirect!: string;

  @Index()
  @Property({ type: 'datetime' })
  expiresAt!: Date;
}
