import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Membership } from '../modules/organizations/membership.entity';
import { Authz } from '../authz/policy';
import { OrgRole, MemberStatus } from '../authz/roles';

export interface Loaders {
  /** Key: `${organizationId}:${userId}`. */
  membership: DataLoader<string, Membership | null>;
  membershipsByUser: DataLoader<string, Membership[]>;
  seatsUsed: DataLoader<string, number>;
}

export const membershipKey = (organizationId: string, userId: string) => `${organizationId}:${userId}`;

/** Fresh per request: nothing cached outlives it. */
export function createLoaders(em: EntityManager): Loaders {
  return {
    membership: new DataLoader(async (keys) => {
      const pairs = keys.map((k) => k.split(':') as [string, string]);
      const rows = await em.find(Membership, { $or: pairs.map(([organization, user]) => ({ organization, user })) });
      const byKey = new Map(rows.map((m) => [membershipKey(m.organization.id, m.user.id), m]));
      return keys.map((k) => byKey.get(k) ?? null);
    }),
    membershipsByUser: new DataLoader(async (userIds) => {
      const rows = await em.find(Membership, { user: { $in: [...userIds] } }, { orderBy: { createdAt: 'asc' } });
      return userIds.map((id) => rows.filter((m) => m.user.id === id));
    }),
    seatsUsed: new DataLoader(async (orgIds) => {
      const seatRoles = Object.values(OrgRole).filter((r) => Authz.usesSeat(r, MemberStatus.ACTIVE));
      const rows: Array<{ organization_id: string; used: string }> = await em.execute(
        `select organization_id, count(*) as used from org_memberships
          where organization_id in (?) and role in (?) and status <> ?
          group by organization_id`,
        [[...orgIds], seatRoles, MemberStatus.DEACTIVATED],
      );
      const used = new Map(rows.map((r) => [r.organization_id, Number(r.used)]));
      return orgIds.map((id) => used.get(id) ?? 0);
    }),
  };
}
