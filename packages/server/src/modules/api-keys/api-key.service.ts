import { ref, type FilterQuery } from '@mikro-orm/core';
import { z } from 'zod';
import { Service } from '../service';
import { ApiKey } from './api-key.entity';
import { User } from '../accounts/user.entity';
import { Organization } from '../organizations/organization.entity';
import { Membership } from '../organizations/membership.entity';
import { hashSecret, newApiKey } from '../../auth/secrets';
import { badInput, notFound } from '../../errors';
import { entityIdSchema, parseInput, timestampSchema } from '../../validation';
import { AuditAction } from '../audit/audit.service';
import { type Connection } from '../../graphql/connection';
import { cursorCodec, NEWEST_FIRST, NEWEST_FIRST_ORDER, newestFirstAfter } from '../../graphql/cursor';
import { ApiKeyStatus } from '../../graphql/enums';
import { MemberStatus } from '../../authz/roles';

const createSchema = z.object({
  name: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
  expiresAt: timestampSchema.nullish(),
});

const idSchema = z.object({ id: entityIdSchema('an API key') });

export function apiKeyStatus(key: ApiKey, now = Date.now()): ApiKeyStatus {
  if (key.revokedAt) return ApiKeyStatus.REVOKED;
  if (key.isExpired(now)) return ApiKeyStatus.EXPIRED;
  return ApiKeyStatus.ACTIVE;
}

/** `Viewer.apiKeys` is newest first. */
const API_KEYS_CURSOR = cursorCodec('apiKeys', NEWEST_FIRST);

export class ApiKeyService extends Service {
  /** The longest lifetime the user may pick: the instance maximum, lowered by any organization they are active in. */
  private async maxLifetimeDays(userId: string): Promise<number> {
    const memberships = await this.em.find(
      Membership,
      { user: userId, status: MemberStatus.ACTIVE },
      { populate: ['organization'] },
    );
    const orgLimits = memberships
      .map((m) => (m.organization.getEntity() as Organization).effectiveSettings().apiKeyMaxLifetimeDays)
      .filter((d): d is number => typeof d === 'number');
    return Math.min(this.ctx.app.config.apiKeyMaxTtlDays, ...orgLimits);
  }

  async create(raw: unknown): Promise<{ apiKey: ApiKey; secret: string }> {
    const { user } = this.ctx.authz.requireUser();
    const input = parseInput(createSchema, raw);
    const maxDays = await this.maxLifetimeDays(user.id);
    const latest = Date.now() + maxDays * 86_400_000;
    let expiresAt = input.expiresAt ?? new Date(latest);
    if (expiresAt.getTime() <= Date.now()) throw badInput('expiresAt', 'expiresAt must be in the future.');
    if (expiresAt.getTime() > latest + 60_000) {
      throw badInput(
        'expiresAt',
        `expiresAt may be at most ${maxDays} days ahead (the longest lifetime allowed for your keys).`,
      );
    }
    expiresAt = new Date(Math.min(expiresAt.getTime(), latest));
    const secret = newApiKey();
    const apiKey = await this.em.transactional(async (em) => {
      const key = em.create(ApiKey, {
        user: ref(em.getReference(User, user.id)),
        name: input.name,
        keyHash: hashSecret(secret),
        lastFour: secret.slice(-4),
        expiresAt,
      });
      this.audit(em, {
        action: AuditAction.API_KEY_CREATED,
        target: { type: 'api_key', id: key.id, label: key.name },
        metadata: { lastFour: key.lastFour, expiresAt: expiresAt.toISOString() },
      });
      return key;
    });
    return { apiKey, secret };
  }

  /** Idempotent: revoking a revoked key succeeds with `changed: false` and writes no audit event. */
  async revoke(raw: unknown): Promise<{ apiKey: ApiKey; changed: boolean }> {
    this.ctx.authz.requireUser();
    const { id } = parseInput(idSchema, raw);
    return this.em.transactional(async (em) => {
      const key = await em.findOne(ApiKey, { id });
      // Someone else's key is reported as missing, so ids cannot be probed (Authz.canManageApiKeyOf).
      if (!key || !this.ctx.authz.canManageApiKeyOf(key.user.id)) {
        throw notFound('No API key with this id belongs to you.');
      }
      if (key.revokedAt) return { apiKey: key, changed: false };
      key.revokedAt = new Date();
      this.audit(em, {
        action: AuditAction.API_KEY_REVOKED,
        target: { type: 'api_key', id: key.id, label: key.name },
        metadata: { lastFour: key.lastFour, ownerId: key.user.id },
      });
      return { apiKey: key, changed: true };
    });
  }

  /** The caller's own keys, newest first. */
  async listOwn(args: {
    first?: number | null;
    after?: string | null;
    includeInactive?: boolean | null;
  }): Promise<Connection<ApiKey>> {
    const { user } = this.ctx.authz.requireUser();
    const page = API_KEYS_CURSOR.page(args, 'CREATED_DESC');
    const where: FilterQuery<ApiKey> = args.includeInactive
      ? { user: user.id }
      : { user: user.id, ...ApiKey.usableFilter() };
    const cursorWhere = newestFirstAfter(page.after);
    const [rows, total] = await Promise.all([
      this.em.find(ApiKey, { $and: [where, cursorWhere] }, { orderBy: NEWEST_FIRST_ORDER, limit: page.first + 1 }),
      this.em.count(ApiKey, where),
    ]);
    return API_KEYS_CURSOR.connection(
      page,
      'CREATED_DESC',
      rows,
      total,
      (k) => [k.createdAt, k.id],
      (k) => k,
    );
  }
}
