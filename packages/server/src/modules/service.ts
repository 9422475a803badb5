import type { RequestContext } from '../graphql/context';
import { recordAudit, type AuditInput } from './audit/audit.service';
import type { EntityManager } from '@mikro-orm/postgresql';

/** Base for services: each is built per request around its context. */
export abstract class Service {
  constructor(protected readonly ctx: RequestContext) {}

  protected get em(): EntityManager {
    return this.ctx.em;
  }

  protected audit(em: EntityManager, input: AuditInput): void {
    recordAudit(em, this.ctx, input);
  }
}
