import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Organization } from './organization.entity';
import { ORG_ADMIN_ROLE, SEAT_ROLES } from '../../authz/permissions';
import { MemberStatus, type OrgRole } from '../../authz/roles';
import { AppError, ErrorCode } from '../../errors';
import { invitationUnexpiredSql } from '../invitations/invitation.entity';

/**
 * Seat and last-admin invariants. Every change that could break one runs in a transaction that first
 * locks the organization row (`lockOrganization`), so concurrent requests, from any number of server
 * processes, take turns: each sees the counts the previous one committed.
 */
export function lockOrganization(em: EntityManager, organizationId: string): Promise<Organization> {
  return em.findOneOrFail(
    Organization,
    { id: organizationId },
    { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
  );
}

/**
 * Seats in use per organization: ADMIN and MEMBER memberships that are ACTIVE, or PENDING with an unexpired invitation.
 */
export async function countSeats(
  em: EntityManager,
  organizationIds: readonly string[],
  excludingMembershipId?: string,
): Promise<Map<string, number>> {
  if (organizationIds.length === 0) return new Map();
  const rows: Array<{ organization_id: string; used: string }> = await em.execute(
    `select m.organization_id, count(*) as used
       from org_memberships m
       left join invitations i on i.id = m.invitation_id
      where m.organization_id in (?) and m.role in (?) and m.id <> ?
        and (m.status = ? or (m.status = ? and ${invitationUnexpiredSql('i')}))
      group by m.organization_id`,
    [
      [...organizationIds],
      [...SEAT_ROLES],
      excludingMembershipId ?? '00000000-0000-0000-0000-000000000000',
      MemberStatus.ACTIVE,
      MemberStatus.PENDING,
    ],
  );
  return new Map(rows.map((r) => [r.organization_id, Number(r.used)]));
}

/** Throws SEAT_LIMIT_REACHED unless one more seat fits. Call with the organization locked. */
export async function assertSeatAvailable(
  em: EntityManager,
  org: Organization,
  excludingMembershipId?: string,
): Promise<void> {
  if (org.seatLimit == null) return;
  assertSeatFree(org, (await countSeats(em, [org.id], excludingMembershipId)).get(org.id) ?? 0);
}

/**
 * The seat rule itself: SEAT_LIMIT_REACHED unless one more seat fits beside the `used` ones. For callers that count
 * once (countSeats, with the organization locked) and then place many seats, as bulk invitations do.
 */
export function assertSeatFree(org: Organization, used: number): void {
  if (org.seatLimit == null) return;
  if (used >= org.seatLimit) {
    throw new AppError(
      ErrorCode.SEAT_LIMIT_REACHED,
      `"${org.name}" has no free seat (${used} of ${org.seatLimit} used). Free one by removing or deactivating a ` +
        `member or revoking an invitation, invite as VIEWER, or ask an instance admin for more seats.`,
      { details: { limit: org.seatLimit, used } },
    );
  }
}

export async function countActiveAdmins(em: EntityManager, organizationId: string): Promise<number> {
  const rows: Array<{ n: string }> = await em.execute(
    'select count(*) as n from org_memberships where organization_id = ? and role = ? and status = ?',
    [organizationId, ORG_ADMIN_ROLE, MemberStatus.ACTIVE],
  );
  return Number(rows[0]?.n ?? 0);
}

/** Throws LAST_ADMIN when taking away this ACTIVE admin would leave none. Call with the organization locked. */
export async function assertNotLastAdmin(
  em: EntityManager,
  org: Organization,
  target: { role: OrgRole; status: MemberStatus },
): Promise<void> {
  if (target.role !== ORG_ADMIN_ROLE || target.status !== MemberStatus.ACTIVE) return;
  if ((await countActiveAdmins(em, org.id)) <= 1) {
    throw new AppError(
      ErrorCode.LAST_ADMIN,
      `"${org.name}" must keep at least one active admin: make someone else ADMIN first.`,
    );
  }
}
