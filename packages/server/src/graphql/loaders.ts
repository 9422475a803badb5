import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Membership } from '../modules/organizations/membership.entity';
import { countSeats } from '../modules/organizations/invariants';
import { User } from '../modules/accounts/user.entity';
import { Invitation } from '../modules/invitations/invitation.entity';
import { OutboxEmail } from '../modules/mail/outbox-email.entity';
import { ORG_ADMIN_ROLE } from '../authz/permissions';
import { MemberStatus } from '../authz/roles';

export interface Loaders {
  /** Key: `${organizationId}:${userId}`. */
  membership: DataLoader<string, Membership | null>;
  membershipsByUser: DataLoader<string, Membership[]>;
  seatsUsed: DataLoader<string, number>;
  activeAdmins: DataLoader<string, number>;
  userById: DataLoader<string, User | null>;
  invitationById: DataLoader<string, Invitation | null>;
  /** The newest outbox email of each invitation. */
  latestEmailByInvitation: DataLoader<string, OutboxEmail | null>;
}

export const membershipKey = (organizationId: string, userId: string) => `${organizationId}:${userId}`;

/** Fresh per request: nothing cached outlives it. */
export function createLoaders(em: EntityManager): Loaders {
  return {
    membership: new DataLoader(async (keys) => {
      const pairs = keys.map((k) => k.split(':') as [string, string]);
      const rows = await em.find(Membership, { $or: pairs.map(([organization, user]) => ({ organization, user })) });
      const byKey = new Map(rows.map((m) => [membershipKey(m.organization.id, m.user!.id), m]));
      return keys.map((k) => byKey.get(k) ?? null);
    }),
    membershipsByUser: new DataLoader(async (userIds) => {
      const rows = await em.find(Membership, { user: { $in: [...userIds] } }, { orderBy: { createdAt: 'asc' } });
      return userIds.map((id) => rows.filter((m) => m.user?.id === id));
    }),
    seatsUsed: new DataLoader(async (orgIds) => {
      const used = await countSeats(em, orgIds);
      return orgIds.map((id) => used.get(id) ?? 0);
    }),
    activeAdmins: new DataLoader(async (orgIds) => {
      const rows: Array<{ organization_id: string; n: string }> = await em.execute(
        'select organization_id, count(*) as n from org_memberships where organization_id in (?) and role = ? and status = ? group by organization_id',
        [[...orgIds], ORG_ADMIN_ROLE, MemberStatus.ACTIVE],
      );
      const counts = new Map(rows.map((r) => [r.organization_id, Number(r.n)]));
      return orgIds.map((id) => counts.get(id) ?? 0);
    }),
    userById: new DataLoader(async (ids) => {
      const rows = await em.find(User, { id: { $in: [...ids] } });
      const byId = new Map(rows.map((u) => [u.id, u]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    invitationById: new DataLoader(async (ids) => {
      const rows = await em.find(Invitation, { id: { $in: [...ids] } });
      const byId = new Map(rows.map((i) => [i.id, i]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    latestEmailByInvitation: new DataLoader(async (ids) => {
      const rows = await em.find(OutboxEmail, { invitationId: { $in: [...ids] } }, { orderBy: { createdAt: 'desc' } });
      return ids.map((id) => rows.find((r) => r.invitationId === id) ?? null);
    }),
  };
}
