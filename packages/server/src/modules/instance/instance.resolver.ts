import { Ctx, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../graphql/context';
import { InstanceService } from './instance.service';
import { InstanceType } from './instance.types';

@Resolver(() => InstanceType)
export class InstanceResolver {
  @Query(() => InstanceType, {
    description: 'Setup state, warnings and (for instance admins) settings. Anyone may ask.',
  })
  instance(@Ctx() ctx: RequestContext) {
    return new InstanceService(ctx).describe();
  }
}
