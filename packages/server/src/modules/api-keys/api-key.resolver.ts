import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../graphql/context';
import { ApiKeyService, apiKeyStatus } from './api-key.service';
import {
  ApiKeyType,
  CreateApiKeyInput,
  CreateApiKeyPayload,
  RevokeApiKeyInput,
  RevokeApiKeyPayload,
} from './api-key.types';
import { ApiKeyStatus } from '../../graphql/enums';
import type { ApiKey } from './api-key.entity';

@Resolver(() => ApiKeyType)
export class ApiKeyResolver {
  @FieldResolver(() => ApiKeyStatus, { description: 'ACTIVE, EXPIRED or REVOKED.' })
  status(@Root() key: ApiKey): ApiKeyStatus {
    return apiKeyStatus(key);
  }

  @Mutation(() => CreateApiKeyPayload, {
    description: 'Create a personal API key. The secret is in the payload once and never again.',
  })
  createApiKey(@Ctx() ctx: RequestContext, @Arg('input', () => CreateApiKeyInput) input: CreateApiKeyInput) {
    return new ApiKeyService(ctx).create(input);
  }

  @Mutation(() => RevokeApiKeyPayload, {
    description: 'Revoke one of your API keys; it stops working at once. A revoked key: changed: false.',
  })
  revokeApiKey(@Ctx() ctx: RequestContext, @Arg('input', () => RevokeApiKeyInput) input: RevokeApiKeyInput) {
    return new ApiKeyService(ctx).revoke(input);
  }
}
