import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../graphql/context';
import { ApiKeyService, apiKeyStatus, type RotatedKey } from './api-key.service';
import {
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
