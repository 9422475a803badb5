import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTime } from '../../graphql/scalars';

export enum ActivityRange {
  LAST_7_DAYS = 'LAST_7_DAYS',
  LAST_30_DAYS = 'LAST_30_DAYS',
  LAST_90_DAYS = 'LAST_90_DAYS',
  LAST_12_MONTHS = 'LAST_12_MONTHS',
  ALL_TIME = 'ALL_TIME',
}
registerEnumType(ActivityRange, {
  name: 'ActivityRange',
  description: 'The period of an active-users series; it always ends today (in the time zone of the series).',
  valuesConfig: {
    LAST_7_DAYS: { description: 'Today and the 6 days before.' },
    LAST_30_DAYS: { description: 'Today and the 29 days before.' },
    LAST_90_DAYS: { description: 'Today and the 89 days before.' },
    LAST_12_MONTHS: { description: 'This month and the 11 before, whole.' },
    ALL_TIME: { description: 'From the first recorded activity (or the creation of the organization) to today.' },
  },
});

export enum ActivityGranularity {
  DAY = 'DAY',
  WEEK = 'WEEK',
  MONTH = 'MONTH',
}
registerEnumType(ActivityGranularity, {
  name: 'ActivityGranularity',
  description: 'Bucket size of an active-users series.',
  valuesConfig: {
    DAY: { description: 'Calendar days.' },
    WEEK: { description: 'ISO weeks, from Monday.' },
    MONTH: { description: 'Calendar months.' },
  },
});

@ObjectType('MemberActivity', {
  description:
    'Activity summary of a member within this organization (docs/USAGE.md). Visible to org admins (`usage:read`) ' +
    'and to the member themselves.',
})
export class MemberActivityType {
  @Field(() => DateTime, { description: 'When the member was added (or invited).' })
  addedAt!: Date;

  @Field(() => DateTime, {
    nullable: true,
    description: 'Last authenticated request anywhere on the instance, to within a few minutes; null if never.',
  })
  lastActiveAt!: Date | null;

  @Field(() => DateTime, {
    nullable: true,
    description:
      "Start (midnight in the organization's time zone) of the first day the member was active here; null if never.",
  })
  firstActiveAt!: Date | null;

  @Field(() => Int, {
    description:
      "Runs in this organization's projects created by the member, attributed runs logged for them by service " +
      'accounts included.',
  })
  runsCreated!: number;

  @Field(() => Int, {
    description: "Reports in this organization's teams created by the member (attributed included).",
  })
  reportsCreated!: number;

  @Field(() => Int, {
    description:
      "Days (in the organization's time zone) with at least one authenticated request while an ACTIVE member here.",
  })
  daysActive!: number;
}

@ObjectType('ActiveUsersPoint', { description: 'One bucket of an active-users series.' })
export class ActiveUsersPointType {
  @Field(() => String, { description: 'First day of the bucket, YYYY-MM-DD (in the time zone of the series).' })
  start!: string;

  @Field(() => Int, { description: 'Distinct users active on at least one day of the bucket.' })
  activeUsers!: number;
}

@ObjectType('ActiveUsers', { description: 'Users active over time: a zero-filled series and totals (docs/USAGE.md).' })
export class ActiveUsersType {
  @Field(() => ActivityRange, { description: 'The range asked for.' })
  range!: ActivityRange;

  @Field(() => ActivityGranularity, { description: 'The bucket size asked for.' })
  granularity!: ActivityGranularity;

  @Field(() => String, { description: 'IANA time zone of days and buckets (the organization setting; UTC).' })
  timeZone!: string;

  @Field(() => String, { description: 'First day of the range, YYYY-MM-DD; the first bucket may start before it.' })
  from!: string;

  @Field(() => String, { description: 'Last day of the range (today), YYYY-MM-DD.' })
  to!: string;

  @Field(() => [ActiveUsersPointType], { description: 'One point per bucket, oldest first, zero-filled.' })
  series!: ActiveUsersPointType[];

  @Field(() => Int, { description: 'Distinct users active on at least one day of the range (not a sum of buckets).' })
  activeUsers!: number;

  @Field(() => Int, {
    description:
      'Members added in the range (organization: ACTIVE or DEACTIVATED memberships created since `from`, not ' +
      'pending invitations; instance: accounts created since `from`).',
  })
  newMembers!: number;
}

@ObjectType('OrganizationUsage', { description: 'Seats and activity of an organization (org and instance admins).' })
export class OrganizationUsageType {
  @Field(() => Int, { description: 'ACTIVE members.' })
  members!: number;

  @Field(() => Int, { description: 'Seats used: ACTIVE and PENDING ADMINs and MEMBERs.' })
  seatsUsed!: number;

  @Field(() => Int, { nullable: true, description: 'Seat limit; null when unlimited.' })
  seatLimit!: number | null;

  @Field(() => Int, { description: "Distinct users active in the last 30 days (the organization's time zone)." })
  activeUsersLast30Days!: number;
}

@ObjectType('InstanceUsage', {
  description:
    'Instance-wide usage (instance admins). Every organization with its seats and activity: `organizations` (an ' +
    'instance admin sees them all) selecting `usage` on each.',
})
export class InstanceUsageType {
  @Field(() => Int, { description: 'Organizations on the instance.' })
  organizationCount!: number;

  @Field(() => Int, { description: 'Distinct users active in the last 30 days (UTC), in any organization.' })
  activeUsersLast30Days!: number;
}
