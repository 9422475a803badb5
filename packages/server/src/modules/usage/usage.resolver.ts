import { Arg, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../graphql/context';
import type { Organization } from '../organizations/organization.entity';
import { OrganizationType } from '../organizations/organization.types';
import { InstanceType } from '../instance/instance.types';
import { OrganizationMemberType } from '../members/member.types';
import type { MemberView } from '../members/member.service';
import { UsageService } from './usage.service';
import {
  ActiveUsersType,
  ActivityGranularity,
  ActivityRange,
  InstanceUsageType,
  MemberActivityType,
  OrganizationUsageType,
} from './usage.types';

const SERIES_DESCRIPTION =
  'Users active over time: a zero-filled series of distinct users per bucket, with totals (docs/USAGE.md). ' +
  'TOO_MANY_BUCKETS when the series would have more than 400 buckets (DAY over years of history).';

@Resolver(() => OrganizationMemberType)
export class MemberActivityResolver {
  @FieldResolver(() => MemberActivityType, {
    nullable: true,
    description:
      'Activity summary in this organization: added, last and first active, runs and reports created, days active. ' +
      'Org admins (`usage:read`) and the member themselves; null for others and for PENDING rows. A page costs one ' +
      'statement for all its rows.',
  })
  activity(@Ctx() ctx: RequestContext, @Root() member: MemberView) {
    return new UsageService(ctx).memberActivity(member);
  }
}

@Resolver(() => OrganizationType)
export class OrganizationUsageResolver {
  @FieldResolver(() => ActiveUsersType, { description: `${SERIES_DESCRIPTION} Org admins (\`usage:read\`).` })
  activeUsers(
    @Ctx() ctx: RequestContext,
    @Root() org: Organization,
    @Arg('range', () => ActivityRange, { defaultValue: ActivityRange.LAST_30_DAYS, description: 'The period.' })
    range: ActivityRange,
    @Arg('granularity', () => ActivityGranularity, {
      defaultValue: ActivityGranularity.DAY,
      description: 'Bucket size.',
    })
    granularity: ActivityGranularity,
  ) {
    return new UsageService(ctx).organizationActiveUsers(org, { range, granularity });
  }

  @FieldResolver(() => OrganizationUsageType, {
    description: 'Members, seats used and limit, active users in the last 30 days (org and instance admins).',
  })
  usage(@Ctx() ctx: RequestContext, @Root() org: Organization) {
    return new UsageService(ctx).organizationUsage(org);
  }
}

@Resolver(() => InstanceType)
export class InstanceUsageFieldResolver {
  @FieldResolver(() => InstanceUsageType, {
    nullable: true,
    description: 'Instance-wide usage (instance admins; FORBIDDEN for others).',
  })
  usage(@Ctx() ctx: RequestContext) {
    return new UsageService(ctx).instanceUsage();
  }
}

@Resolver(() => InstanceUsageType)
export class InstanceUsageResolver {
  @FieldResolver(() => ActiveUsersType, { description: `${SERIES_DESCRIPTION} Across the instance, by UTC day.` })
  activeUsers(
    @Ctx() ctx: RequestContext,
    @Arg('range', () => ActivityRange, { defaultValue: ActivityRange.LAST_30_DAYS, description: 'The period.' })
    range: ActivityRange,
    @Arg('granularity', () => ActivityGranularity, {
      defaultValue: ActivityGranularity.DAY,
      description: 'Bucket size.',
    })
    granularity: ActivityGranularity,
  ) {
    return new UsageService(ctx).instanceActiveUsers({ range, granularity });
  }
}
