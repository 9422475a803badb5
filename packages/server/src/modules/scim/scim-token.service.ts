import { LockMode, ref } from '@mikro-orm/core';
import { z } from 'zod';
import { Service } from '../service';
import { Organization } from '../organizations/organization.entity';
import { OrganizationService } from '../organizations/organization.service';
import { AuditAction } from '../audit/audit.service';
import { ScimToken } from './scim-token.entity';
import { hashSecret, newScimToken } from '../../auth/secrets';
import { OrgPermission } from '../../authz/permissions';
import { notFound } from '../../errors';
import { entityIdSchema, orgRefSchema, parseInput } from '../../validation';

const createSchema = z.object({
  organization: orgRefSchema,
  name: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
});
const revokeSchema = z.object({ id: entityIdSchema('a SCIM token') });

/** SCIM tokens of an organization (docs/SCIM.md): created, listed and revoked by its admins (`scim:manage`). */
/** Tokens `Organization.scimTokens` lists at most (the newest). */
export const MAX_LISTED_SCIM_TOKENS = 100;

export class ScimTokenService extends Service {
  /** The token secret is returned this once; only its SHA-256 is stored. */
  async create(raw: unknown): Promise<{ scimToken: ScimToken; secret: string }> {
    const input = parseInput(createSchema, raw);
    const org = await new OrganizationService(this.ctx).getFor(input.organization, OrgPermission.MANAGE_SCIM);
    const { user } = this.ctx.authz.requireUser();
    return this.em.transactional(async (em) => {
      const secret = newScimToken();
      const scimToken = em.create(ScimToken, {
        organization: ref(em.getReference(Organization, org.id)),
        name: input.name,
        tokenHash: hashSecret(secret),
        lastFour: secret.slice(-4),
        createdById: user.id,
      });
      this.audit(em, {
        action: AuditAction.SCIM_TOKEN_CREATED,
        organizationId: org.id,
        target: { type: 'scim_token', id: scimToken.id, label: scimToken.name },
        metadata: { lastFour: scimToken.lastFour },
      });
      return { scimToken, secret };
    });
  }

  /** Idempotent: revoking a revoked token answers `changed: false` and audits nothing. */
  async revoke(raw: unknown): Promise<{ scimToken: ScimToken; changed: boolean }> {
    const input = parseInput(revokeSchema, raw);
    this.ctx.authz.requireUser();
    const missing = () => notFound('No SCIM token with this id in an organization whose SCIM tokens you manage.');
    const token = await this.em.findOne(ScimToken, { id: input.id }, { populate: ['organization'] });
    if (!token) throw missing();
    const org = token.organization.getEntity();
    if (!(await this.ctx.authz.canOrg(org, OrgPermission.MANAGE_SCIM))) throw missing();
    return this.em.transactional(async (em) => {
      // Locked: two concurrent revokes of one token audit it once.
      const locked = await em.findOneOrFail(
        ScimToken,
        { id: token.id },
        { refresh: true, lockMode: LockMode.PESSIMISTIC_WRITE },
      );
      await this.recheckOrg(em, org, OrgPermission.MANAGE_SCIM);
      if (locked.revokedAt) return { scimToken: locked, changed: false };
      locked.revokedAt = new Date();
      this.audit(em, {
        action: AuditAction.SCIM_TOKEN_REVOKED,
        organizationId: org.id,
        target: { type: 'scim_token', id: locked.id, label: locked.name },
        metadata: { lastFour: locked.lastFour },
      });
      return { scimToken: locked, changed: true };
    });
  }

  /**
   * `Organization.scimTokens`: the MAX_LISTED_SCIM_TOKENS newest, revoked ones included (metadata only, never a
   * secret). An organization keeps a token or two per identity provider; the bound keeps the answer bounded anyway.
   */
  async list(org: Organization): Promise<ScimToken[]> {
    await this.ctx.authz.requireOrg(org, OrgPermission.MANAGE_SCIM);
    return this.em.find(
      ScimToken,
      { organization: org.id },
      { orderBy: { createdAt: 'desc', id: 'desc' }, limit: MAX_LISTED_SCIM_TOKENS },
    );
  }
}
