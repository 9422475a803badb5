import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { OrgRole } from '../../graphql/enums';
import { UserType } from '../accounts/account.types';
import { InstanceSettingsType } from '../instance/instance.types';
import type { GeneralField } from './instance-settings-store';
import { GroupMappingRole, InstanceSettingField, LdapGroupSource, OidcClientAuth } from './settings-objects.types';

@InputType({
  description:
    'Changes to general instance settings: omitted fields keep their value, null returns one to the environment ' +
    '(as `reset` does).',
})
export class UpdateInstanceSettingsInput {
  @Field(() => Boolean, { nullable: true, description: 'Auto-provisioning on the first SSO sign-in.' })
  ssoProvisioning?: boolean;

  @Field(() => String, { nullable: true, description: 'Organization provisioned users join (must exist).' })
  defaultOrganization?: string;

  @Field(() => OrgRole, { nullable: true, description: 'Role of provisioned users in it.' })
  defaultOrgRole?: OrgRole;

  @Field(() => Int, { nullable: true, description: 'Invitation lifetime, 1-365 days.' })
  invitationTtlDays?: number;

  @Field(() => Int, { nullable: true, description: 'Session lifetime for new sessions, 1-8760 hours.' })
  sessionTtlHours?: number;

  @Field(() => String, { nullable: true, description: 'smtp://host:port or smtps://host:port, without credentials.' })
  smtpUrl?: string;

  @Field(() => String, { nullable: true, description: 'SMTP user name.' })
  smtpUsername?: string;

  @Field(() => String, { nullable: true, description: 'SMTP password: write-only, stored encrypted.' })
  smtpPassword?: string;

  @Field(() => String, { nullable: true, description: 'From address of emails.' })
  smtpFrom?: string;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Password sign-in; false (SSO only) needs an SSO provider (SSO_PROVIDER_REQUIRED otherwise).',
  })
  passwordSignIn?: boolean;

  @Field(() => [InstanceSettingField], {
    nullable: true,
    description: 'Fields whose API override is removed: they fall back to the environment.',
  })
  reset?: GeneralField[];
}

@InputType({ description: 'A new OIDC provider.' })
export class CreateOidcProviderInput {
  @Field(() => String, { description: 'Identifier, [a-z0-9-]{1,40}.' })
  name!: string;

  @Field(() => String, { description: 'Sign-in button text.' })
  label!: string;

  @Field(() => String, { description: 'Issuer URL (https; http only for localhost).' })
  issuer!: string;

  @Field(() => String, { description: 'OAuth client id.' })
  clientId!: string;

  @Field(() => OidcClientAuth, { nullable: true, description: 'Default CLIENT_SECRET_BASIC.' })
  clientAuth?: string;

  @Field(() => String, { nullable: true, description: 'Client secret: write-only, stored encrypted.' })
  clientSecret?: string;

  @Field(() => String, { nullable: true, description: 'Private JWK (JSON) for PRIVATE_KEY_JWT: write-only.' })
  privateKeyJwk?: string;

  @Field(() => [String], { nullable: true, description: 'Scopes beyond `openid profile email`.' })
  extraScopes?: string[];

  @Field(() => String, { nullable: true, description: 'Claim holding the groups.' })
  groupsClaim?: string;
}

@InputType({
  description:
    'Changes to an OIDC provider set through the API: omitted fields (and secrets) keep their value, null clears an ' +
    'optional field.',
})
export class UpdateOidcProviderInput {
  @Field(() => String, { description: 'The provider to change.' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'Sign-in button text.' })
  label?: string;

  @Field(() => String, { nullable: true, description: 'Issuer URL.' })
  issuer?: string;

  @Field(() => String, { nullable: true, description: 'OAuth client id.' })
  clientId?: string;

  @Field(() => OidcClientAuth, { nullable: true, description: 'Token endpoint authentication.' })
  clientAuth?: string;

  @Field(() => String, { nullable: true, description: 'New client secret: write-only.' })
  clientSecret?: string;

  @Field(() => String, { nullable: true, description: 'New private JWK: write-only.' })
  privateKeyJwk?: string;

