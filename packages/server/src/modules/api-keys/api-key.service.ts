import { LockMode, ref, type FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { Service } from '../service';
import { ApiKey } from './api-key.entity';
import { User } from '../accounts/user.entity';
import { Organization } from '../organizations/organization.entity';
import { Membership } from '../organizations/membership.entity';
import { ServiceAccount } from '../service-accounts/service-account.entity';
import { findManagedServiceAccount } from '../service-accounts/service-account-lookup';
import { hashSecret, newApiKey } from '../../auth/secrets';
import { badInput, conflict, forbidden, notFound } from '../../errors';
import { entityIdSchema, parseInput, timestampSchema } from '../../validation';
import { AuditAction } from '../audit/audit.service';
import { type Connection } from '../../graphql/connection';
import { cursorCodec, NEWEST_FIRST, NEWEST_FIRST_ORDER, newestFirstAfter } from '../../graphql/cursor';
import { ApiKeyStatus } from '../../graphql/enums';
import { MemberStatus } from '../../authz/roles';
import { OrgPermission } from '../../authz/permissions';
import { Authz, type UserMembershipFacts } from '../../authz/policy';

const keyName = z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters');
const createSchema = z.object({ name: keyName, expiresAt: timestampSchema.nullish() });
const createForServiceAccountSchema = z.object({
  serviceAccount: entityIdSchema('a service account'),
  name: keyName,
  expiresAt: timestampSchema.nullish(),
});

/** The longest overlap rotateApiKey allows: both keys work for at most a week. */
export const MAX_ROTATION_GRACE_HOURS = 168;
export const DEFAULT_ROTATION_GRACE_HOURS = 24;
const rotateSchema = z.object({
  id: entityIdSchema('an API key'),
  graceHours: z
    .number()
    .int('must be a whole number of hours')
    .min(0, 'must be 0 (the old key stops at once) or more')
    .max(MAX_ROTATION_GRACE_HOURS, `must be at most ${MAX_ROTATION_GRACE_HOURS} (7 days)`)
    .nullish(),
  expiresAt: timestampSchema.nullish(),
});

const idSchema = z.object({ id: entityIdSchema('an API key') });

export function apiKeyStatus(key: ApiKey, now = Date.now()): ApiKeyStatus {
  if (key.revokedAt) return ApiKeyStatus.REVOKED;
  if (key.isExpired(now)) return ApiKeyStatus.EXPIRED;
  return ApiKeyStatus.ACTIVE;
}

/**
 * `Viewer.apiKeys`, `ServiceAccount.apiKeys` and `Organization.apiKeys` are newest first, each with its own cursors
 * (a cursor of one list is refused by the others).
 */
const API_KEYS_CURSOR = cursorCodec('apiKeys', NEWEST_FIRST);
const SERVICE_ACCOUNT_KEYS_CURSOR = cursorCodec('serviceAccountKeys', NEWEST_FIRST);
const ORGANIZATION_KEYS_CURSOR = cursorCodec('organizationApiKeys', NEWEST_FIRST);

/** Whose key: a person's (personal key) or a service account's, with what the policy needs to decide. */
type KeyOwner = { kind: 'user'; userId: string } | { kind: 'service_account'; serviceAccount: ServiceAccount };

export interface RotatedKey {
  apiKey: ApiKey;
  secret: string;
  previous: ApiKey;
}

export class ApiKeyService extends Service {
  /** The longest lifetime the user may pick: the instance maximum, lowered by any organization they are active in. */
  private async maxLifetimeDays(owner: KeyOwner): Promise<number> {
    if (owner.kind === 'service_account') {
      const org = await this.em.findOneOrFail(Organization, { id: owner.serviceAccount.organization.id });
      const orgLimit = org.effectiveSettings().apiKeyMaxLifetimeDays;
      return Math.min(this.ctx.app.config.apiKeyMaxTtlDays, ...(typeof orgLimit === 'number' ? [orgLimit] : []));
    }
    const orgLimits = (await this.activeMemberships(owner.userId))
      .map((m) => m.organization.effectiveSettings().apiKeyMaxLifetimeDays)
      .filter((d): d is number => typeof d === 'number');
    return Math.min(this.ctx.app.config.apiKeyMaxTtlDays, ...orgLimits);
  }

  private async activeMemberships(userId: string): Promise<UserMembershipFacts[]> {
    const memberships = await this.em.find(
      Membership,
      { user: userId, status: MemberStatus.ACTIVE },
      { populate: ['organization'] },
    );
    return memberships.map((m) => ({ role: m.role, status: m.status, organization: m.organization.getEntity() }));
  }

  /** FORBIDDEN when an organization the person is a MEMBER or VIEWER of does not let members create personal keys. */
  private async requireMayCreatePersonalKey(userId: string): Promise<void> {
    const refusing = Authz.organizationRefusingPersonalKeys(await this.activeMemberships(userId));
    if (refusing) {
      throw forbidden(
        `Organization "${refusing.name}" does not let members create personal API keys: ask one of its admins for ` +
          'a service account key instead.',
      );
    }
  }

  /** The expiry a new key gets: the requested one, in the future and within the owner's longest lifetime. */
  private async expiryFor(owner: KeyOwner, requested: Date | null | undefined): Promise<Date> {
    const maxDays = await this.maxLifetimeDays(owner);
    const latest = Date.now() + maxDays * 86_400_000;
    const expiresAt = requested ?? new Date(latest);
    if (expiresAt.getTime() <= Date.now()) throw badInput('expiresAt', 'expiresAt must be in the future.');
    if (expiresAt.getTime() > latest + 60_000) {
      throw badInput(
        'expiresAt',
        `expiresAt may be at most ${maxDays} days ahead (the longest lifetime allowed for ${
          owner.kind === 'user' ? 'your keys' : "this organization's keys"
        }).`,
      );
    }
    return new Date(Math.min(expiresAt.getTime(), latest));
  }

  /** Creates the key row (only the hash of the secret) and its audit event in `em`'s transaction. */
  private issue(
    em: EntityManager,
    owner: KeyOwner,
    name: string,
    expiresAt: Date,
    audit: { action: AuditAction; metadata?: Record<string, unknown> } = { action: AuditAction.API_KEY_CREATED },
  ): { apiKey: ApiKey; secret: string } {
    const secret = newApiKey();
    const apiKey = em.create(ApiKey, {
      ...(owner.kind === 'user'
        ? { user: ref(em.getReference(User, owner.userId)) }
        : { serviceAccount: ref(em.getReference(ServiceAccount, owner.serviceAccount.id)) }),
      name,
      keyHash: hashSecret(secret),
      lastFour: secret.slice(-4),
      expiresAt,
    });
    this.audit(em, {
      action: audit.action,
      organizationId: owner.kind === 'service_account' ? owner.serviceAccount.organization.id : null,
      target: { type: 'api_key', id: apiKey.id, label: apiKey.name },
      metadata: {
        lastFour: apiKey.lastFour,
        expiresAt: expiresAt.toISOString(),
        ...(owner.kind === 'service_account'
          ? { serviceAccountId: owner.serviceAccount.id, serviceAccount: owner.serviceAccount.name }
          : {}),
        ...audit.metadata,
      },
    });
    return { apiKey, secret };
  }

  async create(raw: unknown): Promise<{ apiKey: ApiKey; secret: string }> {
    const { user } = this.ctx.authz.requireUser();
    const input = parseInput(createSchema, raw);
    const owner: KeyOwner = { kind: 'user', userId: user.id };
    await this.requireMayCreatePersonalKey(user.id);
    const expiresAt = await this.expiryFor(owner, input.expiresAt);
    return this.em.transactional(async (em) => this.issue(em, owner, input.name, expiresAt));
  }

  /** createServiceAccountKey: for those who manage the account's team's service accounts. */
  async createForServiceAccount(raw: unknown): Promise<{ apiKey: ApiKey; secret: string }> {
    this.ctx.authz.requireUser();
    const input = parseInput(createForServiceAccountSchema, raw);
    const { serviceAccount } = await findManagedServiceAccount(this.ctx, input.serviceAccount);
    const owner: KeyOwner = { kind: 'service_account', serviceAccount };
    const expiresAt = await this.expiryFor(owner, input.expiresAt);
    return this.em.transactional(async (em) => {
      // FOR SHARE: a concurrent deleteServiceAccount waits, then deletes this key with the account; without the lock
      // the insert could fail on the foreign key, or land after the delete counted the keys it revoked.
      const locked = await em.findOne(
        ServiceAccount,
        { id: serviceAccount.id },
        { lockMode: LockMode.PESSIMISTIC_READ },
      );
      if (!locked) throw notFound('No service account with this id is visible to you.');
      return this.issue(em, owner, input.name, expiresAt);
    });
  }

  /**
   * A key the caller may revoke or rotate (Authz.canManageKey), or NOT_FOUND: someone else's key is reported as
   * missing, so ids cannot be probed.
   */
  private async managedKey(em: EntityManager, id: string, lock: boolean): Promise<{ key: ApiKey; owner: KeyOwner }> {
    // The key alone is locked (FOR UPDATE cannot reach the nullable side of the join a populate would make).
    const key = await em.findOne(ApiKey, { id }, lock ? { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true } : {});
    const missing = () => notFound('No API key with this id belongs to you or to a service account you manage.');
    if (!key) throw missing();
    const serviceAccount = key.serviceAccount
      ? await em.findOne(ServiceAccount, { id: key.serviceAccount.id }, { populate: ['team', 'organization'] })
      : null;
    if (key.serviceAccount && !serviceAccount) throw missing();
    const owner: KeyOwner = serviceAccount
      ? { kind: 'service_account', serviceAccount }
      : { kind: 'user', userId: key.user!.id };
    const allowed = await this.ctx.authz.canManageKey(
      owner.kind === 'user'
        ? owner
        : {
            kind: 'service_account',
            team: owner.serviceAccount.team?.getEntity() ?? null,
            org: owner.serviceAccount.organization.getEntity(),
          },
    );
    if (!allowed) throw missing();
    return { key, owner };
  }

  /** Idempotent: revoking a revoked key succeeds with `changed: false` and writes no audit event. */
  async revoke(raw: unknown): Promise<{ apiKey: ApiKey; changed: boolean }> {
    this.ctx.authz.requireUser();
    const { id } = parseInput(idSchema, raw);
    return this.em.transactional(async (em) => {
      const { key, owner } = await this.managedKey(em, id, true);
      if (key.revokedAt) return { apiKey: key, changed: false };
      key.revokedAt = new Date();
      this.audit(em, {
        action: AuditAction.API_KEY_REVOKED,
        organizationId: owner.kind === 'service_account' ? owner.serviceAccount.organization.id : null,
        target: { type: 'api_key', id: key.id, label: key.name },
        metadata: {
          lastFour: key.lastFour,
          ...(owner.kind === 'user'
            ? { ownerId: owner.userId }
            : { serviceAccountId: owner.serviceAccount.id, serviceAccount: owner.serviceAccount.name }),
        },
      });
      return { apiKey: key, changed: true };
    });
  }

  /**
   * rotateApiKey: issues a replacement with the same name and owner, and lets the old key work for `graceHours`
   * more (0 to 168; never past its own expiry), so deployments can switch without downtime. Only an ACTIVE key
   * that was not rotated already can be rotated: rotating twice would leave two replacements.
   */
  async rotate(raw: unknown): Promise<RotatedKey> {
    this.ctx.authz.requireUser();
    const input = parseInput(rotateSchema, raw);
    const graceHours = input.graceHours ?? DEFAULT_ROTATION_GRACE_HOURS;
    // Checked outside the transaction too: the expiry needs the owner's lifetime limit (reads memberships).
    const { owner } = await this.managedKey(this.em, input.id, false);
    // A rotation issues a new personal key: the same rule as createApiKey.
    if (owner.kind === 'user') await this.requireMayCreatePersonalKey(owner.userId);
    const expiresAt = await this.expiryFor(owner, input.expiresAt);
    return this.em.transactional(async (em) => {
      // Locked: two concurrent rotations of one key must not both issue a replacement.
      const { key } = await this.managedKey(em, input.id, true);
      if (apiKeyStatus(key) !== ApiKeyStatus.ACTIVE)
        throw conflict(`The key "${key.name}" is ${apiKeyStatus(key)}: only an active key can be rotated.`, 'id');
      if (key.rotatedAt)
        throw conflict(`The key "${key.name}" was already rotated: rotate its replacement instead.`, 'id');
      const now = new Date();
      const graceEnds = new Date(Math.min(now.getTime() + graceHours * 3_600_000, key.expiresAt!.getTime()));
      key.rotatedAt = now;
      key.expiresAt = graceEnds;
      const issued = this.issue(em, owner, key.name, expiresAt, {
        action: AuditAction.API_KEY_ROTATED,
        metadata: { previousKeyId: key.id, previousLastFour: key.lastFour, previousExpiresAt: graceEnds.toISOString() },
      });
      return { ...issued, previous: key };
    });
  }

  /** The caller's own keys, newest first. */
  async listOwn(args: {
    first?: number | null;
    after?: string | null;
    includeInactive?: boolean | null;
  }): Promise<Connection<ApiKey>> {
    const { user } = this.ctx.authz.requireUser();
    return this.list({ user: user.id }, args, API_KEYS_CURSOR);
  }

  /**
   * ServiceAccount.apiKeys: metadata only, for those who manage the account's team's service accounts (FORBIDDEN
   * for everyone else who sees the account, team members included).
   */
  async listOfServiceAccount(
    serviceAccount: ServiceAccount,
    args: { first?: number | null; after?: string | null; includeInactive?: boolean | null },
  ): Promise<Connection<ApiKey>> {
    // Through the request's loaders: a list of a team's accounts with their keys checks the team once.
    const [team, org] = await Promise.all([
      serviceAccount.team ? this.ctx.loaders.team.load(serviceAccount.team.id) : null,
      this.ctx.loaders.organizationById.load(serviceAccount.organization.id),
    ]);
    const teamGone = serviceAccount.team !== null && team === null;
    if (teamGone || !org || !(await this.ctx.authz.canManageServiceAccounts(team, org))) {
      throw forbidden(
        'Only those who manage the service account (service_account:manage on its team, or ' +
          'service_account:manage_org for an organization service account: org admins) see ' +
          'its keys.',
      );
    }
    // Through the loaders: a list of accounts with their keys asks once for all of them.
    const page = SERVICE_ACCOUNT_KEYS_CURSOR.page(args, 'CREATED_DESC');
    const includeInactive = args.includeInactive ?? false;
    const after = page.after && { createdAt: page.after[0], id: page.after[1] };
    const [rows, total] = await Promise.all([
      this.ctx.loaders.serviceAccountKeysPage.load({
        serviceAccountId: serviceAccount.id,
        limit: page.first + 1,
        after,
        includeInactive,
      }),
      this.ctx.loaders.serviceAccountKeyCount.load(`${serviceAccount.id}|${includeInactive ? 1 : 0}`),
    ]);
    return SERVICE_ACCOUNT_KEYS_CURSOR.connection(
      page,
      'CREATED_DESC',
      rows,
      total,
      (k) => [k.createdAt, k.id],
      (k) => k,
    );
  }

  /**
   * Organization.apiKeys (`api_key:read_all`, org admins): every key that may reach the organization, metadata only:
   * the personal keys of everyone with a membership in it (whatever its status: a deactivated member's keys are
   * what an admin audits), and the keys of its service accounts, team and organization ones.
   */
  async listOfOrganization(
    org: Organization,
    args: { first?: number | null; after?: string | null; includeInactive?: boolean | null },
  ): Promise<Connection<ApiKey>> {
    await this.ctx.authz.requireOrg(org, OrgPermission.READ_ALL_API_KEYS);
    // Subqueries, so the list stays one statement however many members the organization has.
    const members = this.em.createQueryBuilder(Membership, 'm').select('m.user_id').where({ organization: org.id });
    const accounts = this.em.createQueryBuilder(ServiceAccount, 'sa').select('sa.id').where({ organization: org.id });
    return this.list(
      {
        $or: [
          { user: { $in: members.getKnexQuery() as unknown as string[] } },
          { serviceAccount: { $in: accounts.getKnexQuery() as unknown as string[] } },
        ],
      },
      args,
      ORGANIZATION_KEYS_CURSOR,
    );
  }

  private async list(
    owner: FilterQuery<ApiKey>,
    args: { first?: number | null; after?: string | null; includeInactive?: boolean | null },
    codec: typeof API_KEYS_CURSOR,
  ): Promise<Connection<ApiKey>> {
    const page = codec.page(args, 'CREATED_DESC');
    const where: FilterQuery<ApiKey> = args.includeInactive ? owner : { $and: [owner, ApiKey.usableFilter()] };
    const cursorWhere = newestFirstAfter(page.after);
    const [rows, total] = await Promise.all([
      this.em.find(ApiKey, { $and: [where, cursorWhere] }, { orderBy: NEWEST_FIRST_ORDER, limit: page.first + 1 }),
      this.em.count(ApiKey, where),
    ]);
    return codec.connection(
      page,
      'CREATED_DESC',
      rows,
      total,
      (k) => [k.createdAt, k.id],
      (k) => k,
    );
  }
}
