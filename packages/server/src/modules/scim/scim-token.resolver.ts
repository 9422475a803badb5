import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../graphql/context';
import { OrganizationType } from '../organizations/organization.types';
import type { Organization } from '../organizations/organization.entity';
import type { ScimToken } from './scim-token.entity';
import { ScimTokenService } from './scim-token.service';
import {
  CreateScimTokenInput,
  CreateScimTokenPayload,
  RevokeScimTokenInput,
  RevokeScimTokenPayload,
  ScimTokenType,
} from './scim-token.types';

@Resolver(() => ScimTokenType)
export class ScimTokenResolver {
  @Mutation(() => CreateScimTokenPayload, {
    description:
      'Create a SCIM token for an organization (org admins, scim:manage): an identity provider provisions its ' +
      'members ' +
      'and teams with it at /scim/v2. The secret is in the payload once and never again.',
  })
  createScimToken(@Ctx() ctx: RequestContext, @Arg('input', () => CreateScimTokenInput) input: CreateScimTokenInput) {
    return new ScimTokenService(ctx).create(input);
  }

  @Mutation(() => RevokeScimTokenPayload, {
    description:
      'Revoke a SCIM token (org admins, scim:manage); it stops working at once. A revoked one: changed: false.',
  })
  revokeScimToken(@Ctx() ctx: RequestContext, @Arg('input', () => RevokeScimTokenInput) input: RevokeScimTokenInput) {
    return new ScimTokenService(ctx).revoke(input);
  }
}

@Resolver(() => OrganizationType)
export class OrganizationScimTokensResolver {
  @FieldResolver(() => [ScimTokenType], {
    description:
      'The organization’s SCIM tokens, newest first (the 100 newest), revoked ones included; metadata only. Org ' +
      'admins (scim:manage).',
  })
  scimTokens(@Ctx() ctx: RequestContext, @Root() org: Organization): Promise<ScimToken[]> {
    return new ScimTokenService(ctx).list(org);
  }
}
