import { Service } from '../service';
import type { Organization } from '../organizations/organization.entity';
import { OrgPermission } from '../../authz/permissions';
import { AuditAction } from '../audit/audit.service';
import { MemberService, type MemberExportSqlRow } from './member.service';

/** One row of the members export: what the members view shows, with the activity summary's counts. */
export type MemberExportRow = MemberExportSqlRow;

/** Rows per batch: one range of the members view's SQL, teams and counts included (one statement). */
export const EXPORT_BATCH_SIZE = 2500;
/** Batches read at once: the database reads the next ranges while the current one is written out. */
export const EXPORT_READ_AHEAD = 3;

/**
 * The members view as a stream of batches (GET /organizations/:name/members.csv, docs/USAGE.md): the same filters,
 * order, visibility and permission as `Organization.members`, read with the same SQL in ranges of the order. Each
 * range's end is found first by an index range scan (MemberService.exportBoundary), so up to EXPORT_READ_AHEAD ranges
 * are read at once, each bounded below and above: no row is read twice or skipped between ranges, whatever changes
 * meanwhile. Each read runs on a fresh EntityManager; at most EXPORT_READ_AHEAD batches are in memory.
 */
export class MemberExportService extends Service {
  /** Checks the caller may list members and records the download (an audit event); BAD_USER_INPUT on bad filters. */
  async start(org: Organization, filters: Record<string, unknown>, format: string): Promise<void> {
    await this.ctx.authz.requireOrg(org, OrgPermission.READ_MEMBERS);
    // Validates the filters before the download is recorded (one index entry read).
    await new MemberService(this.ctx).exportBoundary(org, filters, 1, null);
    await this.em.transactional(async (em) => {
      this.audit(em, {
        action: AuditAction.MEMBERS_EXPORTED,
        organizationId: org.id,
        target: { type: 'organization', id: org.id, label: org.name },
        metadata: { format, filters },
      });
    });
  }

  async *batches(
    org: Organization,
    filters: Record<string, unknown>,
    batchSize = EXPORT_BATCH_SIZE,
    readAhead = EXPORT_READ_AHEAD,
  ): AsyncGenerator<MemberExportRow[]> {
    const service = () => new MemberService({ ...this.ctx, em: this.em.fork() });
    const reads: Array<Promise<MemberExportRow[]>> = [];
    let start: unknown[] | null = null;
    let last = false;
    const launch = async () => {
      const end = await service().exportBoundary(org, filters, batchSize, start);
      const read = service().exportRange(org, filters, start, end, batchSize + 1);
      // The caller may stop (a client that went away) while reads are in flight: their failures are then nobody's.
      read.catch(() => undefined);
      reads.push(read);
      if (end === null) last = true;
      else start = end;
    };
    while (!last && reads.length < readAhead) await launch();
    while (reads.length) {
      const rows = await reads.shift()!;
      while (!last && reads.length < readAhead) await launch();
      yield rows;
    }
  }
}
