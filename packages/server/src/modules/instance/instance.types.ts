import { Field, Int, ObjectType } from 'type-graphql';
import { ErrorCode, OrgRole, WarningCode } from '../../graphql/enums';
import { GroupMappingType, InstanceSettingField, SsoProviderConfigType } from '../settings/settings-objects.types';

@ObjectType('InstanceWarning', { description: 'Something an instance admin should fix.' })
export class InstanceWarningType {
  @Field(() => WarningCode, { description: 'What the warning is about.' })
  code!: WarningCode;

  @Field(() => String, { description: 'What is wrong and what to do.' })
  message!: string;
}

@ObjectType('InstanceSettings', {
  description:
    'Instance-wide settings in effect: the server environment’s defaults overlaid by what instance admins set ' +
    'through the API. Secrets are write-only: only whether they are set is shown.',
})
export class InstanceSettingsType {
  @Field(() => Boolean, {
    description: 'Whether the first SSO sign-in creates users (DISABLE_SSO_PROVISIONING, or the API).',
  })
  ssoProvisioning!: boolean;

  @Field(() => Boolean, { description: 'Whether SMTP is configured for invitation email.' })
  smtpConfigured!: boolean;

  @Field(() => Int, { description: 'Invitation lifetime in days.' })
  invitationTtlDays!: number;

  @Field(() => Int, { description: 'Session lifetime in hours.' })
  sessionTtlHours!: number;

  @Field(() => Int, { description: 'Longest personal API key lifetime, in days.' })
  apiKeyMaxTtlDays!: number;

  @Field(() => String, { description: 'Base URL used in links sent by email.' })
  publicUrl!: string;

  @Field(() => Boolean, { description: 'Whether the server runs on the embedded database (PGlite).' })
  embeddedDatabase!: boolean;

  @Field(() => Int, { description: 'Goes up with every change made through the API.' })
  version!: number;

  @Field(() => Boolean, { description: 'Whether password sign-in is allowed (false: SSO only).' })
  passwordSignIn!: boolean;

  @Field(() => String, { nullable: true, description: 'Organization that provisioned users join; null: none.' })
  defaultOrganization!: string | null;

  @Field(() => OrgRole, { description: 'Role of provisioned users in the default organization.' })
  defaultOrgRole!: OrgRole;

  @Field(() => String, { nullable: true, description: 'SMTP server URL, without credentials; null: email is logged.' })
  smtpUrl!: string | null;

  @Field(() => String, { nullable: true, description: 'SMTP user name.' })
  smtpUsername!: string | null;

  @Field(() => Boolean, { description: 'Whether an SMTP password is set (write-only).' })
  smtpPasswordSet!: boolean;

  @Field(() => String, { nullable: true, description: 'From address of emails.' })
  smtpFrom!: string | null;

  @Field(() => [SsoProviderConfigType], {
    description: 'SSO providers: the environment’s, then those set through the API.',
  })
  ssoProviders!: SsoProviderConfigType[];

  @Field(() => [GroupMappingType], { description: 'IdP group to team mappings applied at SSO sign-in.' })
  groupMappings!: GroupMappingType[];

  @Field(() => [InstanceSettingField], { description: 'General settings whose value was set through the API.' })
  overridden!: string[];

  @Field(() => Boolean, {
    description: 'Whether secrets can be stored through the API (SECRETS_KEY set, or the embedded key file).',
  })
  secretsKeyConfigured!: boolean;
}

@ObjectType('ErrorCodeInfo', { description: 'One error code and what it means.' })
export class ErrorCodeInfoType {
  @Field(() => ErrorCode, { description: 'The value of extensions.code.' })
  code!: ErrorCode;

  @Field(() => String, { description: 'What it means and what to do.' })
  description!: string;
}

@ObjectType('Instance', { description: 'The Roster installation.' })
export class InstanceType {
  @Field(() => Boolean, { description: 'True until the first user signs up; that user becomes instance admin.' })
  needsBootstrap!: boolean;

  @Field(() => String, { description: 'Server version.' })
  version!: string;

  @Field(() => [InstanceWarningType], { description: 'Problems for instance admins to fix; empty for others.' })
  warnings!: InstanceWarningType[];

  @Field(() => InstanceSettingsType, {
    nullable: true,
    description: 'Settings; null unless the caller is an instance admin.',
  })
  settings!: InstanceSettingsType | null;

  @Field(() => [ErrorCodeInfoType], { description: 'Every error code the API returns.' })
  errorCodes!: ErrorCodeInfoType[];
}
