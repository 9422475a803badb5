import { ArgsType, Field, ID, ObjectType } from 'type-graphql';
import { DateTime, JSONObject } from '../../graphql/scalars';
import { ConnectionType, PageArgs } from '../../graphql/connection';
import { AuditActionEnum } from '../../graphql/enums';
import type { AuditAction } from './audit.service';

@ObjectType('AuditActor', { description: 'Who did it.' })
export class AuditActorType {
  @Field(() => String, { description: 'user, service_account, anonymous or system (the roster-admin command).' })
  type!: string;

  @Field(() => ID, { nullable: true, description: 'User id, when a user; service account id, when a service account.' })
  id!: string | null;

  @Field(() => String, { nullable: true, description: 'Username (or service account name) at the time.' })
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

  @Field(() => String, { nullable: true, description: 'Only events by this user (username).' })
  actor?: string | null;

  @Field(() => DateTime, { nullable: true, description: 'Only events at or after this time.' })
  since?: Date | null;

  @Field(() => DateTime, { nullable: true, description: 'Only events before this time.' })
  until?: Date | null;
}
