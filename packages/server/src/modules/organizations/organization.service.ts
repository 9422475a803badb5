import { LockMode, ref, type FilterQuery } from '@mikro-orm/core';
import { z } from 'zod';
import { Service } from '../service';
import { Organization, type OrganizationSettings } from './organization.entity';
import { Membership } from './membership.entity';
import { User } from '../accounts/user.entity';
import { conflict, forbidden, notFound } from '../../errors';
import {
  displayNameSchema,
  orgNameSchema,
  orgRefSchema,
  parseInput,
  seatLimitSchema,
  timeZoneSchema,
} from '../../validation';
import { AuditAction } from '../audit/audit.service';
import { InstancePermission, ORG_ADMIN_ROLE, OrgPermission } from '../../authz/permissions';
import { MemberStatus, OrgRole } from '../../authz/roles';
import { type Connection } from '../../graphql/connection';
import { cursorCodec, cursorValue } from '../../graphql/cursor';
import { rethrowUniqueAsConflict } from '../../db/unique-violation';
import { selectRows } from '../../db/select-entities';
import { membershipKey } from '../../graphql/loaders';
import { WarningCode } from '../../graphql/enums';

const createSchema = z.object({
  name: orgNameSchema,
  displayName: displayNameSchema.nullish(),
  seatLimit: seatLimitSchema.nullish(),
});

const updateSchema = z.object({
  organization: orgRefSchema,
  displayName: displayNameSchema.nullish(),
  seatLimit: seatLimitSchema.nullish(),
  settings: z
    .object({
      membersCanCreateTeams: z.boolean().nullish(),
      membersCanCreateApiKeys: z.boolean().nullish(),
      personalApiKeysReachOrganization: z.boolean().nullish(),
      apiKeyMaxLifetimeDays: z
        .number()
        .int('must be a whole number')
        .min(1, 'must be at least 1')
        .max(3650, 'must be at most 3650')
        .nullish(),
      timeZone: timeZoneSchema.nullish(),
    })
    .nullish(),
});

export interface Seats {
  limit: number | null;
  used: number;
  available: number | null;
}

/** `organizations` is ordered by name. */
const ORGANIZATIONS_CURSOR = cursorCodec('organizations', { NAME_ASC: z.tuple([cursorValue.text]) });

/** `User.memberships` is ordered oldest first by (createdAt, id). */
const MEMBERSHIPS_CURSOR = cursorCodec('memberships', {
  CREATED_ASC: z.tuple([cursorValue.timestamp, cursorValue.uuid]),
});
type MembershipCursor = [Date, string];
const membershipCursor = (m: Membership): MembershipCursor => [m.createdAt, m.id];
function compareCreatedAsc(a: MembershipCursor, b: MembershipCursor): number {
  return a[0].getTime() - b[0].getTime() || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);
}

export class OrganizationService extends Service {
  /** An organization the caller may see, or NOT_FOUND (mutations and the lookups nested in them). */
  async getVisible(name: string): Promise<Organization> {
    const { org, visible } = await this.lookup(name);
    if (org && visible) return org;
    // A member calling with a personal key the organization refuses is told why (they know it exists).
    if (org && (await this.ctx.authz.refusesPersonalKeyOf(org))) {
      throw forbidden(
        `Organization "${org.name}" does not accept personal API keys: use a service account's key, or log in.`,
      );
    }
    throw notFound(`No organization named "${name}" is visible to you.`);
  }

  /**
   * Most requests start here, and their next question is the caller's membership: one fixed statement answers both
   * (selectRows; no ORM query building) and primes the membership loader with the answer, found or not.
   */
  private async byNameWithCallersMembership(name: string): Promise<Organization | null> {
    const principal = this.ctx.principal;
    if (principal.kind !== 'user') {
      // One JSON column, like every prepared lookup: a `select *` prepared before a migration adds a column fails
      // afterwards on that connection ("cached plan must not change result type").
      const [found] = await selectRows<{ org: Organization }>(
        this.em,
        { org: Organization },
        'select to_jsonb(o) as org from organizations o where o.name = ?',
        [name],
        'roster_organization_by_name',
      );
      return found?.org ?? null;
    }
    const [found] = await selectRows<{ org: Organization; membership: Membership }>(
      this.em,
      { org: Organization, membership: Membership },
      'select to_jsonb(o) as org, to_jsonb(m) as membership from organizations o ' +
        'left join org_memberships m on m.organization_id = o.id and m.user_id = ? where o.name = ?',
      [principal.user.id, name],
      'roster_organization_with_membership',
    );
    if (!found?.org) return null;
    this.ctx.loaders.membership.prime(membershipKey(found.org.id, principal.user.id), found.membership ?? null);
    return found.org;
  }

  /**
   * The `organization(name)` lookup: the organization when the caller may see it, null when it is absent or
   * invisible (the two are indistinguishable). UNAUTHENTICATED for anonymous callers: that is not visibility.
   */
  async findVisible(name: string): Promise<Organization | null> {
    const { org, visible } = await this.lookup(name);
    return visible ? org : null;
  }

