import { LockMode, type FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { Service } from '../service';
import { ServiceAccount } from './service-account.entity';
import { findManagedServiceAccount } from './service-account-lookup';
import { ApiKey } from '../api-keys/api-key.entity';
import type { Team } from '../teams/team.entity';
import { findTeam, requireVisibleTeam } from '../teams/team-lookup';
import { AuditAction } from '../audit/audit.service';
import { Organization } from '../organizations/organization.entity';
import { OrganizationService } from '../organizations/organization.service';
import { OrgPermission } from '../../authz/permissions';
import { TeamPermission } from '../../authz/team-permissions';
import { conflict, notFound } from '../../errors';
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

/** Team.serviceAccounts and Organization.serviceAccounts, newest first, each with its own cursors. */
const TEAM_SERVICE_ACCOUNTS_CURSOR = cursorCodec('teamServiceAccounts', NEWEST_FIRST);
const ORGANIZATION_SERVICE_ACCOUNTS_CURSOR = cursorCodec('organizationServiceAccounts', NEWEST_FIRST);

export interface DeletedServiceAccount {
  deletedServiceAccountId: string;
  keysRevoked: number;
  team: Team | null;
  organization: Organization;
}

/**
 * Team service accounts: created, renamed, disabled, enabled and deleted by people holding
 * `service_account:manage` on the team (Authz.requireServiceAccountManager); every change audited with the actor.
 * Their keys are the API-key service's.
 */
export class ServiceAccountService extends Service {
  /**
   * With `team`: a team service account (service_account:manage on the team). Without: an organization service
   * account (service_account:manage_org: org admins), reaching every team but RESTRICTED projects.
   */
  async create(raw: unknown): Promise<ServiceAccount> {
    this.ctx.authz.requireUser();
    const input = parseInput(createSchema, raw);
    const { org, team } = input.team
      ? await findTeam(this.ctx, input.organization, input.team, TeamPermission.VIEW)
      : { org: await new OrganizationService(this.ctx).getVisible(input.organization), team: null };
    await this.ctx.authz.requireServiceAccountManager(team, org);
    const actor = this.ctx.authz.requireUser().user;
    return this.em
      .transactional(async (em) => {
        await this.requireFreeName(em, org, team, input.name, null);
        const serviceAccount = em.create(ServiceAccount, {
          organization: org.id,
          team: team?.id ?? null,
          name: input.name,
          description: input.description ?? '',
          createdById: actor.id,
        });
        this.audit(em, {
          action: AuditAction.SERVICE_ACCOUNT_CREATED,
          organizationId: org.id,
          target: { type: 'service_account', id: serviceAccount.id, label: serviceAccount.name },
          metadata: { team: team?.name ?? null },
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
        if (before.name !== after.name) await this.requireFreeName(em, org, team, after.name, locked.id);
        this.audit(em, {
          action:
            before.name !== after.name ? AuditAction.SERVICE_ACCOUNT_RENAMED : AuditAction.SERVICE_ACCOUNT_UPDATED,
          organizationId: org.id,
          target: { type: 'service_account', id: locked.id, label: locked.name },
          metadata: { team: team?.name ?? null, before, after },
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
        metadata: { team: team?.name ?? null },
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
        metadata: { team: team?.name ?? null, keysRevoked },
      });
      return { deletedServiceAccountId: id, keysRevoked, team, organization: org };
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
    return this.page({ team: team.id }, args, TEAM_SERVICE_ACCOUNTS_CURSOR);
  }

  /**
   * CONFLICT when the name is taken: in the team (a unique constraint backs it), or among the organization's own
   * accounts, which no index covers (team_id is null), so the organization row is locked first and concurrent
   * creations of one name take turns.
   */
  private async requireFreeName(
    em: EntityManager,
    org: Organization,
    team: Team | null,
    name: string,
    exceptId: string | null,
  ): Promise<void> {
    if (!team) await em.findOne(Organization, { id: org.id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    const others = exceptId ? { id: { $ne: exceptId } } : {};
    if (await em.count(ServiceAccount, { organization: org.id, team: team?.id ?? null, name, ...others })) {
      throw conflict(
        team
          ? `Team "${team.name}" already has a service account named "${name}".`
          : `Organization "${org.name}" already has an organization service account named "${name}".`,
        'name',
      );
    }
  }

  /**
   * Organization.serviceAccounts: the organization's own service accounts (not its teams'), for those who see its
   * members (`member:read`); keys and management need `service_account:manage_org`.
   */
  async listOfOrganization(
    org: Organization,
    args: { first?: number | null; after?: string | null },
  ): Promise<Connection<ServiceAccount>> {
    await this.ctx.authz.requireOrg(org, OrgPermission.READ_MEMBERS);
    return this.page({ organization: org.id, team: null }, args, ORGANIZATION_SERVICE_ACCOUNTS_CURSOR);
  }

  private async page(
    where: FilterQuery<ServiceAccount>,
    args: { first?: number | null; after?: string | null },
    codec: typeof TEAM_SERVICE_ACCOUNTS_CURSOR,
  ): Promise<Connection<ServiceAccount>> {
    const page = codec.page(args, 'CREATED_DESC');
    const [rows, total] = await Promise.all([
      this.em.find(
        ServiceAccount,
        { $and: [where, newestFirstAfter(page.after)] },
        { orderBy: NEWEST_FIRST_ORDER, limit: page.first + 1 },
      ),
      this.em.count(ServiceAccount, where),
    ]);
    return codec.connection(
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
