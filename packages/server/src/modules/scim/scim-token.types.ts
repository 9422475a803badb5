import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { DateTime } from '../../graphql/scalars';

@ObjectType('ScimToken', {
  description:
    'A SCIM provisioning token of an organization (docs/SCIM.md). The secret is shown once, by createScimToken.',
})
export class ScimTokenType {
  @Field(() => ID, { description: 'Opaque id.' })
  id!: string;

  @Field(() => String, {
    description: 'Name given at creation (usually the identity provider): the actor of its audit events.',
  })
  name!: string;

  @Field(() => String, { description: 'Last four characters of the token, to recognise it.' })
  lastFour!: string;

  @Field(() => DateTime, { description: 'When the token was created.' })
  createdAt!: Date;

  @Field(() => DateTime, {
    nullable: true,
    description: 'Last SCIM request with it, to within a minute; null if never used.',
  })
  lastUsedAt!: Date | null;

  @Field(() => DateTime, {
    nullable: true,
    description: 'When it was revoked; a revoked token gets 401 from /scim/v2.',
  })
  revokedAt!: Date | null;
}

@InputType({ description: 'A new SCIM token for an organization.' })
export class CreateScimTokenInput {
  @Field(() => String, { description: 'The organization it provisions (its name).' })
  organization!: string;

  @Field(() => String, { description: 'A name to recognise it by, 1 to 100 characters, e.g. "Okta".' })
  name!: string;
}

@ObjectType({ description: 'Result of createScimToken.' })
export class CreateScimTokenPayload {
  @Field(() => ScimTokenType, { description: 'The token metadata.' })
  scimToken!: ScimTokenType;

  @Field(() => String, {
    description: 'The token itself. Shown this once: store it in the identity provider now. Starts with "rsc_".',
  })
  secret!: string;
}

@InputType({ description: 'A SCIM token to revoke.' })
export class RevokeScimTokenInput {
  @Field(() => ID, { description: 'Id of the token.' })
  id!: string;
}

@ObjectType({ description: 'Result of revokeScimToken.' })
export class RevokeScimTokenPayload {
  @Field(() => ScimTokenType, { description: 'The token, now revoked.' })
  scimToken!: ScimTokenType;

  @Field(() => Boolean, { description: 'false when it was already revoked: nothing changed and nothing was audited.' })
  changed!: boolean;
}