  /** The organization by name, if it exists, and whether the caller may see it (`org:read`). */
  private async lookup(name: string): Promise<{ org: Organization | null; visible: boolean }> {
    this.ctx.authz.requireAuthenticated();
    const org = await this.byNameWithCallersMembership(name.trim().toLowerCase());
    return { org, visible: org !== null && (await this.ctx.authz.canOrg(org, OrgPermission.READ)) };
  }

  /**
   * An organization the caller may see and act on with `permission`: NOT_FOUND when invisible, FORBIDDEN when visible
   * but not allowed.
   */
  async getFor(name: string, permission: OrgPermission): Promise<Organization> {
    const org = await this.getVisible(name);
    await this.ctx.authz.requireOrg(org, permission);
    return org;
  }

  /** Organizations where the caller is an ACTIVE member; instance admins see all. Ordered by name. */
  async list(args: { first?: number | null; after?: string | null }): Promise<Connection<Organization>> {
    this.ctx.authz.requireUser();
    const page = ORGANIZATIONS_CURSOR.page(args, 'NAME_ASC');
    const visible = this.ctx.authz.organizationScope();
    const scope: FilterQuery<Organization> =
      visible.kind === 'ALL'
        ? {}
        : visible.kind === 'NONE'
          ? { id: { $in: [] } }
          : { memberships: { user: visible.userId, status: visible.status } };
    const after: FilterQuery<Organization> = page.after ? { name: { $gt: page.after[0] } } : {};
    const [rows, total] = await Promise.all([
      this.em.find(Organization, { $and: [scope, after] }, { orderBy: { name: 'asc' }, limit: page.first + 1 }),
      this.em.count(Organization, scope),
    ]);
    return ORGANIZATIONS_CURSOR.connection(
      page,
      'NAME_ASC',
      rows,
      total,
      (o) => [o.name],
      (o) => o,
    );
  }

  async create(raw: unknown): Promise<Organization> {
    this.ctx.authz.requireInstance(InstancePermission.CREATE_ORGANIZATION);
    const { user } = this.ctx.authz.requireUser();
    const input = parseInput(createSchema, raw);
    return this.em
      .transactional(async (em) => {
        if (await em.count(Organization, { name: input.name }))
          throw conflict(`An organization named "${input.name}" already exists.`, 'name');
        const org = em.create(Organization, {
          name: input.name,
          displayName: input.displayName ?? input.name,
          seatLimit: input.seatLimit ?? null,
        });
        em.create(Membership, {
          organization: org,
          user: ref(em.getReference(User, user.id)),
          role: ORG_ADMIN_ROLE,
          status: MemberStatus.ACTIVE,
        });
        this.audit(em, {
          action: AuditAction.ORGANIZATION_CREATED,
          target: { type: 'organization', id: org.id, label: org.name },
          organizationId: org.id,
          metadata: { seatLimit: org.seatLimit },
        });
        return org;
      })
      .catch(rethrowUniqueAsConflict);
  }

