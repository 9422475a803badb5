import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { Service } from '../service';
import { ServiceAccount } from './service-account.entity';
import { findManagedServiceAccount } from './service-account-lookup';
import { ApiKey } from '../api-keys/api-key.entity';
import type { Team } from '../teams/team.entity';
import { findTeam, requireVisibleTeam } from '../teams/team-lookup';
import { AuditAction } from '../audit/audit.service';
import { TeamPermission } from '../../authz/team-permissions';
import { badInput, conflict, notFound } from '../../errors';
import { rethrowUniqueAsConflict } from '../../db/unique-violation';
import { entityIdSchema, orgRefSchema, parseInput, teamRefSchema } from '../../validation';
import { type Connection } from '../../graphql/connection';
import { cursorCodec, NEWEST_FIRST, NEWEST_FIRST_ORDER, newestFirstAfter } from '../../graphql/cursor';

/** Lower-case so names compare the way team names do; also what `loggedByName` keeps on runs (64 characters). */
const serviceAccountName = z
  .string()
  .trim()
  .toLowerCase()
  .min(2, 'must be at least 2 characters')
  .max(64, 'must be at most 64 characters')
  .regex(
    /^[a-z0-9][a-z0-9._-]*$/,
    'may contain only letters, digits, ".", "_" and "-", starting with a letter or digit',
  );
const description = z
  .string()
  .trim()
  .max(500, 'must be at most 500 characters')
  .regex(/^\P{Cc}*$/u, 'must not contain control characters');

const createSchema = z.object({
  organization: orgRefSchema,
  team: teamRefSchema.nullish(),
  name: serviceAccountName,
  description: description.nullish(),
});
const updateSchema = z.object({
  id: entityIdSchema('a service account'),
  name: serviceAccountName.nullish(),
  description: description.nullish(),
});
const idSchema = z.object({ id: entityIdSchema('a service account') });

const SERVICE_ACCOUNTS_CURSOR = cursorCodec('serviceAccounts', NEWEST_FIRST);

export interface DeletedServiceAccount {
  deletedServiceAccountId: string;
  keysRevoked: number;
  team: Team;
}

/**
 * Team service accounts: created, renamed, disabled, enabled and deleted by people holding
 * `service_account:manage` on the team (Authz.requireServiceAccountManager); every change audited with the actor.
 * Their keys are the API-key service's.
 */
export class ServiceAccountService extends Service {
  async create(raw: unknown): Promise<ServiceAccount> {
    this.ctx.authz.requireUser();
    const input = parseInput(createSchema, raw);
    if (!input.team) {
      throw badInput(
        'team',
        'Name the team the service account works in: organization-scoped service accounts are not available yet.',
      );
    }
    const { org, team } = await findTeam(this.ctx, input.organization, input.team, TeamPermission.VIEW);
    await this.ctx.authz.requireServiceAccountManager(team, org);
    const actor = this.ctx.authz.requireUser().user;
    return this.em
      .transactional(async (em) => {
        if (await em.count(ServiceAccount, { team: team.id, name: input.name }))
          throw conflict(`Team "${team.name}" already has a service account named "${input.name}".`, 'name');
        const serviceAccount = em.create(ServiceAccount, {
          organization: org.id,
          team: team.id,
          name: input.name,
          description: input.description ?? '',
          createdById: actor.id,
        });
        this.audit(em, {
          action: AuditAction.SERVICE_ACCOUNT_CREATED,
          organizationId: org.id,
          target: { type: 'service_account', id: serviceAccount.id, label: serviceAccount.name },
          metadata: { team: team.name },
        });
        return serviceAccount;
      })
      .catch(rethrowUniqueAsConflict);
  }

