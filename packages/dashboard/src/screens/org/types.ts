import type { RosterClient } from '@roster/sdk';

export type MembersPage = Awaited<ReturnType<RosterClient['members']>>;
export type Member = MembersPage['nodes'][number];
export type Team = Awaited<ReturnType<RosterClient['teams']>>['nodes'][number];
export type OrgRoleName = 'ADMIN' | 'MEMBER' | 'VIEWER';
export const ORG_ROLES: OrgRoleName[] = ['ADMIN', 'MEMBER', 'VIEWER'];
/** Roles that take a seat (Seats.used counts ACTIVE and PENDING admins and members). */
export const SEAT_ROLES: ReadonlySet<string> = new Set(['ADMIN', 'MEMBER']);

/** The member as mutations name them: username, else (pending invitations) email. */
export function memberKey(m: Member): string {
  return m.username ?? m.user?.username ?? m.email ?? m.id;
}

export function memberLabel(m: Member): string {
  return m.name ?? m.username ?? m.email ?? 'this member';
}
