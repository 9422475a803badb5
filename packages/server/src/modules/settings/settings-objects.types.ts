import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { GENERAL_FIELDS, type GeneralField } from './instance-settings-store';
import { SsoProviderKind } from '../sso/sso.types';

const screaming = (v: string) => v.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();

/** The general settings an override can reset to the environment's default (internal: the camelCase field name). */
export const InstanceSettingField = Object.fromEntries(GENERAL_FIELDS.map((f) => [screaming(f), f])) as Record<
  string,
  GeneralField
>;
registerEnumType(InstanceSettingField, {
  name: 'InstanceSettingField',
  description: 'A general instance setting that the API can override (and reset to the environment default).',
  valuesConfig: Object.fromEntries(GENERAL_FIELDS.map((f) => [screaming(f), { description: `The \`${f}\` setting.` }])),
});

// SsoProviderKind is the sign-in module's enum (one GraphQL type for both views of a provider).

export const SettingSource = { ENVIRONMENT: 'ENVIRONMENT', API: 'API' } as const;
registerEnumType(SettingSource, {
  name: 'SettingSource',
  description: 'Where a setting comes from.',
  valuesConfig: {
    ENVIRONMENT: { description: 'The server environment (read-only through the API).' },
    API: { description: 'Stored through the API (instance admins change it).' },
  },
});

export const OidcClientAuth = {
  CLIENT_SECRET_BASIC: 'client_secret_basic',
  CLIENT_SECRET_POST: 'client_secret_post',
  PRIVATE_KEY_JWT: 'private_key_jwt',
} as const;
registerEnumType(OidcClientAuth, {
  name: 'OidcClientAuth',
  description: 'How Roster authenticates to the OIDC provider’s token endpoint.',
  valuesConfig: {
    CLIENT_SECRET_BASIC: { description: 'Client secret in the Authorization header.' },
    CLIENT_SECRET_POST: { description: 'Client secret in the request body.' },
    PRIVATE_KEY_JWT: { description: 'A JWT signed with the private key (privateKeyJwk).' },
  },
});

export const LdapGroupSource = { MEMBER_OF: 'memberOf', SEARCH: 'search' } as const;
registerEnumType(LdapGroupSource, {
  name: 'LdapGroupSource',
  description: 'Where LDAP group membership is read from.',
  valuesConfig: {
    MEMBER_OF: { description: "The user entry's memberOf attribute." },
    SEARCH: { description: 'A search for groups whose member attribute lists the user’s DN.' },
  },
});

export const GroupMappingRole = { ADMIN: 'ADMIN', MEMBER: 'MEMBER', VIEWER: 'VIEWER' } as const;
registerEnumType(GroupMappingRole, {
  name: 'GroupMappingRole',
  description: 'The team role a group mapping gives.',
  valuesConfig: {
    ADMIN: { description: 'Team admin.' },
    MEMBER: { description: 'Team member.' },
    VIEWER: { description: 'View-only team member.' },
  },
});

@ObjectType('OidcProviderConfig', { description: 'An OIDC provider’s settings. Secrets are never returned.' })
export class OidcProviderConfigType {
  @Field(() => String, { description: 'Issuer URL (discovery).' })
  issuer!: string;

  @Field(() => String, { description: 'OAuth client id.' })
  clientId!: string;

  @Field(() => OidcClientAuth, { description: 'Token endpoint authentication.' })
  clientAuth!: string;

  @Field(() => Boolean, { description: 'Whether a client secret is set (write-only).' })
  clientSecretSet!: boolean;

  @Field(() => Boolean, { description: 'Whether a private JWK is set (write-only).' })
  privateKeyJwkSet!: boolean;

  @Field(() => [String], { description: 'Scopes beyond `openid profile email`.' })
  extraScopes!: string[];

  @Field(() => String, { nullable: true, description: 'Claim holding the groups; null: no group sync.' })
  groupsClaim!: string | null;
}

@ObjectType('LdapProviderConfig', { description: 'An LDAP provider’s settings. The bind password is never returned.' })
export class LdapProviderConfigType {
  @Field(() => String, { description: 'ldap:// or ldaps:// URL.' })
  url!: string;

  @Field(() => Boolean, { description: 'StartTLS on an ldap:// connection.' })
  startTls!: boolean;

  @Field(() => String, { nullable: true, description: 'PEM of an extra CA to trust.' })
  tlsCaPem!: string | null;

  @Field(() => String, { nullable: true, description: 'Direct bind DN template with `{username}`.' })
  bindDnTemplate!: string | null;

  @Field(() => String, { nullable: true, description: 'Service DN for search-then-bind.' })
  serviceBindDn!: string | null;

  @Field(() => Boolean, { description: 'Whether the service bind password is set (write-only).' })
  serviceBindPasswordSet!: boolean;

  @Field(() => String, { nullable: true, description: 'Where users are searched.' })
  userSearchBase!: string | null;

  @Field(() => String, { nullable: true, description: 'Attribute the login is matched against.' })
  userSearchAttribute!: string | null;

  @Field(() => String, { description: 'Attribute holding the username.' })
  usernameAttribute!: string;

  @Field(() => String, { description: 'Attribute holding the email.' })
  emailAttribute!: string;

  @Field(() => String, { description: 'Attribute holding the display name.' })
  nameAttribute!: string;

  @Field(() => [String], { description: 'Only members of these groups may sign in; empty: anyone who binds.' })
  groupAllowList!: string[];

  @Field(() => LdapGroupSource, { description: 'Where group membership comes from.' })
  groupSource!: string;

  @Field(() => String, { nullable: true, description: 'Where groups are searched (groupSource SEARCH).' })
  groupSearchBase!: string | null;

  @Field(() => String, { nullable: true, description: 'Group attribute listing member DNs.' })
  groupMemberAttribute!: string | null;
}

@ObjectType('SsoProviderConfig', { description: 'A configured SSO provider and its settings (instance admins).' })
export class SsoProviderConfigType {
  @Field(() => String, { description: 'Stable identifier ([a-z0-9-]{1,40}).' })
  name!: string;

  @Field(() => String, { description: 'Sign-in button text.' })
  label!: string;

  @Field(() => SsoProviderKind, { description: 'OIDC or LDAP.' })
  kind!: string;

  @Field(() => SettingSource, { description: 'ENVIRONMENT providers cannot be changed through the API.' })
  source!: string;

  @Field(() => OidcProviderConfigType, { nullable: true, description: 'OIDC settings (kind OIDC).' })
  oidc!: OidcProviderConfigType | null;

  @Field(() => LdapProviderConfigType, { nullable: true, description: 'LDAP settings (kind LDAP).' })
  ldap!: LdapProviderConfigType | null;
}

@ObjectType('GroupMapping', { description: 'An IdP group mapped to a team with a team role.' })
export class GroupMappingType {
  @Field(() => String, { description: 'IdP group name (OIDC groups claim value, LDAP group CN).' })
  group!: string;

  @Field(() => String, { description: 'Organization name.' })
  organization!: string;

  @Field(() => String, { description: 'Team name.' })
  team!: string;

  @Field(() => GroupMappingRole, { description: 'Team role given.' })
  role!: string;
}