  /** Rename or re-describe; audited as renamed when the name changed. */
  async update(raw: unknown): Promise<{ serviceAccount: ServiceAccount; changed: boolean }> {
    const input = parseInput(updateSchema, raw);
    const { serviceAccount, team, org } = await findManagedServiceAccount(this.ctx, input.id);
    return this.em
      .transactional(async (em) => {
        const locked = await this.lock(em, serviceAccount.id);
        const before = { name: locked.name, description: locked.description };
        if (input.name != null) locked.name = input.name;
        if (input.description != null) locked.description = input.description;
        const after = { name: locked.name, description: locked.description };
        if (before.name === after.name && before.description === after.description)
          return { serviceAccount: locked, changed: false };
        if (
          before.name !== after.name &&
          (await em.count(ServiceAccount, { team: team.id, name: after.name, id: { $ne: locked.id } }))
        )
          throw conflict(`Team "${team.name}" already has a service account named "${after.name}".`, 'name');
        this.audit(em, {
          action:
            before.name !== after.name ? AuditAction.SERVICE_ACCOUNT_RENAMED : AuditAction.SERVICE_ACCOUNT_UPDATED,
          organizationId: org.id,
          target: { type: 'service_account', id: locked.id, label: locked.name },
          metadata: { team: team.name, before, after },
        });
        return { serviceAccount: locked, changed: true };
      })
      .catch(rethrowUniqueAsConflict);
  }

  /** Disable (its keys fail at once with SERVICE_ACCOUNT_DISABLED) or enable; idempotent. */
  async setDisabled(raw: unknown, disabled: boolean): Promise<{ serviceAccount: ServiceAccount; changed: boolean }> {
    const { id } = parseInput(idSchema, raw);
    const { team, org } = await findManagedServiceAccount(this.ctx, id);
    return this.em.transactional(async (em) => {
      const locked = await this.lock(em, id);
      if ((locked.disabledAt !== null) === disabled) return { serviceAccount: locked, changed: false };
      locked.disabledAt = disabled ? new Date() : null;
      this.audit(em, {
        action: disabled ? AuditAction.SERVICE_ACCOUNT_DISABLED : AuditAction.SERVICE_ACCOUNT_ENABLED,
        organizationId: org.id,
        target: { type: 'service_account', id: locked.id, label: locked.name },
        metadata: { team: team.name },
      });
      return { serviceAccount: locked, changed: true };
    });
  }

  /**
   * Deletes the account and its keys (they stop working at once). Runs, reports and projects it wrote stay, with
   * its name in `loggedByName`.
   */
  async delete(raw: unknown): Promise<DeletedServiceAccount> {
    const { id } = parseInput(idSchema, raw);
    const { team, org } = await findManagedServiceAccount(this.ctx, id);
    return this.em.transactional(async (em) => {
      // Locked first: a concurrent createServiceAccountKey (FOR SHARE) either finished, and its key is counted and
      // deleted here, or waits and then finds no account.
      const locked = await this.lock(em, id);
      const keysRevoked = await em.count(ApiKey, { serviceAccount: id, ...ApiKey.usableFilter() });
      await em.nativeDelete(ServiceAccount, { id });
      this.audit(em, {
        action: AuditAction.SERVICE_ACCOUNT_DELETED,
        organizationId: org.id,
        target: { type: 'service_account', id, label: locked.name },
        metadata: { team: team.name, keysRevoked },
      });
      return { deletedServiceAccountId: id, keysRevoked, team };
    });
  }

  /**
   * Team.serviceAccounts: for those who see the team's members (`member:read`), so team members know what
   * automation works in their team; keys and management need `service_account:manage`.
   */
  async listOfTeam(
    team: Team,
    args: { first?: number | null; after?: string | null },
  ): Promise<Connection<ServiceAccount>> {
    const org = await requireVisibleTeam(this.ctx, team);
    await this.ctx.authz.requireTeam(team, org, TeamPermission.READ_MEMBERS);
    const page = SERVICE_ACCOUNTS_CURSOR.page(args, 'CREATED_DESC');
    const where = { team: team.id };
    const [rows, total] = await Promise.all([
      this.em.find(
        ServiceAccount,
        { $and: [where, newestFirstAfter(page.after)] },
        { orderBy: NEWEST_FIRST_ORDER, limit: page.first + 1 },
      ),
      this.em.count(ServiceAccount, where),
    ]);
    return SERVICE_ACCOUNTS_CURSOR.connection(
      page,
      'CREATED_DESC',
      rows,
      total,
      (a) => [a.createdAt, a.id],
      (a) => a,
    );
  }

  private async lock(em: EntityManager, id: string): Promise<ServiceAccount> {
    const locked = await em.findOne(ServiceAccount, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
    if (!locked) throw notFound('No service account with this id is visible to you.');
    return locked;
  }
}
