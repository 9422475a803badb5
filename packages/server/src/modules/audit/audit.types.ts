import { ArgsType, Field, ID, ObjectType } from 'type-graphql';
import { DateTime, JSONObject } from '../../graphql/scalars';
import { ConnectionType, PageArgs } from '../../graphql/connection';
import { AuditActionEnum } from '../../graphql/enums';
import type { AuditAction } from './audit.service';

@ObjectType('AuditActor', { description: 'Who did it.' })
export class AuditActorType {
  @Field(() => String, {
    description:
      'user, service_account, scim_token (SCIM provisioning: label is the token’s name), anonymous or system (the ' +
      'roster-admin command).',
  })
  type!: string;

  @Field(() => ID, {
    nullable: true,
    description: 'User id, when a user; service account id, when a service account; SCIM token id, when a SCIM token.',
  })
  id!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Username (or service account or SCIM token name) at the time.',
  })
  label!: string | null;
}

@ObjectType('AuditTarget', { description: 'What it was done to.' })
export class AuditTargetType {
  @Field(() => String, { description: 'user, organization, invitation, api_key, team…' })
  type!: string;

  @Field(() => ID, { description: 'Its id.' })
  id!: string;

  @Field(() => String, { nullable: true, description: 'Its name or email at the time.' })
  label!: string | null;
}

@ObjectType('AuditEvent', { description: 'One state-changing action. Never contains a secret.' })
export class AuditEventType {
  @Field(() => ID, { description: 'Opaque id; events are ordered by it.' })
  id!: string;

  @Field(() => AuditActionEnum, { description: 'What happened, e.g. MEMBER_INVITED, MEMBER_ROLE_CHANGED.' })
  action!: AuditAction;

  @Field(() => AuditActorType, { description: 'Who did it.' })
  actor!: AuditActorType;

  @Field(() => AuditTargetType, { nullable: true, description: 'What it was done to.' })
  target!: AuditTargetType | null;

  @Field(() => JSONObject, { nullable: true, description: 'Details, e.g. { from: MEMBER, to: ADMIN }.' })
  metadata!: Record<string, unknown> | null;

  @Field(() => ID, {
    nullable: true,
    description: 'Id of the organization it happened in; null for events of no organization (sign-ins, personal keys).',
  })
  organizationId!: string | null;

  @Field(() => String, { nullable: true, description: 'Client IP address.' })
  clientAddress!: string | null;

  @Field(() => DateTime, { description: 'When it happened.' })
  createdAt!: Date;
}

export const AuditEventConnection = ConnectionType(
  'AuditEvent',
  AuditEventType,
  'A page of audit events, newest first.',
);

@ArgsType()
export class AuditLogArgs extends PageArgs {
  @Field(() => [AuditActionEnum], {
    nullable: true,
    description: 'Only these actions, e.g. [MEMBER_INVITED, MEMBER_REMOVED].',
  })
  actions?: AuditAction[] | null;

  @Field(() => String, {
    nullable: true,
    description: 'Only events by this actor: a username (or a service account’s name) as it was at the time.',
  })
  actor?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Only events about this target, by its label at the time: a username, email, team or key name.',
  })
  target?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Only events about targets of this type: user, organization, invitation, api_key, team…',
  })
  targetType?: string | null;

  @Field(() => DateTime, { nullable: true, description: 'Only events at or after this time.' })
  since?: Date | null;

  @Field(() => DateTime, { nullable: true, description: 'Only events before this time (after `since`).' })
  until?: Date | null;
}

@ArgsType()
export class InstanceAuditLogArgs extends AuditLogArgs {
  @Field(() => String, {
    nullable: true,
    description: 'Only this organization’s events (by name), as its admins see them: Organization.auditLog.',
  })
  organization?: string | null;
}
