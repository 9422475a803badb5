import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { PageArgs, type Connection } from '../../graphql/connection';
import { OrganizationType } from '../organizations/organization.types';
import type { Organization } from '../organizations/organization.entity';
import { UserType } from '../accounts/account.types';
import type { User } from '../accounts/user.entity';
import type { ServiceAccount } from '../service-accounts/service-account.entity';
import { ServiceAccountType } from '../service-accounts/service-account.types';
import type { RequestContext } from '../../graphql/context';
import { ApiKeyService, apiKeyStatus, type RotatedKey } from './api-key.service';
import {
  ApiKeyConnection,
  ApiKeyType,
  CreateApiKeyInput,
  CreateApiKeyPayload,
  RevokeApiKeyInput,
  RevokeApiKeyPayload,
  RotateApiKeyInput,
  RotateApiKeyPayload,
} from './api-key.types';
import { ApiKeyStatus } from '../../graphql/enums';
import type { ApiKey } from './api-key.entity';

@Resolver(() => ApiKeyType)
export class ApiKeyResolver {
  @FieldResolver(() => ApiKeyStatus, { description: 'ACTIVE, EXPIRED or REVOKED.' })
  status(@Root() key: ApiKey): ApiKeyStatus {
    return apiKeyStatus(key);
  }

  @FieldResolver(() => UserType, { nullable: true, description: 'The person it belongs to, for a personal key.' })
  user(@Ctx() ctx: RequestContext, @Root() key: ApiKey): Promise<User | null> | null {
    return key.user ? ctx.loaders.userById.load(key.user.id) : null;
  }

  @FieldResolver(() => ServiceAccountType, {
    nullable: true,
    description: 'The service account it belongs to, for a service account’s key (null once that is deleted).',
  })
  serviceAccount(@Ctx() ctx: RequestContext, @Root() key: ApiKey): Promise<ServiceAccount | null> | null {
    return key.serviceAccount ? ctx.loaders.serviceAccountById.load(key.serviceAccount.id) : null;
  }

  @Mutation(() => CreateApiKeyPayload, {
    description: 'Create a personal API key. The secret is in the payload once and never again.',
  })
  createApiKey(@Ctx() ctx: RequestContext, @Arg('input', () => CreateApiKeyInput) input: CreateApiKeyInput) {
    return new ApiKeyService(ctx).create(input);
  }

  @Mutation(() => RevokeApiKeyPayload, {
    description:
      'Revoke one of your API keys, or a key of a service account you manage; it stops working at once. A revoked ' +
      'key: changed: false.',
  })
  revokeApiKey(@Ctx() ctx: RequestContext, @Arg('input', () => RevokeApiKeyInput) input: RevokeApiKeyInput) {
    return new ApiKeyService(ctx).revoke(input);
  }

  @Mutation(() => RotateApiKeyPayload, {
    description:
      'Replace an API key (yours, or a service account’s you manage) with a new one; the old one keeps working ' +
      'for `graceHours` (0 to 168, default 24). The new secret is in the payload once.',
  })
  async rotateApiKey(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => RotateApiKeyInput) input: RotateApiKeyInput,
  ): Promise<{ apiKey: ApiKey; secret: string; previousApiKey: ApiKey }> {
    const rotated: RotatedKey = await new ApiKeyService(ctx).rotate(input);
    return { apiKey: rotated.apiKey, secret: rotated.secret, previousApiKey: rotated.previous };
  }
}

@ArgsType()
class OrganizationApiKeyListArgs extends PageArgs {
  @Field(() => Boolean, { nullable: true, description: 'Include revoked and expired keys (default false).' })
  includeInactive?: boolean | null;
}

@Resolver(() => OrganizationType)
export class OrganizationApiKeysResolver {
  @FieldResolver(() => ApiKeyConnection, {
    description:
      'Every API key that may reach the organization, newest first, metadata only (never a secret): members’ ' +
      'personal keys and its service accounts’ keys. Org admins (api_key:read_all).',
  })
  apiKeys(
    @Ctx() ctx: RequestContext,
    @Root() org: Organization,
    @Args(() => OrganizationApiKeyListArgs) args: OrganizationApiKeyListArgs,
  ): Promise<Connection<ApiKey>> {
    return new ApiKeyService(ctx).listOfOrganization(org, args);
  }
}
