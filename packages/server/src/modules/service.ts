import type { RequestContext } from '../graphql/context';
import { recordAudit, recordAudits, type AuditInput } from './audit/audit.service';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Membership } from './organizations/membership.entity';
import type { Organization } from './organizations/organization.entity';
import type { OrgPermission } from '../authz/permissions';

/** Base for services: each is built per request around its context. */
export abstract class Service {
  constructor(protected readonly ctx: RequestContext) {}

  protected get em(): EntityManager {
    return this.ctx.em;
  }

  /**
   * Re-checks the caller's permission inside a transaction that holds the organization lock: a concurrent
   * request may have just demoted or removed them (the request-scoped DataLoader would not see that).
   */
  protected async recheckOrg(em: EntityManager, org: Organization, permission: OrgPermission): Promise<void> {
    await this.ctx.authz.requireOrg(org, permission, async (organizationId, userId) =>
      em.findOne(Membership, { organization: organizationId, user: userId }, { refresh: true }),
    );
  }

  protected audit(em: EntityManager, input: AuditInput): void {
    recordAudit(em, this.ctx, input);
  }

  /** One audit event per input, written at once (bulk operations): see recordAudits. */
  protected auditMany(em: EntityManager, inputs: readonly AuditInput[]): Promise<void> {
    return recordAudits(em, this.ctx, inputs);
  }
}