  @Field(() => [String], { nullable: true, description: 'Scopes beyond `openid profile email`.' })
  extraScopes?: string[];

  @Field(() => String, { nullable: true, description: 'Claim holding the groups.' })
  groupsClaim?: string;
}

@InputType({ description: 'A new LDAP provider.' })
export class CreateLdapProviderInput {
  @Field(() => String, { description: 'Identifier, [a-z0-9-]{1,40}; the `provider` argument of logIn.' })
  name!: string;

  @Field(() => String, { description: 'Label on the sign-in page.' })
  label!: string;

  @Field(() => String, { description: 'ldap://host:389 or ldaps://host:636.' })
  url!: string;

  @Field(() => Boolean, { nullable: true, description: 'StartTLS (ldap:// only); default false.' })
  startTls?: boolean;

  @Field(() => String, { nullable: true, description: 'PEM of an extra CA to trust.' })
  tlsCaPem?: string;

  @Field(() => String, { nullable: true, description: 'Direct bind DN template containing `{username}`.' })
  bindDnTemplate?: string;

  @Field(() => String, { nullable: true, description: 'Service DN for search-then-bind.' })
  serviceBindDn?: string;

  @Field(() => String, { nullable: true, description: 'Service bind password: write-only, stored encrypted.' })
  serviceBindPassword?: string;

  @Field(() => String, { nullable: true, description: 'Where users are searched.' })
  userSearchBase?: string;

  @Field(() => String, { nullable: true, description: 'Attribute the login is matched against (e.g. uid).' })
  userSearchAttribute?: string;

  @Field(() => String, { nullable: true, description: 'Default uid.' })
  usernameAttribute?: string;

  @Field(() => String, { nullable: true, description: 'Default mail.' })
  emailAttribute?: string;

  @Field(() => String, { nullable: true, description: 'Default cn.' })
  nameAttribute?: string;

  @Field(() => [String], { nullable: true, description: 'Only these groups may sign in; empty: anyone.' })
  groupAllowList?: string[];

  @Field(() => LdapGroupSource, { nullable: true, description: 'Default MEMBER_OF.' })
  groupSource?: string;

  @Field(() => String, { nullable: true, description: 'Where groups are searched (SEARCH).' })
  groupSearchBase?: string;

  @Field(() => String, { nullable: true, description: 'Group attribute listing member DNs (e.g. member).' })
  groupMemberAttribute?: string;
}

@InputType({
  description:
    'Changes to an LDAP provider set through the API: omitted fields (and the password) keep their value, null ' +
    'clears an optional field.',
})
export class UpdateLdapProviderInput {
  @Field(() => String, { description: 'The provider to change.' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'Label on the sign-in page.' })
  label?: string;

  @Field(() => String, { nullable: true, description: 'ldap:// or ldaps:// URL.' })
  url?: string;

  @Field(() => Boolean, { nullable: true, description: 'StartTLS.' })
  startTls?: boolean;

  @Field(() => String, { nullable: true, description: 'PEM of an extra CA to trust.' })
  tlsCaPem?: string;

  @Field(() => String, { nullable: true, description: 'Direct bind DN template containing `{username}`.' })
  bindDnTemplate?: string;

  @Field(() => String, { nullable: true, description: 'Service DN for search-then-bind.' })
  serviceBindDn?: string;

  @Field(() => String, { nullable: true, description: 'New service bind password: write-only.' })
  serviceBindPassword?: string;

  @Field(() => String, { nullable: true, description: 'Where users are searched.' })
  userSearchBase?: string;

  @Field(() => String, { nullable: true, description: 'Attribute the login is matched against.' })
  userSearchAttribute?: string;

  @Field(() => String, { nullable: true, description: 'Attribute holding the username.' })
  usernameAttribute?: string;

  @Field(() => String, { nullable: true, description: 'Attribute holding the email.' })
  emailAttribute?: string;

  @Field(() => String, { nullable: true, description: 'Attribute holding the display name.' })
  nameAttribute?: string;

  @Field(() => [String], { nullable: true, description: 'Only these groups may sign in.' })
  groupAllowList?: string[];

