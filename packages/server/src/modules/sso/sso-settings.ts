/**
 * The contract between SSO sign-in (OIDC, LDAP, provisioning, group sync: `src/modules/sso/`) and the instance
 * settings that configure it (`src/modules/settings/`). Sign-in reads the effective settings through
 * `SsoSettingsSource.current()` on every attempt, so a change made through the API in one process applies in every
 * process without a restart. Secrets here are plaintext in memory only: the settings store keeps them encrypted at
 * rest and never returns them through the API.
 */

export type OrgRoleName = 'ADMIN' | 'MEMBER' | 'VIEWER';
export type TeamRoleName = 'ADMIN' | 'MEMBER' | 'VIEWER';

export interface OidcProviderSettings {
  kind: 'OIDC';
  /** Stable identifier used in routes (`/auth/oidc/login?provider=<name>`) and in stored subjects: [a-z0-9-]{1,40}. */
  name: string;
  /** Button text on the sign-in page, e.g. "Sign in with Okta". */
  label: string;
  /** Issuer URL; discovery reads `<issuer>/.well-known/openid-configuration`. */
  issuer: string;
  clientId: string;
  clientAuth: 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';
  /** Required for the client_secret_* methods. */
  clientSecret?: string;
  /** Private JWK (JSON text) for private_key_jwt. */
  privateKeyJwk?: string;
  /** Scopes beyond `openid profile email`, e.g. `groups`. */
  extraScopes: string[];
  /** Claim holding the user's groups (ID token or userinfo), e.g. `groups`; undefined: no group sync. */
  groupsClaim?: string;
  /**
   * Treat an email without an `email_verified` claim as verified (providers that never send it and only release
   * addresses they own, e.g. Microsoft Entra ID). An explicit `email_verified: false` is refused regardless.
   */
  assumeEmailVerified?: boolean;
}

export interface LdapProviderSettings {
  kind: 'LDAP';
  /** Stable identifier, also the `provider` argument of `logIn`: [a-z0-9-]{1,40}. */
  name: string;
  label: string;
  /** ldap://host:port or ldaps://host:port */
  url: string;
  startTls: boolean;
  /** PEM of a CA to trust for LDAPS/StartTLS (besides the system's). */
  tlsCaPem?: string;
  /** Direct bind: a DN with `{username}` (escaped as a DN value), e.g. `uid={username},ou=people,dc=example,dc=org`. */
  bindDnTemplate?: string;
  /** Search-then-bind: the service account and where/how to look the user up. */
  serviceBindDn?: string;
  serviceBindPassword?: string;
  userSearchBase?: string;
  /** Attribute the typed login is matched against in search-then-bind, e.g. `uid` or `mail`. */
  userSearchAttribute?: string;
  usernameAttribute: string;
  emailAttribute: string;
  nameAttribute: string;
  /** Only members of one of these groups (by group name, the CN) may sign in; empty: anyone who binds. */
  groupAllowList: string[];
  /** Where group membership comes from: the user's `memberOf`, or a search for groups listing the user's DN. */
  groupSource: 'memberOf' | 'search';
  groupSearchBase?: string;
  /** Attribute of a group entry holding member DNs, e.g. `member` (groupOfNames) or `uniqueMember`. */
  groupMemberAttribute?: string;
}

export type SsoProviderSettings = OidcProviderSettings | LdapProviderSettings;

/** One IdP group mapped to one team with a team role; memberships it creates are `managedByIdp`. */
export interface GroupMapping {
  group: string;
  /** Organization name. */
  organization: string;
  /** Team name within that organization. */
  team: string;
  role: TeamRoleName;
}

export interface SsoSettings {
  providers: SsoProviderSettings[];
  /** Auto-provisioning of unknown users on their first SSO sign-in (on unless DISABLE_SSO_PROVISIONING=true). */
  provisioning: boolean;
  /** Organization (by name) that provisioned users join; undefined: provisioning creates no membership. */
  defaultOrganization?: string;
  defaultRole: OrgRoleName;
  groupMappings: GroupMapping[];
  /** Password sign-in allowed (false: SSO only; the host-side `roster-admin` CLI stays the recovery path). */
  passwordSignIn: boolean;
}

export interface SsoSettingsSource {
  current(): Promise<SsoSettings>;
}
