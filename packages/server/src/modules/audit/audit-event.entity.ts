import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import type { AuditAction } from './audit.service';

/**
 * Append-only. No foreign keys: an event outlives the user, team or organization it names,
 * so labels are copied at write time.
 */
@Entity({ tableName: 'audit_events' })
// Each filter of the audit log (audit-log.service.ts) with the log's order (id: insertion, i.e. time, order).
@Index({ properties: ['organizationId', 'id'] })
@Index({ properties: ['actorLabel', 'id'] })
@Index({ properties: ['actorId', 'id'] })
@Index({ properties: ['targetLabel', 'id'] })
@Index({ properties: ['targetType', 'targetId', 'id'] })
@Index({ properties: ['action', 'id'] })
// A narrow time range far back: the planner reads the range, then sorts it by id (a wide one walks the primary key).
@Index({ properties: ['createdAt'] })
export class AuditEvent {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  /** Only values of AuditAction are written (the GraphQL AuditAction enum serialises them). */
  @Property({ type: 'string', length: 64 })
  action!: AuditAction;

  @Property({ type: 'string', length: 32 })
  actorType!: string;

  @Property({ type: 'uuid', nullable: true })
  actorId: string | null = null;

  @Property({ type: 'string', length: 254, nullable: true })
  actorLabel: string | null = null;

  @Property({ type: 'string', length: 32, nullable: true })
  targetType: string | null = null;

  @Property({ type: 'string', length: 64, nullable: true })
  targetId: string | null = null;

  @Property({ type: 'string', length: 254, nullable: true })
  targetLabel: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  organizationId: string | null = null;

  @Property({ type: 'json', nullable: true })
  metadata: Record<string, unknown> | null = null;

  @Property({ type: 'string', length: 64, nullable: true })
  clientAddress: string | null = null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
