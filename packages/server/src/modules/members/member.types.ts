import { ArgsType, Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { DateTime } from '../../graphql/scalars';
import { MemberStatus, OrgRole } from '../../graphql/enums';
import { ConnectionType, PageArgs } from '../../graphql/connection';
import { UserType } from '../accounts/account.types';
import { OrganizationType } from '../organizations/organization.types';
import { InvitationType } from '../invitations/invitation.types';

export enum MemberOrderField {
  NAME = 'NAME',
  LAST_ACTIVE = 'LAST_ACTIVE',
  ROLE = 'ROLE',
  ADDED_AT = 'ADDED_AT',
}
registerEnumType(MemberOrderField, {
  name: 'MemberOrderField',
  description: 'How to sort organization members.',
  valuesConfig: {
    NAME: { description: 'By name (pending invitations by email).' },
    LAST_ACTIVE: { description: 'By last activity; never-active members count as oldest.' },
    ROLE: { description: 'ADMIN, MEMBER, VIEWER, then by name.' },
    ADDED_AT: { description: 'By when they were added or invited.' },
  },
});

export enum OrderDirection {
  ASC = 'ASC',
  DESC = 'DESC',
}
registerEnumType(OrderDirection, {
  name: 'OrderDirection',
  description: 'Sort direction.',
  valuesConfig: { ASC: { description: 'Ascending.' }, DESC: { description: 'Descending.' } },
});

@InputType('MemberOrder', { description: 'Sort order of the members view.' })
export class MemberOrderInput {
  @Field(() => MemberOrderField, { description: 'Sort key.' })
  field!: MemberOrderField;

  @Field(() => OrderDirection, { nullable: true, description: 'ASC by default.' })
  direction?: OrderDirection | null;
}

@ArgsType()
export class MembersArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: 'Case-insensitive search over name, username and email.' })
  search?: string | null;

  @Field(() => [OrgRole], { nullable: true, description: 'Only these roles.' })
  roles?: OrgRole[] | null;

  @Field(() => [MemberStatus], {
    nullable: true,
    description: 'Only these statuses. PENDING and DEACTIVATED rows are visible to admins only.',
  })
  statuses?: MemberStatus[] | null;

  @Field(() => [String], { nullable: true, description: 'Only members of any of these teams (names).' })
  teams?: string[] | null;

  @Field(() => MemberOrderInput, { nullable: true, description: 'Sort order; NAME ascending by default.' })
  orderBy?: MemberOrderInput | null;
}

@ObjectType('OrganizationMember', {
  description: 'A row of the organization members view: an ACTIVE or DEACTIVATED member, or a PENDING invitation.',
})
export class OrganizationMemberType {
  @Field(() => ID, { description: 'Opaque id of the membership.' })
  id!: string;

  @Field(() => UserType, { nullable: true, description: 'The user; null for a PENDING invitation.' })
  user!: UserType | null;

  @Field(() => String, {
    nullable: true,
    description: "Email: the user's, or the invited address. Visible to org admins only.",
  })
  email!: string | null;

  @Field(() => String, { nullable: true, description: 'Display name; null while PENDING.' })
  name!: string | null;

  @Field(() => String, { nullable: true, description: 'Username; null while PENDING.' })
  username!: string | null;

  @Field(() => OrgRole, { description: 'Organization role.' })
  role!: OrgRole;

  @Field(() => MemberStatus, { description: 'PENDING, ACTIVE or DEACTIVATED.' })
  status!: MemberStatus;

  @Field(() => DateTime, { nullable: true, description: 'Last authenticated request, to within a few minutes.' })
  lastActiveAt!: Date | null;

  @Field(() => DateTime, { description: 'When the member was added or invited.' })
  addedAt!: Date;

  @Field(() => InvitationType, {
    nullable: true,
    description: 'The pending invitation (PENDING rows, org admins only).',
  })
  invitation!: InvitationType | null;
}

export const OrganizationMemberConnection = ConnectionType(
  'OrganizationMember',
  OrganizationMemberType,
  'A page of the members view.',
);

@InputType('UpdateMemberRoleInput', { description: "Change a member's organization role." })
export class UpdateMemberRoleInput {
  @Field(() => String, { description: 'Organization name (slug).' })
  organization!: string;

  @Field(() => String, { description: 'The member: username or email.' })
  user!: string;

  @Field(() => OrgRole, { description: 'The new role.' })
  role!: OrgRole;
}

@ObjectType({ description: 'Result of updateMemberRole.' })
export class UpdateMemberRolePayload {
  @Field(() => OrganizationMemberType, { description: 'The member, with the new role.' })
  member!: OrganizationMemberType;

  @Field(() => Boolean, {
    description: 'false when the member already had this role: nothing changed and nothing was audited.',
  })
  changed!: boolean;
}

@InputType('MemberTargetInput', { description: 'A member of an organization.' })
export class MemberTargetInput {
  @Field(() => String, { description: 'Organization name (slug).' })
  organization!: string;

  @Field(() => String, { description: 'The member: username or email.' })
  user!: string;
}

@InputType('RemoveMemberInput', {
  description: 'Remove a member (or leave, when it is you). The account and everything they created stay.',
})
export class RemoveMemberInput extends MemberTargetInput {}

@ObjectType({ description: 'Result of removeMember.' })
export class RemoveMemberPayload {
  @Field(() => ID, {
    description: 'Id of the removed membership (OrganizationMember.id): drop it from cached member lists.',
  })
  removedMemberId!: string;

  @Field(() => OrganizationType, { description: 'The organization.' })
  organization!: OrganizationType;

  @Field(() => UserType, { description: 'The removed user (the account remains).' })
  user!: UserType;
}

@InputType('DeactivateMemberInput', { description: "Revoke a member's access, keeping the record. Frees the seat." })
export class DeactivateMemberInput extends MemberTargetInput {}

@ObjectType({ description: 'Result of deactivateMember.' })
export class DeactivateMemberPayload {
  @Field(() => OrganizationMemberType, { description: 'The member, now DEACTIVATED.' })
  member!: OrganizationMemberType;

  @Field(() => Boolean, {
    description: 'false when the member was already deactivated: nothing changed and nothing was audited.',
  })
  changed!: boolean;
}

@InputType('ReactivateMemberInput', {
  description: 'Restore a deactivated member (needs a free seat for ADMIN and MEMBER).',
})
export class ReactivateMemberInput extends MemberTargetInput {}

@ObjectType({ description: 'Result of reactivateMember.' })
export class ReactivateMemberPayload {
  @Field(() => OrganizationMemberType, { description: 'The member, ACTIVE again.' })
  member!: OrganizationMemberType;

  @Field(() => Boolean, {
    description: 'false when the member was already active: nothing changed and nothing was audited.',
  })
  changed!: boolean;
}
