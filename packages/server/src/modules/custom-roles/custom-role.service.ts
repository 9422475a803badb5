import { LockMode, ref, type FilterQuery } from '@mikro-orm/core';
import { type Connection } from '../../graphql/connection';
import { cursorCodec, cursorValue } from '../../graphql/cursor';
import { wireEnumName } from '../../graphql/enums';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { Service } from '../service';
import { CustomRole } from './custom-role.entity';
import { Organization } from '../organizations/organization.entity';
import { OrganizationService } from '../organizations/organization.service';
import { TeamMembership } from '../teams/team-membership.entity';
import { AuditAction } from '../audit/audit.service';
import { OrgPermission } from '../../authz/permissions';
import {
  INHERITABLE_TEAM_ROLES,
  TEAM_PERMISSION_CATALOGUE,
  TEAM_ROLE_PERMISSIONS,
  TEAM_ROLE_ORDER,
  TeamPermission,
  TeamRole,
} from '../../authz/team-permissions';
import { AppError, ErrorCode, badInput, conflict, notFound } from '../../errors';
import { entityIdSchema, orgRefSchema, parseInput } from '../../validation';

export const MAX_CUSTOM_ROLES_PER_ORGANIZATION = 50;

/** `Organization.customRoles` is ordered by name (unique in an organization). */
const CUSTOM_ROLES_CURSOR = cursorCodec('customRoles', { NAME_ASC: z.tuple([cursorValue.text]) });

