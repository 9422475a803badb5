/**
 * A real OpenID provider for tests (oidc-provider, in-process on a free port) and a browserless user agent that
 * drives the whole authorization code flow through Roster's /auth/oidc routes with fetch and a cookie jar.
 */
import http from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';
import type { OidcProviderSettings } from '../src/modules/sso/sso-settings';

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = http.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface IdpUser {
  sub: string;
  email: string;
  email_verified: boolean;
  name: string;
  preferred_username?: string;
  groups: string[];
}

export interface TestIdp {
  issuer: string;
  /** Edit freely: the provider reads it at every sign-in. */
  users: Map<string, IdpUser>;
  /** Settings for Roster, one per client authentication method. */
  settings(name: string, clientAuth?: OidcProviderSettings['clientAuth']): OidcProviderSettings;
  close(): Promise<void>;
}

const SECRET = 'roster-test-client-secret-at-least-32-bytes';

export async function startIdp(callbackUrl: string): Promise<TestIdp> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const users = new Map<string, IdpUser>();
  const signing = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const client = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const clientPrivate = { ...client.privateKey.export({ format: 'jwk' }), kid: 'roster-client', alg: 'RS256' };
  const clientPublic = {
    ...client.publicKey.export({ format: 'jwk' }),
    kid: 'roster-client',
    alg: 'RS256',
    use: 'sig',
  };
  const common = {
    redirect_uris: [callbackUrl],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  };
  const provider = new Provider(issuer, {
    clients: [
      {
        ...common,
        client_id: 'roster-basic',
        client_secret: SECRET,
        token_endpoint_auth_method: 'client_secret_basic',
      },
      { ...common, client_id: 'roster-post', client_secret: SECRET, token_endpoint_auth_method: 'client_secret_post' },
      {
        ...common,
        client_id: 'roster-jwt',
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: 'RS256',
        jwks: { keys: [clientPublic] },
      },
    ],
    pkce: { required: () => true },
    // A custom claim needs its own scope; with conformIdTokenClaims left on, scope claims reach only userinfo, so
    // Roster's userinfo path is what these tests exercise.
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username'],
      groups: ['groups'],
    },
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ['test-cookie-key-1'] },
    jwks: { keys: [{ ...signing.privateKey.export({ format: 'jwk' }), kid: 'op-1', use: 'sig', alg: 'RS256' }] },
    async findAccount(_ctx, id) {
      const user = users.get(id);
      if (!user) return undefined;
      return { accountId: id, claims: async () => ({ ...user }) };
    },
  });
  const server = provider.listen(port, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return {
    issuer,
    users,
    settings: (name, clientAuth = 'client_secret_basic') => ({
      kind: 'OIDC',
      name,
      label: `Sign in with ${name}`,
      issuer,
      clientId:
        clientAuth === 'client_secret_basic'
          ? 'roster-basic'
          : clientAuth === 'client_secret_post'
            ? 'roster-post'
            : 'roster-jwt',
      clientAuth,
      clientSecret: clientAuth === 'private_key_jwt' ? undefined : SECRET,
      privateKeyJwk: clientAuth === 'private_key_jwt' ? JSON.stringify(clientPrivate) : undefined,
      extraScopes: ['groups'],
      groupsClaim: 'groups',
    }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A user agent with a cookie jar (one per browser). */
export class Browser {
  readonly jar = new Map<string, string>();

  private store(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i).trim();
      const value = pair!.slice(i + 1);
      const expired = attrs.some((a) => /expires=thu, 01 jan 1970/i.test(a.trim())) || value === '';
      if (expired) this.jar.delete(name);
      else this.jar.set(name, value);
    }
  }

  cookieHeader(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const res = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string> | undefined), cookie: this.cookieHeader() },
    });
    this.store(res);
    return res;
  }
}

export interface FlowOutcome {
  /** Roster's answer at the callback: a 302 to the redirect path, or an error page. */
  status: number;
  location: string | null;
  errorCode: string | null;
  html: string;
  /** The callback URL the provider sent the browser to (to replay it). */
  callbackUrl: string;
}

const formAction = (html: string, base: string): string =>
  new URL(html.match(/<form[^>]*action="([^"]+)"/)![1]!.replace(/&amp;/g, '&'), base).href;

/**
 * Drives a browser sign-in: Roster's login route, the provider's login and consent forms (devInteractions: the
 * account id is the login), back to Roster's callback. Stops at the provider when `stopAtCallback` and returns the
 * callback URL without visiting it.
 */
export async function oidcSignIn(
  browser: Browser,
  rosterUrl: string,
  provider: string,
  login: string,
  options: { redirect?: string; startUrl?: string; stopAtCallback?: boolean } = {},
): Promise<FlowOutcome> {
  let url =
    options.startUrl ??
    `${rosterUrl}/auth/oidc/login?provider=${encodeURIComponent(provider)}` +
      (options.redirect ? `&redirect=${encodeURIComponent(options.redirect)}` : '');
  let init: RequestInit = {};
  for (let hop = 0; hop < 20; hop++) {
    if (url.startsWith(`${rosterUrl}/auth/oidc/callback`) && options.stopAtCallback)
      return { status: 0, location: null, errorCode: null, html: '', callbackUrl: url };
    const res = await browser.fetch(url, init);
    init = {};
    if (url.startsWith(`${rosterUrl}/auth/oidc/callback`) || (url.startsWith(rosterUrl) && res.status !== 302)) {
      return {
        status: res.status,
        location: res.headers.get('location'),
        errorCode: res.headers.get('x-roster-error-code'),
        html: await res.text(),
        callbackUrl: url,
      };
    }
    if (res.status >= 300 && res.status < 400) {
      url = new URL(res.headers.get('location')!, url).href;
      continue;
    }
    const html = await res.text();
    if (/name="prompt" value="login"/.test(html)) {
      url = formAction(html, url);
      init = {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ prompt: 'login', login, password: 'any' }).toString(),
      };
    } else if (/name="prompt" value="consent"/.test(html)) {
      url = formAction(html, url);
      init = {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ prompt: 'consent' }).toString(),
      };
    } else {
      throw new Error(`unexpected page at ${url} (${res.status}): ${html.slice(0, 300)}`);
    }
  }
  throw new Error('too many redirects');
}
