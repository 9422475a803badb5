import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { Service } from '../service';
import { AuditAction } from './audit.service';
import type { Organization } from '../organizations/organization.entity';
import { OrganizationService } from '../organizations/organization.service';
import { InstancePermission, OrgPermission } from '../../authz/permissions';
import { type Connection } from '../../graphql/connection';
import { cursorCodec, cursorValue } from '../../graphql/cursor';
import { parseInput, timestampSchema } from '../../validation';
import { isStorableText } from '../../graphql/input-hygiene';

const labelFilter = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(254, 'must be at most 254 characters')
  // The export's query string bypasses GraphQL's input hygiene: text PostgreSQL cannot store is refused here too.
  .refine(isStorableText, 'must not contain NUL bytes or invalid Unicode');

const filterSchema = z
  .object({
    actions: z.array(z.enum(AuditAction)).max(50, 'must list at most 50 actions').nullish(),
    actor: labelFilter.toLowerCase().nullish(),
    target: labelFilter.nullish(),
    targetType: z
      .string()
      .trim()
      .regex(/^[a-z_]{1,32}$/, 'must be a target type such as user, team, api_key or organization')
      .nullish(),
    since: timestampSchema.nullish(),
    until: timestampSchema.nullish(),
  })
  .superRefine((f, ctx) => {
    if (f.since && f.until && f.since.getTime() >= f.until.getTime())
      ctx.addIssue({ code: 'custom', path: ['until'], message: 'must be after since' });
  });

/** What the audit log can be filtered by (GraphQL arguments, export query parameters). */
export interface AuditFilterInput {
  actions?: AuditAction[] | null;
  /** The actor's label at the time: a username or a service account's name. */
  actor?: string | null;
  /** The target's label at the time: a username, email, team or organization name, key name… */
  target?: string | null;
  targetType?: string | null;
  since?: Date | null;
  until?: Date | null;
}

export type AuditFilter = z.output<typeof filterSchema>;

/**
 * Whose events: the whole instance, or one organization's. An organization's events are those recorded in it, plus
 * the organization-less events of its members (their sign-ins, failed sign-ins, personal keys, sessions): by actor
 * or target, among the users who hold a membership (any status) now. Failed sign-ins of unknown logins and address
 * lockouts name no member, so only the instance scope holds them (whether an account exists stays hidden).
 */
export type AuditScope = { kind: 'instance' } | { kind: 'organization'; organizationId: string };

export interface AuditEventView {
  id: string;
  action: AuditAction;
  actor: { type: string; id: string | null; label: string | null };
  target: { type: string; id: string; label: string | null } | null;
  organizationId: string | null;
  metadata: Record<string, unknown> | null;
  clientAddress: string | null;
  createdAt: Date;
}

export interface AuditEventRow {
  id: string;
  action: AuditAction;
  actor_type: string;
  actor_id: string | null;
  actor_label: string | null;
  target_type: string | null;
  target_id: string | null;
  target_label: string | null;
  organization_id: string | null;
  metadata: Record<string, unknown> | null;
  client_address: string | null;
  created_at: Date;
}

export const AUDIT_COLUMNS =
  'e.id::text as id, e.action, e.actor_type, e.actor_id, e.actor_label, e.target_type, e.target_id, ' +
  'e.target_label, e.organization_id, e.metadata, e.client_address, e.created_at';

export function auditEventView(r: AuditEventRow): AuditEventView {
  return {
    id: r.id,
    action: r.action,
    actor: { type: r.actor_type, id: r.actor_id, label: r.actor_label },
    target: r.target_type && r.target_id ? { type: r.target_type, id: r.target_id, label: r.target_label } : null,
    organizationId: r.organization_id,
    metadata: r.metadata,
    clientAddress: r.client_address,
    createdAt: new Date(r.created_at),
  };
}

/**
 * The where clause of a scope and filters, over `audit_events e`. Every branch has an index with the log's order
 * (Migration20261129153000_AuditLog): organization, actor, target, action, each followed by id.
 */
/**
 * The organization-less events an organization's admins see of their members: the members' own account events. Not
 * the instance's business (settings, instance admins, password resets and accounts made by the CLI, exports, pruning):
 * an instance admin who is also a member of an organization must not show that organization's admins what they did
 * to the instance or to users of other organizations.
 */
const MEMBER_ACCOUNT_ACTIONS: readonly AuditAction[] = [
  AuditAction.USER_SIGNED_UP,
  AuditAction.USER_LOGGED_IN,
  AuditAction.USER_LOGGED_OUT,
  AuditAction.USER_LOGIN_FAILED,
  AuditAction.USER_LOGIN_LOCKED,
  AuditAction.USER_SSO_SIGNED_IN,
  AuditAction.SESSIONS_REVOKED,
  AuditAction.API_KEY_CREATED,
  AuditAction.API_KEY_REVOKED,
  AuditAction.API_KEY_ROTATED,
  AuditAction.API_KEY_EXPIRED_ON_USE,
  AuditAction.API_KEY_USED_FROM_NEW_ADDRESS,
];

