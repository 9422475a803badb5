import { webcrypto } from 'node:crypto';
import type { OidcProviderSettings } from './sso-settings';

/** openid-client is ECMAScript-only: this CommonJS package loads it with a dynamic import, once. */
type OidcClient = typeof import('openid-client', { with: { 'resolution-mode': 'import' }});
type Configuration = Awaited<ReturnType<OidcClient['discovery']>>;
type ClientAuth = ReturnType<OidcClient['ClientSecretBasic']>;
type PrivateKey = Parameters<OidcClient['PrivateKeyJwt']>[0];
type DiscoveryRequestOptions = NonNullable<Parameters<OidcClient['discovery']>[4]>;
let loaded: Promise<OidcClient> | null = null;
const openidClient = (): Promise<OidcClient> => (loaded ??= import('openid-client'));

/** Scopes every OIDC sign-in asks for; a provider's `extraScopes` come after. */
export const OIDC_BASE_SCOPES = ['openid', 'profile', 'email'];

/** What an ID token and userinfo say about the person, once the code exchange checked state, nonce and PKCE. */
export interface OidcIdentity {
  subject: string;
  email: string | null;
  emailVerified: boolean | null;
  preferredUsername: string | null;
  name: string | null;
  groups: string[];
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/**
 * Plain-http issuers are accepted on loopback addresses only (a provider on the same host, tests): anywhere else an
 * issuer must be https.
 */
function requestOptions(client: OidcClient, issuer: URL): DiscoveryRequestOptions {
  return issuer.protocol === 'http:' && LOOPBACK.has(issuer.hostname)
    ? { execute: [client.allowInsecureRequests], timeout: 10 }
    : { timeout: 10 };
}

async function privateKey(jwkText: string): Promise<PrivateKey> {
  const jwk = JSON.parse(jwkText) as webcrypto.JsonWebKey & { kid?: string };
  const algorithm =
    jwk.kty === 'EC'
      ? { name: 'ECDSA', namedCurve: jwk.crv ?? 'P-256' }
      : jwk.kty === 'OKP'
        ? { name: 'Ed25519' }
        : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  const key = await webcrypto.subtle.importKey('jwk', jwk, algorithm, false, ['sign']);
  return { key: key as unknown as Extract<PrivateKey, { key: unknown }>['key'], kid: jwk.kid };
}

async function clientAuth(client: OidcClient, p: OidcProviderSettings): Promise<ClientAuth> {
  switch (p.clientAuth) {
    case 'client_secret_post':
      return client.ClientSecretPost(p.clientSecret);
    case 'private_key_jwt':
      if (!p.privateKeyJwk) throw new Error(`OIDC provider ${p.name}: private_key_jwt needs privateKeyJwk`);
      return client.PrivateKeyJwt(await privateKey(p.privateKeyJwk));
    default:
      return client.ClientSecretBasic(p.clientSecret);
  }
}

/**
 * Discovery from the issuer, every time: settings may change between two sign-ins (in another process), and a
 * sign-in is rare enough that one metadata request costs nothing.
 */
export async function oidcConfiguration(p: OidcProviderSettings): Promise<Configuration> {
  const client = await openidClient();
  const issuer = new URL(p.issuer);
  return client.discovery(issuer, p.clientId, undefined, await clientAuth(client, p), requestOptions(client, issuer));
}

export interface OidcAuthorization {
  url: URL;
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** The authorization request: code flow, PKCE S256, a fresh state and nonce. */
export async function oidcAuthorization(p: OidcProviderSettings, redirectUri: string): Promise<OidcAuthorization> {
  const client = await openidClient();
  const config = await oidcConfiguration(p);
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: [...new Set([...OIDC_BASE_SCOPES, ...p.extraScopes])].join(' '),
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  return { url, state, nonce, codeVerifier };
}

function stringClaim(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

function groupsFrom(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === 'string');
  if (typeof value === 'string') return value.split(/[,\s]+/).filter(Boolean);
  return [];
}

/**
 * Exchanges the code at the token endpoint (checking state, nonce, PKCE, `iss`) and reads the person's claims from
 * the ID token, then from userinfo for what the ID token left out (providers that follow the spec put scope claims
 * only in userinfo).
 */
export async function oidcFinish(
  p: OidcProviderSettings,
  callbackUrl: URL,
  checks: { state: string; nonce: string; codeVerifier: string },
): Promise<OidcIdentity> {
  const client = await openidClient();
  const config = await oidcConfiguration(p);
  const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
    pkceCodeVerifier: checks.codeVerifier,
    expectedState: checks.state,
    expectedNonce: checks.nonce,
    idTokenExpected: true,
  });
  const idClaims = tokens.claims();
  if (!idClaims) throw new Error('The provider returned no ID token');
  const claims: Record<string, unknown> = { ...idClaims };
  const needsUserInfo =
    claims.email === undefined ||
    claims.email_verified === undefined ||
    (p.groupsClaim !== undefined && claims[p.groupsClaim] === undefined);
  if (needsUserInfo && config.serverMetadata().userinfo_endpoint) {
    const info = await client.fetchUserInfo(config, tokens.access_token, idClaims.sub);
    for (const [k, v] of Object.entries(info)) if (claims[k] === undefined) claims[k] = v;
  }
  const verified = claims.email_verified;
  return {
    subject: idClaims.sub,
    email: stringClaim(claims.email)?.toLowerCase() ?? null,
    emailVerified:
      verified === true || verified === 'true' ? true : verified === false || verified === 'false' ? false : null,
    preferredUsername: stringClaim(claims.preferred_username) ?? stringClaim(claims.nickname),
    name: stringClaim(claims.name),
    groups: p.groupsClaim ? groupsFrom(claims[p.groupsClaim]) : [],
  };
}
