import type { FilterQuery } from '@mikro-orm/core';
import { z } from 'zod';
import { Service } from '../service';
import { AuditAction } from './audit.service';
import { AuditEvent } from './audit-event.entity';
import type { Organization } from '../organizations/organization.entity';
import { OrgPermission } from '../../authz/permissions';
import { type Connection } from '../../graphql/connection';
import { cursorCodec, cursorValue } from '../../graphql/cursor';
import { parseInput, timestampSchema } from '../../validation';

const filterSchema = z.object({
  actions: z.array(z.enum(AuditAction)).max(50, 'must list at most 50 actions').nullish(),
  actor: z.string().trim().toLowerCase().max(40, 'must be at most 40 characters').nullish(),
  since: timestampSchema.nullish(),
  until: timestampSchema.nullish(),
});

export interface AuditEventView {
  id: string;
  action: AuditAction;
  actor: { type: string; id: string | null; label: string | null };
  target: { type: string; id: string; label: string | null } | null;
  metadata: Record<string, unknown> | null;
  clientAddress: string | null;
  createdAt: Date;
}

/** `Organization.auditLog` is newest first by event id (a bigserial: ids only grow). */
const AUDIT_LOG_CURSOR = cursorCodec('auditLog', { ID_DESC: z.tuple([cursorValue.serial]) });

export class AuditLogService extends Service {
  /** The organization's audit log, newest first (org admins). */
  async list(
    org: Organization,
    args: {
      first?: number | null;
      after?: string | null;
      actions?: AuditAction[] | null;
      actor?: string | null;
      since?: Date | null;
      until?: Date | null;
    },
  ): Promise<Connection<AuditEventView>> {
    await this.ctx.authz.requireOrg(org, OrgPermission.READ_AUDIT_LOG);
    const page = AUDIT_LOG_CURSOR.page(args, 'ID_DESC');
    const f = parseInput(filterSchema, {
      actions: args.actions,
      actor: args.actor,
      since: args.since,
      until: args.until,
    });
    const where: FilterQuery<AuditEvent> = { organizationId: org.id };
    if (f.actions?.length) where.action = { $in: f.actions };
    if (f.actor) where.actorLabel = f.actor;
    if (f.since || f.until)
      where.createdAt = { ...(f.since ? { $gte: f.since } : {}), ...(f.until ? { $lt: f.until } : {}) };
    const after: FilterQuery<AuditEvent> = page.after ? { id: { $lt: page.after[0] } } : {};
    const [rows, total] = await Promise.all([
      this.em.find(AuditEvent, { $and: [where, after] }, { orderBy: { id: 'desc' }, limit: page.first + 1 }),
      this.em.count(AuditEvent, where),
    ]);
    return AUDIT_LOG_CURSOR.connection(
      page,
      'ID_DESC',
      rows,
      total,
      (e) => [e.id],
      (e) => ({
        id: e.id,
        action: e.action,
        actor: { type: e.actorType, id: e.actorId, label: e.actorLabel },
        target: e.targetType && e.targetId ? { type: e.targetType, id: e.targetId, label: e.targetLabel } : null,
        metadata: e.metadata,
        clientAddress: e.clientAddress,
        createdAt: e.createdAt,
      }),
    );
  }
}