export function auditWhere(scope: AuditScope, f: AuditFilter): { sql: string; bindings: unknown[] } {
  const parts: string[] = [];
  const bindings: unknown[] = [];
  if (scope.kind === 'organization') {
    parts.push(
      `(e.organization_id = ? or (e.organization_id is null
         and e.action in (${MEMBER_ACCOUNT_ACTIONS.map(() => '?').join(', ')}) and (
         (e.actor_type = 'user' and e.actor_id in (select m.user_id from org_memberships m
            where m.organization_id = ? and m.user_id is not null))
         or (e.target_type = 'user' and e.target_id in (select m.user_id::text from org_memberships m
            where m.organization_id = ? and m.user_id is not null)))))`,
    );
    bindings.push(scope.organizationId, ...MEMBER_ACCOUNT_ACTIONS, scope.organizationId, scope.organizationId);
  }
  if (f.actions?.length) {
    parts.push(`e.action in (${f.actions.map(() => '?').join(', ')})`);
    bindings.push(...f.actions);
  }
  if (f.actor) {
    parts.push('e.actor_label = ?');
    bindings.push(f.actor);
  }
  if (f.target) {
    parts.push('e.target_label = ?');
    bindings.push(f.target);
  }
  if (f.targetType) {
    parts.push('e.target_type = ?');
    bindings.push(f.targetType);
  }
  if (f.since) {
    parts.push('e.created_at >= ?');
    bindings.push(f.since);
  }
  if (f.until) {
    parts.push('e.created_at < ?');
    bindings.push(f.until);
  }
  return { sql: parts.length ? parts.join(' and ') : 'true', bindings };
}

/** The audit log is newest first by event id (a bigserial: ids only grow, in the order events were written). */
const AUDIT_LOG_CURSOR = cursorCodec('auditLog', { ID_DESC: z.tuple([cursorValue.serial]) });
/** `Query.auditLog`'s own list name: a cursor of one list is refused by the other. */
const INSTANCE_AUDIT_LOG_CURSOR = cursorCodec('instanceAuditLog', { ID_DESC: z.tuple([cursorValue.serial]) });

export class AuditLogService extends Service {
  /** The organization's audit log, newest first (org admins and instance admins). */
  async list(
    org: Organization,
    args: AuditFilterInput & { first?: number | null; after?: string | null },
  ): Promise<Connection<AuditEventView>> {
    await this.ctx.authz.requireOrg(org, OrgPermission.READ_AUDIT_LOG);
    return this.page({ kind: 'organization', organizationId: org.id }, args, AUDIT_LOG_CURSOR);
  }

  /** The whole instance's audit log (instance admins), optionally one organization's (`organization`: its name). */
  async listInstance(
    args: AuditFilterInput & { organization?: string | null; first?: number | null; after?: string | null },
  ): Promise<Connection<AuditEventView>> {
    this.ctx.authz.requireInstance(InstancePermission.READ_AUDIT_LOG);
    const scope = await this.scopeOf(args.organization);
    return this.page(scope, args, INSTANCE_AUDIT_LOG_CURSOR);
  }

  /**
   * The scope and filters an export asks for, checked like the GraphQL queries: with `organization`, that
   * organization's log (org admins, instance admins); without, the instance's (instance admins).
   */
  async exportScope(
    args: AuditFilterInput & { organization?: string | null },
  ): Promise<{ scope: AuditScope; filter: AuditFilter }> {
    let scope: AuditScope;
    if (args.organization) {
      const org = await new OrganizationService(this.ctx).getVisible(args.organization);
      await this.ctx.authz.requireOrg(org, OrgPermission.READ_AUDIT_LOG);
      scope = { kind: 'organization', organizationId: org.id };
    } else {
      this.ctx.authz.requireInstance(InstancePermission.READ_AUDIT_LOG);
      scope = { kind: 'instance' };
    }
    return { scope, filter: parseFilter(args) };
  }

  private async scopeOf(organization: string | null | undefined): Promise<AuditScope> {
    if (!organization) return { kind: 'instance' };
    const org = await new OrganizationService(this.ctx).getVisible(organization);
    return { kind: 'organization', organizationId: org.id };
  }

  private async page(
    scope: AuditScope,
    args: AuditFilterInput & { first?: number | null; after?: string | null },
    codec: typeof AUDIT_LOG_CURSOR,
  ): Promise<Connection<AuditEventView>> {
    const page = codec.page(args, 'ID_DESC');
    const where = auditWhere(scope, parseFilter(args));
    const after = page.after ? { sql: ' and e.id < ?', bindings: [page.after[0]] } : { sql: '', bindings: [] };
    const em: EntityManager = this.em;
    const [rows, total] = await Promise.all([
      em.execute<AuditEventRow[]>(
        `select ${AUDIT_COLUMNS} from audit_events e where ${where.sql}${after.sql} order by e.id desc limit ?`,
        [...where.bindings, ...after.bindings, page.first + 1],
      ),
      em.execute<Array<{ n: string }>>(`select count(*) as n from audit_events e where ${where.sql}`, where.bindings),
    ]);
    return codec.connection(page, 'ID_DESC', rows, Number(total[0]?.n ?? 0), (e) => [e.id], auditEventView);
  }
}

function parseFilter(args: AuditFilterInput): AuditFilter {
  return parseInput(filterSchema, {
    actions: args.actions,
    actor: args.actor,
    target: args.target,
    targetType: args.targetType,
    since: args.since,
    until: args.until,
  });
}