  @Field(() => LdapGroupSource, { nullable: true, description: 'Where group membership comes from.' })
  groupSource?: string;

  @Field(() => String, { nullable: true, description: 'Where groups are searched.' })
  groupSearchBase?: string;

  @Field(() => String, { nullable: true, description: 'Group attribute listing member DNs.' })
  groupMemberAttribute?: string;
}

@InputType({ description: 'An SSO provider to delete (set through the API).' })
export class DeleteSsoProviderInput {
  @Field(() => String, { description: 'Its name.' })
  name!: string;
}

@InputType({ description: 'One group mapping.' })
export class GroupMappingInput {
  @Field(() => String, { description: 'IdP group name.' })
  group!: string;

  @Field(() => String, { description: 'Organization name.' })
  organization!: string;

  @Field(() => String, { description: 'Team name (must exist).' })
  team!: string;

  @Field(() => GroupMappingRole, { description: 'Team role given.' })
  role!: string;
}

@InputType({ description: 'The whole list of group mappings (replaces the current one).' })
export class SetGroupMappingsInput {
  @Field(() => [GroupMappingInput], { nullable: true, description: 'The mappings; empty: none.' })
  mappings?: GroupMappingInput[];

  @Field(() => Boolean, { nullable: true, description: 'true: fall back to SSO_GROUP_MAPPINGS (no mappings given).' })
  reset?: boolean;
}

@InputType({ description: 'A user to make instance admin.' })
export class GrantInstanceAdminInput {
  @Field(() => String, { description: 'Username or email.' })
  user!: string;
}

@InputType({ description: 'An instance admin to make a regular user.' })
export class RevokeInstanceAdminInput {
  @Field(() => String, { description: 'Username or email.' })
  user!: string;
}

@ObjectType({ description: 'Result of updateInstanceSettings.' })
export class UpdateInstanceSettingsPayload {
  @Field(() => InstanceSettingsType, { description: 'The settings now in effect.' })
  settings!: InstanceSettingsType;
}

@ObjectType({ description: 'Result of createOidcProvider.' })
export class CreateOidcProviderPayload {
  @Field(() => InstanceSettingsType, { description: 'The settings now in effect.' })
  settings!: InstanceSettingsType;
}

@ObjectType({ description: 'Result of updateOidcProvider.' })
export class UpdateOidcProviderPayload {
  @Field(() => InstanceSettingsType, { description: 'The settings now in effect.' })
  settings!: InstanceSettingsType;
}

@ObjectType({ description: 'Result of createLdapProvider.' })
export class CreateLdapProviderPayload {
  @Field(() => InstanceSettingsType, { description: 'The settings now in effect.' })
  settings!: InstanceSettingsType;
}

@ObjectType({ description: 'Result of updateLdapProvider.' })
export class UpdateLdapProviderPayload {
  @Field(() => InstanceSettingsType, { description: 'The settings now in effect.' })
  settings!: InstanceSettingsType;
}

@ObjectType({ description: 'Result of deleteSsoProvider.' })
export class DeleteSsoProviderPayload {
  @Field(() => InstanceSettingsType, { description: 'The settings now in effect.' })
  settings!: InstanceSettingsType;
}

@ObjectType({ description: 'Result of setGroupMappings.' })
export class SetGroupMappingsPayload {
  @Field(() => InstanceSettingsType, { description: 'The settings now in effect.' })
  settings!: InstanceSettingsType;
}

@ObjectType({ description: 'Result of grantInstanceAdmin.' })
export class GrantInstanceAdminPayload {
  @Field(() => UserType, { description: 'The user, now instance admin.' })
  user!: UserType;

  @Field(() => Boolean, { description: 'false when they already were: nothing was written or audited.' })
  changed!: boolean;
}

@ObjectType({ description: 'Result of revokeInstanceAdmin.' })
export class RevokeInstanceAdminPayload {
  @Field(() => UserType, { description: 'The user, no longer instance admin.' })
  user!: UserType;

  @Field(() => Boolean, { description: 'false when they were not: nothing was written or audited.' })
  changed!: boolean;
}
