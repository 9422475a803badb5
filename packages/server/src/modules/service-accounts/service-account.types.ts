import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { DateTime } from '../../graphql/scalars';
import { ConnectionType } from '../../graphql/connection';
import { ApiKeyType } from '../api-keys/api-key.types';
import { TeamType } from '../teams/team.types';
import { OrganizationType } from '../organizations/organization.types';

@ObjectType('ServiceAccount', {
  description:
    'A non-person principal for automation: authenticates with its own API keys, holds the SERVICE role in its ' +
    'team, never logs in, uses no seat and is not a member.',
})
export class ServiceAccountType {
  @Field(() => ID, { description: 'Opaque id.' })
  id!: string;

  @Field(() => String, { description: 'Name, unique in its team (lower-case letters, digits, ".", "_", "-").' })
  name!: string;

  @Field(() => String, { description: 'What it is for; may be empty.' })
  description!: string;

  @Field(() => DateTime, { description: 'When it was created.' })
  createdAt!: Date;

  @Field(() => DateTime, { nullable: true, description: 'When it was disabled; null while ACTIVE.' })
  disabledAt!: Date | null;
}

export const ServiceAccountConnection = ConnectionType(
  'ServiceAccount',
  ServiceAccountType,
  'A page of service accounts, newest first.',
);

@InputType({ description: 'A new service account.' })
export class CreateServiceAccountInput {
  @Field(() => String, { description: 'Organization name.' })
  organization!: string;

  @Field(() => String, {
    nullable: true,
    description:
      'The team it works in (it holds the SERVICE role there; service_account:manage on the team). Omit for an ' +
      'organization service account (service_account:manage_org: org admins), which reaches every team of the ' +
      'organization with the SERVICE role, except RESTRICTED projects.',
  })
  team?: string | null;

  @Field(() => String, {
    description: '2 to 64 characters: lower-case letters, digits, ".", "_" and "-", starting with a letter or digit.',
  })
  name!: string;

  @Field(() => String, { nullable: true, description: 'What it is for, at most 500 characters.' })
  description?: string | null;
}

@ObjectType({ description: 'Result of createServiceAccount.' })
export class CreateServiceAccountPayload {
  @Field(() => ServiceAccountType, { description: 'The new service account (ACTIVE, without keys).' })
  serviceAccount!: ServiceAccountType;
}

@InputType({ description: 'Changes to a service account; omitted fields stay.' })
export class UpdateServiceAccountInput {
  @Field(() => ID, { description: 'Id of the service account.' })
  id!: string;

  @Field(() => String, { nullable: true, description: 'A new name (audited as service_account.renamed).' })
  name?: string | null;

  @Field(() => String, { nullable: true, description: 'A new description.' })
  description?: string | null;
}

@ObjectType({ description: 'Result of updateServiceAccount.' })
export class UpdateServiceAccountPayload {
  @Field(() => ServiceAccountType, { description: 'The service account.' })
  serviceAccount!: ServiceAccountType;

  @Field(() => Boolean, { description: 'false when nothing differed: nothing was written or audited.' })
  changed!: boolean;
}

@InputType({ description: 'A service account to disable.' })
export class DisableServiceAccountInput {
  @Field(() => ID, { description: 'Id of the service account.' })
  id!: string;
}

@ObjectType({ description: 'Result of disableServiceAccount.' })
export class DisableServiceAccountPayload {
  @Field(() => ServiceAccountType, { description: 'The service account, now DISABLED.' })
  serviceAccount!: ServiceAccountType;

  @Field(() => Boolean, { description: 'false when it was already disabled: nothing was written or audited.' })
  changed!: boolean;
}

@InputType({ description: 'A service account to enable.' })
export class EnableServiceAccountInput {
  @Field(() => ID, { description: 'Id of the service account.' })
  id!: string;
}

@ObjectType({ description: 'Result of enableServiceAccount.' })
export class EnableServiceAccountPayload {
  @Field(() => ServiceAccountType, { description: 'The service account, now ACTIVE.' })
  serviceAccount!: ServiceAccountType;

  @Field(() => Boolean, { description: 'false when it was already enabled: nothing was written or audited.' })
  changed!: boolean;
}

@InputType({ description: 'A service account to delete, with its keys.' })
export class DeleteServiceAccountInput {
  @Field(() => ID, { description: 'Id of the service account.' })
  id!: string;
}

@ObjectType({ description: 'Result of deleteServiceAccount.' })
export class DeleteServiceAccountPayload {
  @Field(() => ID, { description: 'Id of the deleted service account.' })
  deletedServiceAccountId!: string;

  @Field(() => Int, { description: 'How many of its keys were still usable (they stopped working with it).' })
  keysRevoked!: number;

  @Field(() => TeamType, { nullable: true, description: 'The team it belonged to; null for an organization account.' })
  team!: TeamType | null;

  @Field(() => OrganizationType, { description: 'The organization it belonged to.' })
  organization!: OrganizationType;
}

@InputType({ description: 'A new key for a service account.' })
export class CreateServiceAccountKeyInput {
  @Field(() => ID, { description: 'Id of the service account.' })
  serviceAccount!: string;

  @Field(() => String, { description: 'A name to recognise the key by, 1 to 100 characters.' })
  name!: string;

  @Field(() => DateTime, {
    nullable: true,
    description:
      'When the key stops working; omit for the longest lifetime allowed (API_KEY_MAX_TTL_DAYS, or the ' +
      "organization's " +
      '`apiKeyMaxLifetimeDays` when lower).',
  })
  expiresAt?: Date | null;
}

@ObjectType({ description: 'Result of createServiceAccountKey.' })
export class CreateServiceAccountKeyPayload {
  @Field(() => ApiKeyType, { description: 'The key metadata.' })
  apiKey!: ApiKeyType;

  @Field(() => String, { description: 'The key itself. Shown this once: store it now. Starts with "rsk_".' })
  secret!: string;
}
