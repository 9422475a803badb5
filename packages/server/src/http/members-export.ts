import type express from 'express';
import type { MikroORM } from '@mikro-orm/postgresql';
import { stringify } from 'csv-stringify/sync';
import type { AppServices, RequestContext } from '../graphql/context';
import { httpRequestContext, refuseUnknownQueryParameters, sendRouteError, writeStreamed } from './http-auth';
import { AppError, ErrorCode } from '../errors';
import { OrganizationService } from '../modules/organizations/organization.service';
import type { Organization } from '../modules/organizations/organization.entity';
import { MemberExportService, type MemberExportRow } from '../modules/members/member-export.service';
import { MemberOrderField, OrderDirection } from '../modules/members/member.types';

/** The columns of members.csv, in order (docs/USAGE.md). */
export const MEMBERS_CSV_COLUMNS = [
  'username',
  'name',
  'email',
  'role',
  'status',
  'last active',
  'teams',
  'added at',
  'runs created',
  'reports created',
  'days active',
] as const;

const QUERY_PARAMETERS = new Set(['search', 'roles', 'statuses', 'teams', 'orderBy', 'direction', 'format', 'bom']);

/**
 * OWASP's CSV-injection rule: a cell a spreadsheet would read as a formula (starting with `=`, `+`, `-`, `@`, tab or
 * carriage return) gets a leading `'`, so it shows as the text it is.
 */
export function neutraliseCell(value: string): string {
  return FORMULA_STARTS.has(value.charCodeAt(0)) ? `'${value}` : value;
}
const FORMULA_STARTS: ReadonlySet<number> = new Set(['=', '+', '-', '@', '\t', '\r'].map((c) => c.charCodeAt(0)));

const count = (n: number | null) => (n === null ? '' : String(n));

function csvRecord(r: MemberExportRow): string[] {
  return [
    r.username ?? '',
    r.name ?? '',
    r.email ?? '',
    r.role,
    r.status,
    r.lastActiveAt ?? '',
    r.teams.map((t) => `${t.team}:${t.role}`).join(';'),
    r.addedAt,
    count(r.runsCreated),
    count(r.reportsCreated),
    count(r.daysActive),
  ].map(neutraliseCell);
}

function jsonLine(r: MemberExportRow): string {
  return `${JSON.stringify(r)}\n`;
}

/** A query parameter as a list: repeated (`roles=A&roles=B`) or comma-separated (`roles=A,B`). */
function listParam(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  const values = Array.isArray(value) ? value : [value];
  return values.flatMap((v) => String(v).split(',')).filter((v) => v !== '');
}

function singleParam(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new AppError(ErrorCode.BAD_USER_INPUT, `Give ${name} once.`, { field: name });
  return value;
}

/**
 * The members view's arguments from query parameters; MemberService.list validates them with the GraphQL arguments'
 * schema. Unknown parameters are refused, so a misspelt filter does not silently export everyone.
 */
export function exportFilters(query: Record<string, unknown>): Record<string, unknown> {
  refuseUnknownQueryParameters(query, QUERY_PARAMETERS);
  const field = singleParam('orderBy', query.orderBy);
  const direction = singleParam('direction', query.direction);
  return {
    search: singleParam('search', query.search),
    roles: listParam(query.roles),
    statuses: listParam(query.statuses),
    teams: listParam(query.teams),
    orderBy:
      field || direction
        ? { field: field ?? MemberOrderField.NAME, direction: direction ?? OrderDirection.ASC }
        : undefined,
  };
}

/**
 * GET /organizations/:name/members.csv (and members.jsonl, or `?format=jsonl`): the members view as a download
 * (docs/USAGE.md, docs/API.md). Authenticated as /graphql is: `Authorization: Bearer` (session or API key), or the
 * session cookie. A cookie is sent by the browser whatever page starts the request, so a cookie-only request must carry
 * `X-Roster-Client` (which another site cannot add without passing CORS) or come from this origin or the address bar
 * (`Sec-Fetch-Site: same-origin` or `none`); otherwise CSRF_REFUSED. Streamed batch by batch: each batch is written
 * only when the previous one drained, and a client that goes away stops the reading.
 */
export function membersExportHandler(params: {
  orm: MikroORM;
  services: AppServices;
  format: 'csv' | 'jsonl' | null;
}): express.RequestHandler {
  const { orm, services } = params;
  return async (req, res, next) => {
    const logger = req.log ?? services.logger;
    let closed = false;
    res.once('close', () => {
      closed = true;
    });
    const controller = new AbortController();
    let ctx: RequestContext;
    let filters: Record<string, unknown>;
    let format: 'csv' | 'jsonl';
    let bom: boolean;
    let org: Organization;
    try {
      // Authenticated as the API (http-auth.ts: a cross-site cookie is CSRF_REFUSED); a download is activity.
      ctx = await httpRequestContext(req, orm.em.fork(), services, controller.signal);
      if (ctx.principal.kind === 'anonymous') {
        throw new AppError(ErrorCode.UNAUTHENTICATED, 'Log in, or pass "Authorization: Bearer <session or API key>".');
      }
      const query = req.query as Record<string, unknown>;
      const asked = singleParam('format', query.format);
      if (asked !== undefined && asked !== 'csv' && asked !== 'jsonl') {
        throw new AppError(ErrorCode.BAD_USER_INPUT, 'format must be csv or jsonl.', { field: 'format' });
      }
      format = params.format === 'jsonl' || asked === 'jsonl' ? 'jsonl' : 'csv';
      const bomParam = singleParam('bom', query.bom);
      if (bomParam !== undefined && bomParam !== '0' && bomParam !== '1') {
        throw new AppError(ErrorCode.BAD_USER_INPUT, 'bom must be 0 or 1.', { field: 'bom' });
      }
      bom = bomParam === '1' && format === 'csv';
      filters = exportFilters(query);
      org = await new OrganizationService(ctx).getVisible(String(req.params.name ?? ''));
      await new MemberExportService(ctx).start(org, filters, format);
    } catch (err) {
      sendRouteError(res, next, err);
      return;
    }

    const day = new Date().toISOString().slice(0, 10);
    res.setHeader(
      'Content-Type',
      format === 'csv' ? 'text/csv; charset=utf-8; header=present' : 'application/jsonl; charset=utf-8',
    );
    res.setHeader('Content-Disposition', `attachment; filename="${org.name}-members-${day}.${format}"`);
    res.setHeader('Cache-Control', 'no-store');
    // Back-pressure: wait for 'drain' (or the client going away) before the next chunk; both listeners are removed
    // either way, so a million rows do not pile up listeners.
    const write = (chunk: string) => (closed ? Promise.resolve() : writeStreamed(res, chunk));
    try {
      if (bom) await write('\uFEFF');
      if (format === 'csv')
        await write(stringify([MEMBERS_CSV_COLUMNS as unknown as string[]], { record_delimiter: '\r\n' }));
      for await (const batch of new MemberExportService(ctx).batches(org, filters)) {
        if (closed) break;
        await write(
          format === 'csv'
            ? stringify(batch.map(csvRecord), { record_delimiter: '\r\n' })
            : batch.map(jsonLine).join(''),
        );
        if (closed) break;
      }
      controller.abort();
      if (!closed) res.end();
    } catch (err) {
      // Headers are gone: cut the transfer so the client sees an incomplete download, not a short file.
      logger.error({ err }, 'Members export failed while streaming');
      controller.abort();
      res.destroy();
    }
  };
}
