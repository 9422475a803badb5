import type express from 'express';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { AppServices } from '../graphql/context';
import { httpRequestContext, refuseUnknownQueryParameters, sendRouteError, writeStreamed } from './http-auth';
import {
  AUDIT_COLUMNS,
  AuditLogService,
  auditEventView,
  auditWhere,
  type AuditEventRow,
  type AuditFilterInput,
} from '../modules/audit/audit-log.service';
import { AuditAction, recordAudit } from '../modules/audit/audit.service';
import { AuditActionEnum, wireEnumName } from '../graphql/enums';
import { badInput } from '../errors';

/** Rows fetched from the database cursor at a time: memory stays flat whatever the log's size. */
const FETCH_ROWS = 1_000;

const QUERY_PARAMETERS: ReadonlySet<string> = new Set([
  'organization',
  'actions',
  'actor',
  'target',
  'targetType',
  'since',
  'until',
]);

/** `GET /audit-log.jsonl`'s query parameters, as the GraphQL arguments take them; unknown ones are refused. */
function exportArgs(query: express.Request['query']): AuditFilterInput & { organization?: string | null } {
  refuseUnknownQueryParameters(query, QUERY_PARAMETERS);
  const text = (name: string): string | null => {
    const v = query[name];
    if (v === undefined || v === '') return null;
    if (typeof v !== 'string') throw badInput(name, `${name} must be given once, as text.`);
    return v;
  };
  const time = (name: string): Date | null => {
    const v = text(name);
    if (v === null) return null;
    const d = new Date(v);
    if (!/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(d.getTime()))
      throw badInput(name, `${name} must be an ISO-8601 time such as 2026-11-01T00:00:00Z.`);
    return d;
  };
  const actions = text('actions')
    ?.split(',')
    .map((a) => a.trim())
    .filter(Boolean)
    .map((name) => {
      const value = AuditActionEnum[name] ?? Object.values(AuditAction).find((a) => a === name);
      if (!value) throw badInput('actions', `Unknown action "${name}": use AuditAction names such as MEMBER_INVITED.`);
      return value as AuditAction;
    });
  return {
    organization: text('organization'),
    actions: actions ?? null,
    actor: text('actor'),
    target: text('target'),
    targetType: text('targetType'),
    since: time('since'),
    until: time('until'),
  };
}

/**
 * `GET /audit-log.jsonl`: the audit log as JSON Lines (one event per line, newest first, the fields of the GraphQL
 * AuditEvent), with the filters of `auditLog` as query parameters; `organization` for one organization's log (its
 * admins), none for the instance's (instance admins). Read through a database cursor FETCH_ROWS rows at a time and
 * written with backpressure, so memory stays flat; the rows are one snapshot (a repeatable-read transaction). The
 * export itself is an audit event (AUDIT_LOG_EXPORTED), written before the first row.
 */
export function auditExportHandler(orm: MikroORM, services: AppServices): express.RequestHandler {
  return async (req, res, next) => {
    let closed = false;
    res.once('close', () => {
      closed = true;
    });
    try {
      const ctx = await httpRequestContext(req, orm.em.fork(), services);
      const args = exportArgs(req.query);
      const { scope, filter } = await new AuditLogService(ctx).exportScope(args);
      const audited = ctx.em.fork();
      recordAudit(audited, ctx, {
        action: AuditAction.AUDIT_LOG_EXPORTED,
        organizationId: scope.kind === 'organization' ? scope.organizationId : null,
        metadata: {
          format: 'jsonl',
          scope: scope.kind,
          filters: {
            actions: filter.actions?.map(wireEnumName) ?? null,
            actor: filter.actor ?? null,
            target: filter.target ?? null,
            targetType: filter.targetType ?? null,
            since: filter.since?.toISOString() ?? null,
            until: filter.until?.toISOString() ?? null,
          },
        },
      });
      await audited.flush();
      const where = auditWhere(scope, filter);
      const day = new Date().toISOString().slice(0, 10);
      res.status(200);
      res.setHeader('Content-Type', 'application/x-ndjson; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="audit-log-${day}.jsonl"`);
      res.setHeader('Cache-Control', 'no-store');
      const knex = orm.em.getConnection().getKnex();
      await knex.transaction(
        async (trx) => {
          await trx.raw(
            `declare audit_export no scroll cursor for select ${AUDIT_COLUMNS} from audit_events e
               where ${where.sql} order by e.id desc`,
            where.bindings as never[],
          );
          while (!closed) {
            const batch = await trx.raw(`fetch forward ${FETCH_ROWS} from audit_export`);
            const rows = batch.rows as AuditEventRow[];
            if (rows.length === 0) break;
            let chunk = '';
            for (const row of rows) {
              const view = auditEventView(row);
              chunk += `${JSON.stringify({ ...view, action: wireEnumName(view.action) })}\n`;
            }
            await writeStreamed(res, chunk);
          }
        },
        { isolationLevel: 'repeatable read', readOnly: true },
      );
      res.end();
    } catch (err) {
      if (res.headersSent) {
        // Mid-stream: the status is sent; cut the response so the client sees an incomplete download.
        req.log.warn({ err }, 'Audit log export failed while streaming');
        res.destroy();
        return;
      }
      sendRouteError(res, next, err);
    }
  };
}