const nameSchema = z
  .string()
  .trim()
  .min(2, 'must be at least 2 characters')
  .max(64, 'must be at most 64 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9 _.-]*$/, 'may contain letters, digits, spaces, ".", "_" and "-"');
const baseSchema = z.enum(TeamRole).refine((r) => INHERITABLE_TEAM_ROLES.has(r), 'must be VIEW_ONLY or MEMBER');
const permissionsSchema = z
  .array(z.enum(TeamPermission, { message: 'lists an unknown permission; see permissionCatalogue' }))
  .max(Object.values(TeamPermission).length, 'lists too many permissions')
  .transform((ps) => [...new Set(ps)] as TeamPermission[]);
/** A description; null clears it (updateCustomRole), and an empty one is refused: null is the one way to clear. */
const descriptionSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty (null clears it)')
  .max(500, 'must be at most 500 characters');
const createSchema = z.object({
  organization: orgRefSchema,
  name: nameSchema,
  description: descriptionSchema.nullish(),
  inheritsFrom: baseSchema,
  permissions: permissionsSchema,
});
const updateSchema = z.object({
  id: entityIdSchema('a custom role'),
  name: nameSchema.nullish(),
  description: descriptionSchema.nullish(),
  inheritsFrom: baseSchema.nullish(),
  permissions: permissionsSchema.nullish(),
});
const idSchema = z.object({ id: entityIdSchema('a custom role') });

/** Drops what the base role already grants and checks that every added permission has what it requires. */
export function normalizePermissions(base: TeamRole, added: TeamPermission[]): TeamPermission[] {
  const inherited = TEAM_ROLE_PERMISSIONS[base];
  const extra = added.filter((p) => !inherited.has(p));
  const held = new Set([...inherited, ...extra]);
  for (const p of extra) {
    const missing = TEAM_PERMISSION_CATALOGUE[p].requires.filter((r) => !held.has(r));
    // Messages name permissions as the API does (TeamPermission enum values).
    if (missing.length)
      throw badInput(
        'permissions',
        `permissions: ${wireEnumName(p)} requires ${missing.map(wireEnumName).join(', ')}; add ` +
          `${missing.length > 1 ? 'them' : 'it'} too.`,
      );
  }
  return extra.sort((a, b) => a.localeCompare(b));
}

export class CustomRoleService extends Service {
  private async manageById(em: EntityManager, id: string): Promise<{ role: CustomRole; org: Organization }> {
    this.ctx.authz.requireUser();
    const role = await em.findOne(CustomRole, { id }, { populate: ['organization'] });
    const org = role?.organization.getEntity();
    if (!role || !org || !(await this.ctx.authz.canOrg(org, OrgPermission.READ)))
      throw notFound('No custom role with this id is visible to you.');
    await this.ctx.authz.requireOrg(org, OrgPermission.MANAGE_CUSTOM_ROLES);
    return { role, org };
  }

  /** Custom roles of an organization, by name (every member may read them: they explain team roles). */
  async list(
    org: Organization,
    args: { first?: number | null; after?: string | null },
  ): Promise<Connection<CustomRole>> {
    await this.ctx.authz.requireOrg(org, OrgPermission.READ);
    const page = CUSTOM_ROLES_CURSOR.page(args, 'NAME_ASC');
    const where: FilterQuery<CustomRole> = { organization: org.id };
    const after: FilterQuery<CustomRole> = page.after ? { name: { $gt: page.after[0] } } : {};
    const [rows, total] = await Promise.all([
      this.em.find(CustomRole, { $and: [where, after] }, { orderBy: { name: 'asc' }, limit: page.first + 1 }),
      this.em.count(CustomRole, where),
    ]);
    return CUSTOM_ROLES_CURSOR.connection(
      page,
      'NAME_ASC',
      rows,
      total,
      (r) => [r.name],
      (r) => r,
    );
  }

  async create(raw: unknown): Promise<CustomRole> {
    const input = parseInput(createSchema, raw);
    const org = await new OrganizationService(this.ctx).getFor(input.organization, OrgPermission.MANAGE_CUSTOM_ROLES);
    const permissions = normalizePermissions(input.inheritsFrom, input.permissions);
    return this.em.transactional(async (em) => {
      // The organization lock serialises creations, so the cap holds under concurrency.
      await em.findOneOrFail(Organization, { id: org.id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      const count = await em.count(CustomRole, { organization: org.id });
      if (count >= MAX_CUSTOM_ROLES_PER_ORGANIZATION) {
        throw new AppError(
          ErrorCode.CONFLICT,
          `"${org.name}" already has ${MAX_CUSTOM_ROLES_PER_ORGANIZATION} custom roles, the most allowed: delete ` +
            `one first.`,
        );
      }
      if (await em.count(CustomRole, { organization: org.id, name: input.name }))
        throw conflict(`"${org.name}" already has a custom role named "${input.name}".`, 'name');
      const role = em.create(CustomRole, {
        organization: ref(em.getReference(Organization, org.id)),
        name: input.name,
        description: input.description ?? null,
        inheritsFrom: input.inheritsFrom,
        permissions,
      });
      this.audit(em, {
        action: AuditAction.CUSTOM_ROLE_CREATED,
        organizationId: org.id,
        target: { type: 'custom_role', id: role.id, label: role.name },
        metadata: { inheritsFrom: role.inheritsFrom, permissions },
      });
      return role;
    });
  }

  async update(raw: unknown): Promise<CustomRole> {
    const input = parseInput(updateSchema, raw);
    const { org } = await this.manageById(this.em, input.id);
    return this.em.transactional(async (em) => {
      const role = await em.findOneOrFail(CustomRole, { id: input.id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      const before = { name: role.name, inheritsFrom: role.inheritsFrom, permissions: role.permissions };
      if (input.name && input.name !== role.name) {
        if (await em.count(CustomRole, { organization: org.id, name: input.name }))
          throw conflict(`"${org.name}" already has a custom role named "${input.name}".`, 'name');
        role.name = input.name;
      }
      if (input.description !== undefined) role.description = input.description;
      const base = input.inheritsFrom ?? role.inheritsFrom;
      // Changing the base keeps the added permissions (re-validated against the new base).
      role.permissions = normalizePermissions(base, input.permissions ?? role.permissions);
      if (base !== role.inheritsFrom) {
        role.inheritsFrom = base;
        await em.nativeUpdate(TeamMembership, { customRole: role.id }, { role: base });
      }
      this.audit(em, {
        action: AuditAction.CUSTOM_ROLE_UPDATED,
        organizationId: org.id,
        target: { type: 'custom_role', id: role.id, label: role.name },
        metadata: {
          before,
          after: { name: role.name, inheritsFrom: role.inheritsFrom, permissions: role.permissions },
        },
      });
      return role;
    });
  }

  async delete(raw: unknown): Promise<{ deletedCustomRoleId: string; organization: Organization; reassigned: number }> {
    const input = parseInput(idSchema, raw);
    const { org, role } = await this.manageById(this.em, input.id);
    return this.em.transactional(async (em) => {
      // Holders keep their base role (already stored beside the custom role) and lose the additions.
      const reassigned = await em.nativeUpdate(
        TeamMembership,
        { customRole: role.id },
        { customRole: null, role: role.inheritsFrom },
      );
      await em.nativeDelete(CustomRole, { id: role.id });
      this.audit(em, {
        action: AuditAction.CUSTOM_ROLE_DELETED,
        organizationId: org.id,
        target: { type: 'custom_role', id: role.id, label: role.name },
        metadata: { reassigned },
      });
      return { deletedCustomRoleId: role.id, organization: org, reassigned };
    });
  }

  catalogue() {
    return {
      permissions: Object.values(TeamPermission).map((name) => ({
        name,
        description: TEAM_PERMISSION_CATALOGUE[name].description,
        requires: TEAM_PERMISSION_CATALOGUE[name].requires,
        grantedTo: TEAM_ROLE_ORDER.filter((r) => TEAM_ROLE_PERMISSIONS[r].has(name)),
      })),
      roles: TEAM_ROLE_ORDER.map((role) => ({
        role,
        permissions: [...TEAM_ROLE_PERMISSIONS[role]].sort(),
        inheritable: INHERITABLE_TEAM_ROLES.has(role),
      })),
      maxCustomRolesPerOrganization: MAX_CUSTOM_ROLES_PER_ORGANIZATION,
    };
  }
}
