import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer, type TestServer } from '@roster/server/testing';
import { BadUserInputError, RosterClient, SsoFailedError } from '../src';

// The SDK's SSO surface against a server whose providers cannot be reached: listing, LDAP through logIn with a
// provider, and beginOidcSignIn, with their error classes. The flows themselves are tested in the server package
// against a real OIDC provider and slapd.
describe('single sign-on', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({}, undefined, {
      ssoSettings: {
        current: async () => ({
          providers: [
            {
              kind: 'OIDC',
              name: 'okta',
              label: 'Sign in with Okta',
              issuer: 'http://127.0.0.1:1',
              clientId: 'roster',
              clientAuth: 'client_secret_basic',
              clientSecret: 'not-for-clients',
              extraScopes: ['groups'],
              groupsClaim: 'groups',
            },
            {
              kind: 'LDAP',
              name: 'corp-ldap',
              label: 'Corporate directory',
              url: 'ldap://127.0.0.1:1',
              startTls: false,
              bindDnTemplate: 'uid={username},ou=people,dc=example,dc=org',
              usernameAttribute: 'uid',
              emailAttribute: 'mail',
              nameAttribute: 'cn',
              groupAllowList: [],
              groupSource: 'memberOf',
            },
          ],
          provisioning: true,
          defaultRole: 'MEMBER',
          groupMappings: [],
          passwordSignIn: true,
        }),
      },
    });
  });
  afterAll(() => server?.close());

  test('ssoProviders lists the providers publicly, without secrets', async () => {
    const client = new RosterClient({ url: server.url });
    const providers = await client.ssoProviders();
    expect(providers).toEqual([
      { name: 'okta', label: 'Sign in with Okta', kind: 'OIDC', loginPath: '/auth/oidc/login?provider=okta' },
      { name: 'corp-ldap', label: 'Corporate directory', kind: 'LDAP', loginPath: null },
    ]);
    expect(JSON.stringify(providers)).not.toContain('not-for-clients');
  });

  test('logIn with a provider: an unknown name is BadUserInputError, a directory down SsoFailedError', async () => {
    const client = new RosterClient({ url: server.url });
    const unknown = await client.logIn({ login: 'ada', password: 'x', provider: 'nope' }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(BadUserInputError);
    expect((unknown as BadUserInputError).field).toBe('provider');
    const down = await client.logIn({ login: 'ada', password: 'x', provider: 'corp-ldap' }).catch((e: unknown) => e);
    expect(down).toBeInstanceOf(SsoFailedError);
  });

  test('beginOidcSignIn reports an unreachable provider as SsoFailedError', async () => {
    const client = new RosterClient({ url: server.url });
    const err = await client.beginOidcSignIn({ provider: 'okta', redirect: '/' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SsoFailedError);
  });
});
