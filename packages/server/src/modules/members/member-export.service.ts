import { Service } from '../service';
import type { RequestContext } from '../../graphql/context';
import type { Organization } from '../organizations/organization.entity';
import { OrgPermission } from '../../authz/permissions';
import { AuditAction } from '../audit/audit.service';
import { memberActivityFacts, membershipKey } from '../../graphql/loaders';
import { MemberService } from './member.service';
import type { MemberStatus, OrgRole } from '../../authz/roles';
import type { TeamRole } from '../../authz/team-permissions';

/** One row of the members export: what the members view shows, with the activity summary's counts. */
export interface MemberExportRow {
  username: string | null;
  name: string | null;
  /** null when the caller may not see emails (`member:read_email`). */
  email: string | null;
  role: OrgRole;
  status: MemberStatus;
  lastActiveAt: Date | null;
  teams: Array<{ team: string; role: TeamRole }>;
  addedAt: Date;
  /** null when the caller may not see this member's activity (UsageService.mayReadActivityOf), and for PENDING rows. */
  runsCreated: number | null;
  reportsCreated: number | null;
  daysActive: number | null;
}

/** Rows per batch: one keyset page of the members view's SQL, and a handful of statements for its teams and counts. */
export const EXPORT_BATCH_SIZE = 5000;

/**
 * The members view as a stream of batches (GET /organizations/:name/members.csv, docs/USAGE.md): the same filters,
 * order, visibility and permission as `Organization.members`, read with the same SQL in keyset batches. Each batch runs
 * in a fresh context (`batchContext`: its own EntityManager and DataLoaders), so nothing accumulates over a million
 * rows and the permission is checked again for every batch.
 */
export class MemberExportService extends Service {
  /** Checks the caller may list members and records the download (an audit event); BAD_USER_INPUT on bad filters. */
  async start(org: Organization, filters: Record<string, unknown>, format: string): Promise<void> {
    await this.ctx.authz.requireOrg(org, OrgPermission.READ_MEMBERS);
    // Validates the filters before the download is recorded (an empty first page costs one indexed read).
    await new MemberService(this.ctx).list(org, { ...filters, first: 1 });
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
    batchContext: () => RequestContext,
    batchSize = EXPORT_BATCH_SIZE,
  ): AsyncGenerator<MemberExportRow[]> {
    let after: string | null = null;
    for (;;) {
      const ctx = batchContext();
      const members = new MemberService(ctx);
      const page = await members.list(org, { ...filters, after }, { batchSize });
      const seesEmails = await members.canSeeEmails(org);
      const seesAllActivity = await ctx.authz.canOrg(org, OrgPermission.READ_USAGE);
      const withActivity = page.nodes.filter((m) => m.userId && (seesAllActivity || ctx.authz.isSelf(m.userId)));
      const [teams, facts] = await Promise.all([
        Promise.all(page.nodes.map((m) => members.teamsOf(m))),
        memberActivityFacts(
          ctx.em,
          withActivity.map((m) => [org.id, m.userId!] as const),
        ),
      ]);
      yield page.nodes.map((m, i) => {
        const f = m.userId ? facts.get(membershipKey(org.id, m.userId)) : undefined;
        return {
          username: m.username,
          name: m.name,
          email: seesEmails ? m.email : null,
          role: m.role,
          status: m.status,
          lastActiveAt: m.lastActiveAt,
          teams: teams[i]!.map((t) => ({ team: t.name, role: t.role })),
          addedAt: m.addedAt,
          runsCreated: f?.runsCreated ?? null,
          reportsCreated: f?.reportsCreated ?? null,
          daysActive: f?.daysActive ?? null,
        };
      });
      if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) return;
      after = page.pageInfo.endCursor;
    }
  }
}
