import { LockMode, ref, type FilterQuery } from '@mikro-orm/core';
import { z } from 'zod';
import { Service } from '../service';
import { Organization } from './organization.entity';
import { Membership } from './membership.entity';
import { User } from '../accounts/user.entity';
import { badInput, conflict, notFound } from '../../errors';
import { displayNameSchema, orgNameSchema, parseInput, seatLimitSchema } from '../../validation';
import { AuditAction } from '../audit/audit.service';
import { InstancePermission, ORG_ADMIN_ROLE, OrgPermission } from '../../authz/permissions';
import { MemberStatus, OrgRole } from '../../authz/roles';
import { pageRequest, toConnection, type Connection } from '../../graphql/connection';
import { rethrowUniqueAsConflict } from '../accounts/account.service';

const createSchema = z.object({
  name: orgNameSchema,
  displayName: displayNameSchema.nullish(),
  seatLimit: seatLimitSchema.nullish(),
});

const updateSchema = z.object({
  organization: z.string().trim().min(1, 'must not be empty').max(40, 'must be at most 40 characters'),
  displayName: displayNameSchema.nullish(),
  seatLimit: seatLimitSchema.nullish(),
  clearSeatLimit: z.boolean().nullish(),
  settings: z
    .object({
      membersCanCreateTeams: z.boolean().nullish(),
      apiKeyMaxLifetimeDays: z.number().int('must be a whole number').min(1, 'must be at least 1').max(3650, 'must be at most 3650').nullish(),
    })
    .nullish(),
});

export interface Seats {
  limit: number | null;
  used: number;
  available: number | null;
}

export class OrganizationService extends Service {
  /** An organization the caller may see, or NOT_FOUND. */
  async getVisible(name: string): Promise<Organization> {
    this.ctx.authz.requireUser();
    const org = await this.em.findOne(Organization, { name: name.trim().toLowerCase() });
    if (!org || !(await this.ctx.authz.canOrg(org, OrgPermission.READ))) {
      throw notFound(`No organization named "${name}" is visible to you.`);
    }
    return org;
  }

  /** Organizations where the caller is an ACTIVE member; instance admins see all. Ordered by name. */
  async list(args: { first?: number | null; after?: string | null }): Promise<Connection<Organization>> {
    const { user } = this.ctx.authz.requireUser();
    const page = pageRequest(args);
    const scope: FilterQuery<Organization> = this.ctx.authz.isInstanceAdmin ? {} : { memberships: { user: user.id, status: MemberStatus.ACTIVE } };
    const after: FilterQuery<Organization> = page.after ? { name: { $gt: String(page.after[0]) } } : {};
    const [rows, total] = await Promise.all([
      this.em.find(Organization, { $and: [scope, after] }, { orderBy: { name: 'asc' }, limit: page.first + 1 }),
      this.em.count(Organization, scope),
    ]);
    return toConnection(rows, page.first, total, (o) => [o.name], (o) => o);
  }

  async create(raw: unknown): Promise<Organization> {
    this.ctx.authz.requireInstance(InstancePermission.CREATE_ORGANIZATION);
    const { user } = this.ctx.authz.requireUser();
    const input = parseInput(createSchema, raw);
    return this.em
      .transactional(async (em) => {
        if (await em.count(Organization, { name: input.name })) throw conflict(`An organization named "${input.name}" already exists.`, 'name');
        const org = em.create(Organization, { name: input.name, displayName: input.displayName ?? input.name, seatLimit: input.seatLimit ?? null });
        em.create(Membership, { organization: org, user: ref(em.getReference(User, user.id)), role: ORG_ADMIN_ROLE, status: MemberStatus.ACTIVE });
        this.audit(em, { action: AuditAction.ORGANIZATION_CREATED, target: { type: 'organization', id: org.id, label: org.name }, organizationId: org.id, metadata: { seatLimit: org.seatLimit } });
        return org;
      })
      .catch(rethrowUniqueAsConflict);
  }

  async update(raw: unknown): Promise<Organization> {
    const input = parseInput(updateSchema, raw);
    if (input.clearSeatLimit && input.seatLimit != null) throw badInput('seatLimit', 'Give either seatLimit or clearSeatLimit, not both.');
    const org = await this.getVisible(input.organization);
    await this.ctx.authz.requireOrg(org, OrgPermission.UPDATE);
    const touchesSeats = input.seatLimit != null || input.clearSeatLimit;
    if (touchesSeats) this.ctx.authz.requireInstance(InstancePermission.SET_SEAT_LIMIT);
    return this.em.transactional(async (em) => {
      const locked = await em.findOneOrFail(Organization, { id: org.id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      const before = { displayName: locked.displayName, seatLimit: locked.seatLimit, settings: { ...locked.settings } };
      if (input.displayName != null) locked.displayName = input.displayName;
      if (input.clearSeatLimit) locked.seatLimit = null;
      else if (input.seatLimit != null) locked.seatLimit = input.seatLimit;
      if (input.settings) {
        const next = { ...locked.settings };
        if (input.settings.membersCanCreateTeams != null) next.membersCanCreateTeams = input.settings.membersCanCreateTeams;
        if (input.settings.apiKeyMaxLifetimeDays !== undefined) next.apiKeyMaxLifetimeDays = input.settings.apiKeyMaxLifetimeDays;
        locked.settings = next;
      }
      const after = { displayName: locked.displayName, seatLimit: locked.seatLimit, settings: locked.settings };
      this.audit(em, { action: AuditAction.ORGANIZATION_UPDATED, target: { type: 'organization', id: org.id, label: org.name }, organizationId: org.id, metadata: { before, after } });
      return locked;
    });
  }

  async seats(org: Organization): Promise<Seats> {
    const used = await this.ctx.loaders.seatsUsed.load(org.id);
    return { limit: org.seatLimit, used, available: org.seatLimit == null ? null : Math.max(0, org.seatLimit - used) };
  }

  /** Problems an org admin should fix; empty for others. */
  async warnings(org: Organization): Promise<Array<{ code: string; message: string }>> {
    if (!(await this.ctx.authz.canOrg(org, OrgPermission.MANAGE_MEMBERS))) return [];
    const admins = await this.ctx.loaders.activeAdmins.load(org.id);
    return admins === 1
      ? [{ code: 'SINGLE_ADMIN', message: `"${org.name}" has only one active admin: if that account is lost nobody can manage it. Make a second member ADMIN.` }]
      : [];
  }

  async viewerPermissions(org: Organization): Promise<string[]> {
    return [...(await this.ctx.authz.orgPermissions(org))].sort();
  }

  async viewerRole(org: Organization): Promise<OrgRole | null> {
    return (await this.ctx.authz.activeMembership(org.id))?.role ?? null;
  }

  /** The caller's own memberships (any status), with their organizations. */
  async ownMemberships(userId: string): Promise<Membership[]> {
    const principal = this.ctx.authz.requireUser();
    if (principal.user.id !== userId && !this.ctx.authz.isInstanceAdmin) return [];
    const memberships = await this.ctx.loaders.membershipsByUser.load(userId);
    await Promise.all(memberships.map((m) => m.organization.load()));
    return memberships;
  }
}
