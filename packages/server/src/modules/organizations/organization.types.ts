import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { ConnectionType } from '../../graphql/connection';
import { DateTime } from '../../graphql/scalars';
import { MemberStatus, OrgRole, WarningCode } from '../../graphql/enums';

@ObjectType('OrganizationSettings', { description: 'Organization-wide policies.' })
export class OrganizationSettingsType {
  @Field(() => Boolean, { description: 'Whether MEMBERs may create teams (ADMINs always may). Default false.' })
  membersCanCreateTeams!: boolean;

  @Field(() => Int, {
    nullable: true,
    description: 'Upper bound for personal API key lifetimes, in days; null means the instance maximum.',
  })
  apiKeyMaxLifetimeDays!: number | null;

  @Field(() => Boolean, {
    description:
      'Whether MEMBERs and VIEWERs may create personal API keys (ADMINs always may). Default true; false: automation ' +
      'goes through service accounts.',
  })
  membersCanCreateApiKeys!: boolean;

  @Field(() => Boolean, {
    description:
      'Whether personal API keys reach this organization. Default true; false: requests with a personal key are ' +
      'refused here (sessions and service accounts’ keys still work).',
  })
  personalApiKeysReachOrganization!: boolean;

  @Field(() => String, {
    description:
      'IANA time zone in which activity days, weeks and months start (activity summaries, activeUsers). Default UTC.',
  })
  timeZone!: string;
}

@ObjectType('OrganizationWarning', {
  description:
    'Something an organization admin should fix in their organization (not an instance warning: those are on ' +
    'Instance.warnings).',
})
export class OrganizationWarningType {
  @Field(() => WarningCode, { description: 'Stable code: SINGLE_ADMIN (only one active admin).' })
  code!: WarningCode;

  @Field(() => String, { description: 'What is wrong and what to do.' })
  message!: string;
}

@ObjectType('Seats', {
  description:
    'Seat usage. ACTIVE and PENDING ADMINs and MEMBERs use a seat; viewers, service accounts and deactivated users ' +
    'do not.',
})
export class SeatsType {
  @Field(() => Int, { nullable: true, description: 'Seats licensed; null means unlimited.' })
  limit!: number | null;

  @Field(() => Int, { description: 'Seats in use.' })
  used!: number;

  @Field(() => Int, { nullable: true, description: 'Seats left (never below 0); null means unlimited.' })
  available!: number | null;
}

@ObjectType('Organization', { description: 'An organization: users, teams and roles live inside one.' })
export class OrganizationType {
  @Field(() => ID, { description: 'Opaque id.' })
  id!: string;

  @Field(() => String, { description: 'Unique slug, e.g. "acme-ml".' })
  name!: string;

  @Field(() => String, { description: 'Human-friendly name.' })
  displayName!: string;

  @Field(() => Int, {
    nullable: true,
    description: 'Seat limit; null means unlimited. NOT_FOUND unless the caller sees the organization.',
  })
  seatLimit!: number | null;

  @Field(() => DateTime, { description: 'When the organization was created.' })
  createdAt!: Date;
}

@ObjectType('OrganizationMembership', { description: "One of the caller's own memberships." })
export class OrganizationMembershipType {
  @Field(() => ID, { description: 'Opaque id of the membership.' })
  id!: string;

  @Field(() => OrganizationType, {
    description: 'The organization (memberships are listed only in organizations the caller sees).',
  })
  organization!: OrganizationType;

  @Field(() => OrgRole, { description: 'Role in the organization.' })
  role!: OrgRole;

  @Field(() => MemberStatus, { description: 'Membership state.' })
  status!: MemberStatus;

  @Field(() => DateTime, { description: 'When the membership was created.' })
  createdAt!: Date;
}

export const OrganizationConnection = ConnectionType('Organization', OrganizationType, 'A page of organizations.');
export const OrganizationMembershipConnection = ConnectionType(
  'OrganizationMembership',
  OrganizationMembershipType,
  'A page of organization memberships, oldest first.',
);

@InputType({ description: 'A new organization. Instance admins only; the creator becomes its first ADMIN.' })
export class CreateOrganizationInput {
  @Field(() => String, { description: 'Unique slug: lower-case letters, digits and "-", 2 to 40 characters.' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'Human-friendly name; defaults to the slug.' })
  displayName?: string | null;

  @Field(() => Int, { nullable: true, description: 'Seat limit; omit for unlimited.' })
  seatLimit?: number | null;
}

@ObjectType({ description: 'Result of createOrganization.' })
export class CreateOrganizationPayload {
  @Field(() => OrganizationType, { description: 'The new organization.' })
  organization!: OrganizationType;
}

@InputType('OrganizationSettingsInput', { description: 'Settings to change; omitted fields keep their value.' })
export class OrganizationSettingsInput {
  @Field(() => Boolean, { nullable: true, description: 'Whether MEMBERs may create teams.' })
  membersCanCreateTeams?: boolean | null;

  @Field(() => Int, {
    nullable: true,
    description:
      'Upper bound for personal API key lifetimes, in days (1 to 3650); null removes it (the instance maximum ' +
      'applies).',
  })
  apiKeyMaxLifetimeDays?: number | null;

  @Field(() => Boolean, { nullable: true, description: 'Whether MEMBERs and VIEWERs may create personal API keys.' })
  membersCanCreateApiKeys?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Whether personal API keys reach this organization.' })
  personalApiKeysReachOrganization?: boolean | null;

  @Field(() => String, {
    nullable: true,
    description:
      'IANA time zone for activity days (e.g. "Europe/Berlin"); null goes back to UTC. Days already recorded keep ' +
      'their zone.',
  })
  timeZone?: string | null;
}

@InputType({ description: 'Changes to an organization. Org admins; the seat limit needs an instance admin.' })
export class UpdateOrganizationInput {
  @Field(() => String, { description: 'The organization name (slug).' })
  organization!: string;

  @Field(() => String, { nullable: true, description: 'New display name.' })
  displayName?: string | null;

  @Field(() => Int, {
    nullable: true,
    description: 'New seat limit (instance admins only); null makes seats unlimited, omitted keeps the limit.',
  })
  seatLimit?: number | null;

  @Field(() => OrganizationSettingsInput, { nullable: true, description: 'Settings to change.' })
  settings?: OrganizationSettingsInput | null;
}

@ObjectType({ description: 'Result of updateOrganization.' })
export class UpdateOrganizationPayload {
  @Field(() => OrganizationType, { description: 'The changed organization.' })
  organization!: OrganizationType;
}
