import { Field, Int, ObjectType } from 'type-graphql';
import { ErrorCode, WarningCode } from '../../graphql/enums';

@ObjectType('InstanceWarning', { description: 'Something an instance admin should fix.' })
export class InstanceWarningType {
  @Field(() => WarningCode, { description: 'What the warning is about.' })
  code!: WarningCode;

  @Field(() => String, { description: 'What is wrong and what to do.' })
  message!: string;
}

@ObjectType('InstanceSettings', { description: 'Instance-wide settings (from the server environment).' })
export class InstanceSettingsType {
  @Field(() => Boolean, {
    description: 'Whether the first SSO sign-in creates users (DISABLE_SSO_PROVISIONING unset).',
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
