import { Service } from '../service';
import type { Organization } from '../organizations/organization.entity';
import { OrgPermission } from '../../authz/permissions';
import { AuditAction } from '../audit/audit.service';
import { MemberService, type MemberExportSqlRow } from './member.service';

/** One row of the members export: what the members view shows, with the activity summary's counts. */
export type MemberExportRow = MemberExportSqlRow;

/** Rows per batch: one keyset page of the members view's SQL, teams and counts included (one statement). */
export const EXPORT_BATCH_SIZE = 2500;

/**
 * The members view as a stream of batches (GET /organizations/:name/members.csv, docs/USAGE.md): the same filters,
 * order, visibility and permission as `Organization.members`, read with the same SQL in keyset batches. Each batch is
 * one statement (MemberService.exportBatch); the next is read while the caller writes the current one out, so the
 * database and the response overlap, and at most two batches are in memory.
 */
export class MemberExportService extends Service {
  /** Checks the caller may list members and records the download (an audit event); BAD_USER_INPUT on bad filters. */
  async start(org: Organization, filters: Record<string, unknown>, format: string): Promise<void> {
    await this.ctx.authz.requireOrg(org, OrgPermission.READ_MEMBERS);
    // Validates the filters before the download is recorded (an empty first page costs one indexed read).
    await new MemberService(this.ctx).exportBatch(org, filters, 1, null);
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
  ): AsyncGenerator<MemberExportRow[]> {
    // Each batch on a fresh EntityManager: nothing accumulates in an identity map over a million rows.
    const read = (after: unknown[] | null) => {
      const em = this.em.fork();
      const batch = new MemberService({ ...this.ctx, em }).exportBatch(org, filters, batchSize, after);
      // The caller may stop (a client that went away) while a read is in flight: its failure is then nobody's.
      batch.catch(() => undefined);
      return batch;
    };
    let pending = read(null);
    for (;;) {
      const batch = await pending;
      if (batch.next) pending = read(batch.next);
      yield batch.rows;
      if (!batch.next) return;
    }
  }
}