  async update(raw: unknown): Promise<Organization> {
    const input = parseInput(updateSchema, raw);
    const org = await this.getFor(input.organization, OrgPermission.UPDATE);
    // Omitted keeps the limit; null clears it (unlimited); a number sets it.
    const touchesSeats = input.seatLimit !== undefined;
    if (touchesSeats) this.ctx.authz.requireInstance(InstancePermission.SET_SEAT_LIMIT);
    return this.em.transactional(async (em) => {
      const locked = await em.findOneOrFail(Organization, { id: org.id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      const before = { displayName: locked.displayName, seatLimit: locked.seatLimit, settings: { ...locked.settings } };
      if (input.displayName != null) locked.displayName = input.displayName;
      if (input.seatLimit !== undefined) locked.seatLimit = input.seatLimit;
      if (input.settings) {
        const next = { ...locked.settings };
        if (input.settings.membersCanCreateTeams != null)
          next.membersCanCreateTeams = input.settings.membersCanCreateTeams;
        if (input.settings.apiKeyMaxLifetimeDays !== undefined)
          next.apiKeyMaxLifetimeDays = input.settings.apiKeyMaxLifetimeDays;
        if (input.settings.membersCanCreateApiKeys != null)
          next.membersCanCreateApiKeys = input.settings.membersCanCreateApiKeys;
        if (input.settings.personalApiKeysReachOrganization != null)
          next.personalApiKeysReachOrganization = input.settings.personalApiKeysReachOrganization;
        // null goes back to UTC; the days already recorded keep the zone they were recorded in.
        if (input.settings.timeZone) next.timeZone = input.settings.timeZone;
        else if (input.settings.timeZone === null) delete next.timeZone;
        locked.settings = next;
      }
      const after = { displayName: locked.displayName, seatLimit: locked.seatLimit, settings: locked.settings };
      this.audit(em, {
        action: AuditAction.ORGANIZATION_UPDATED,
        target: { type: 'organization', id: org.id, label: org.name },
        organizationId: org.id,
        metadata: { before, after },
      });
      return locked;
    });
  }

  /**
   * Seat usage; NOT_FOUND unless the caller sees the organization (it may have reached them through a payload, e.g.
   * after leaving).
   */
  async seats(org: Organization): Promise<Seats> {
    await this.ctx.authz.requireOrg(org, OrgPermission.READ);
    const used = await this.ctx.loaders.seatsUsed.load(org.id);
    return { limit: org.seatLimit, used, available: org.seatLimit == null ? null : Math.max(0, org.seatLimit - used) };
  }

  /** The seat limit (null: unlimited); NOT_FOUND unless the caller sees the organization. */
  async seatLimit(org: Organization): Promise<number | null> {
    await this.ctx.authz.requireOrg(org, OrgPermission.READ);
    return org.seatLimit;
  }

  /** Organization-wide policies; NOT_FOUND unless the caller sees the organization. */
  async settings(org: Organization): Promise<Required<OrganizationSettings>> {
    await this.ctx.authz.requireOrg(org, OrgPermission.READ);
    return org.effectiveSettings();
  }

  /** Problems an org admin should fix; empty for others. */
  async warnings(org: Organization): Promise<Array<{ code: WarningCode; message: string }>> {
    if (!(await this.ctx.authz.canOrg(org, OrgPermission.MANAGE_MEMBERS))) return [];
    const admins = await this.ctx.loaders.activeAdmins.load(org.id);
    return admins === 1
      ? [
          {
            code: WarningCode.SINGLE_ADMIN,
            message:
              `"${org.name}" has only one active admin: if that account is lost nobody can manage it. Make a ` +
              `second member ADMIN.`,
          },
        ]
      : [];
  }

  async viewerPermissions(org: Organization): Promise<OrgPermission[]> {
    return [...(await this.ctx.authz.orgPermissions(org))].sort();
  }

  async viewerRole(org: Organization): Promise<OrgRole | null> {
    return (await this.ctx.authz.activeMembership(org.id))?.role ?? null;
  }

  /**
   * A user's memberships the caller may see: only the user themselves and instance admins may ask (others get an
   * empty list), and each row must be visible to the caller (so a user's own DEACTIVATED memberships are left out:
   * they cannot see those organizations). Batched: one query for the memberships of all users asked, one for their
   * organizations.
   */
  async visibleMemberships(
    userId: string,
    args: { first?: number | null; after?: string | null },
  ): Promise<Connection<Membership>> {
    this.ctx.authz.requireUser();
    const page = MEMBERSHIPS_CURSOR.page(args, 'CREATED_ASC');
    if (!this.ctx.authz.canListMembershipsOf(userId))
      return MEMBERSHIPS_CURSOR.connectionInMemory(page, 'CREATED_ASC', [], membershipCursor, compareCreatedAsc);
    const rows = await this.membershipsOf(userId);
    const visible = await Promise.all(rows.map((r) => this.ctx.authz.canSeeMembership(r.organization, r)));
    // Visibility is the policy's, row by row, over a user's few memberships: filter and page in memory (still one query
    // per batch of users).
    const memberships = rows.filter((_, i) => visible[i]).map((r) => r.membership);
    memberships.sort((a, b) => compareCreatedAsc(membershipCursor(a), membershipCursor(b)));
    return MEMBERSHIPS_CURSOR.connectionInMemory(page, 'CREATED_ASC', memberships, membershipCursor, compareCreatedAsc);
  }

  /**
   * A user's default organization, when the caller sees both the organization and the user's membership in it; null
   * otherwise.
   */
  async visibleDefaultOrganization(user: User): Promise<Organization | null> {
    if (!user.defaultOrganization) return null;
    const org = await this.ctx.loaders.organizationById.load(user.defaultOrganization.id);
    if (!org) return null;
    const membership = await this.ctx.loaders.membership.load(membershipKey(org.id, user.id));
    return (await this.ctx.authz.canSeeMembership(org, membership)) ? org : null;
  }

  /** Whether the caller may see a user's details beyond id, username and name (see Authz.canSeeUserDetails). */
  userDetailsVisible(userId: string): Promise<boolean> {
    return this.ctx.authz.canSeeUserDetails(userId, async () =>
      (await this.membershipsOf(userId)).map((r) => ({ organization: r.organization, role: r.role, status: r.status })),
    );
  }

  /** The organization of a membership, batched. */
  async organizationOf(membership: Membership): Promise<Organization> {
    const org = await this.ctx.loaders.organizationById.load(membership.organization.id);
    if (!org) throw notFound('That organization no longer exists.');
    return org;
  }

  /** A user's memberships (any status) with their organizations, through the request's loaders. */
  private async membershipsOf(
    userId: string,
  ): Promise<Array<{ membership: Membership; organization: Organization; role: OrgRole; status: MemberStatus }>> {
    const memberships = await this.ctx.loaders.membershipsByUser.load(userId);
    const orgs = await Promise.all(memberships.map((m) => this.ctx.loaders.organizationById.load(m.organization.id)));
    return memberships.flatMap((membership, i) => {
      const organization = orgs[i];
      return organization ? [{ membership, organization, role: membership.role, status: membership.status }] : [];
    });
  }
}
