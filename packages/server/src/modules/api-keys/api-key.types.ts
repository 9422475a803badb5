import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { DateTime } from '../../graphql/scalars';
import { ApiKeyStatus } from '../../graphql/enums';
import { ConnectionType } from '../../graphql/connection';

@ObjectType('ApiKey', { description: 'API key metadata. The secret is shown only once, by createApiKey.' })
export class ApiKeyType {
  @Field(() => ID, { description: 'Opaque id.' })
  id!: string;

  @Field(() => String, { description: 'Name given at creation.' })
  name!: string;

  @Field(() => String, { description: 'Last four characters of the key, to recognise it.' })
  lastFour!: string;

  @Field(() => ApiKeyStatus, { description: 'ACTIVE, EXPIRED or REVOKED.' })
  status!: ApiKeyStatus;

  @Field(() => DateTime, { description: 'When the key was created.' })
  createdAt!: Date;

  @Field(() => DateTime, { nullable: true, description: 'Last use, to within a few minutes; null if never used.' })
  lastUsedAt!: Date | null;

  @Field(() => DateTime, {
    nullable: true,
    description:
      'When the key stops working. Every key expires: createApiKey sets this to the requested date, at most the ' +
      "longest lifetime allowed (API_KEY_MAX_TTL_DAYS, or less if one of the owner's organizations sets it), so it " +
      'is never null.',
  })
  expiresAt!: Date | null;

  @Field(() => DateTime, { nullable: true, description: 'When the key was revoked.' })
  revokedAt!: Date | null;

  @Field(() => DateTime, {
    nullable: true,
    description:
      'When rotateApiKey replaced it. A rotated key stays ACTIVE until `expiresAt`, the end of the grace period.',
  })
  rotatedAt!: Date | null;
}

export const ApiKeyConnection = ConnectionType('ApiKey', ApiKeyType, 'A page of API keys, newest first.');

@InputType({ description: 'A new personal API key.' })
export class CreateApiKeyInput {
  @Field(() => String, { description: 'A name to recognise the key by, 1 to 100 characters.' })
  name!: string;

  @Field(() => DateTime, {
    nullable: true,
    description:
      'When the key stops working; omit for the longest lifetime allowed (API_KEY_MAX_TTL_DAYS, or less if an ' +
      'organization sets it).',
  })
  expiresAt?: Date | null;
}

@ObjectType({ description: 'Result of createApiKey.' })
export class CreateApiKeyPayload {
  @Field(() => ApiKeyType, { description: 'The key metadata.' })
  apiKey!: ApiKeyType;

  @Field(() => String, { description: 'The key itself. Shown this once: store it now. Starts with "rsk_".' })
  secret!: string;
}

@InputType({ description: 'An API key to revoke.' })
export class RevokeApiKeyInput {
  @Field(() => ID, { description: 'Id of the key.' })
  id!: string;
}

@ObjectType({ description: 'Result of revokeApiKey.' })
export class RevokeApiKeyPayload {
  @Field(() => ApiKeyType, { description: 'The key, now REVOKED.' })
  apiKey!: ApiKeyType;

  @Field(() => Boolean, {
    description: 'false when the key was already revoked: nothing changed and nothing was audited.',
  })
  changed!: boolean;
}

@InputType({ description: 'An API key to replace with a new one.' })
export class RotateApiKeyInput {
  @Field(() => ID, { description: 'Id of the key: your own, or a key of a service account you manage.' })
  id!: string;

  @Field(() => Int, {
    nullable: true,
    description:
      'Hours the old key keeps working, 0 (stops at once) to 168 (7 days); default 24. Never past its own expiry.',
  })
  graceHours?: number | null;

  @Field(() => DateTime, {
    nullable: true,
    description: 'When the new key stops working; omit for the longest lifetime allowed.',
  })
  expiresAt?: Date | null;
}

@ObjectType({ description: 'Result of rotateApiKey.' })
export class RotateApiKeyPayload {
  @Field(() => ApiKeyType, { description: 'The new key (same name and owner).' })
  apiKey!: ApiKeyType;

  @Field(() => String, { description: 'The new key itself. Shown this once: store it now. Starts with "rsk_".' })
  secret!: string;

  @Field(() => ApiKeyType, { description: 'The old key: `rotatedAt` set, `expiresAt` the end of the grace period.' })
  previousApiKey!: ApiKeyType;
}
