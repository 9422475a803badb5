import { AppError, ErrorCode, forbidden, notFound, unauthenticated } from '../errors';
import type { Principal, UserPrincipal } from '../auth/principal';
import type { Organization } from '../modules/organizations/organization.entity';
import { InstancePermission, OrgPermission, ORG_ROLE_PERMISSIONS } from './permissions';
import { MemberStatus, OrgRole } from './roles';

export interface MembershipFacts {
  role: OrgRole;
  status: MemberStatus;
}

export type MembershipLookup = (organizationId: string, userId: string) => Promise<MembershipFacts | null>;

/**
 * The one authorization policy. Services ask it; nothing else compares roles.
 * Per request: it sees the request's principal and reads memberships through the request's DataLoader.
 */
export class Authz {
  constructor(
    private current: Principal,
    private readonly lookupMembership: MembershipLookup,
  ) {}

  get principal(): Principal {
    return this.current;
  }

  /** After signUp or logIn the rest of the request acts as the new session's user (e.g. to show their own email). */
  assume(principal: Principal): void {
    this.current = principal;
  }

  get isAuthenticated(): boolean {
    return this.principal.kind !== 'anonymous';
  }

  get isInstanceAdmin(): boolean {
    return this.principal.kind === 'user' && this.principal.user.instanceAdmin;
  }

  /** The calling user, or UNAUTHENTICATED. */
  requireUser(): UserPrincipal {
    if (this.principal.kind !== 'user') throw unauthenticated();
    return this.principal;
  }

  canInstance(permission: InstancePermission): boolean {
    return this.isInstanceAdmin && Object.values(InstancePermission).includes(permission);
  }

  requireInstance(permission: InstancePermission): void {
    this.requireUser();
    if (!this.canInstance(permission)) {
      throw forbidden(`Only instance admins may do this (needs ${permission}).`);
    }
  }

  /** The caller's own ACTIVE membership in the organization, if any. */
  async activeMembership(organizationId: string, lookup: MembershipLookup = this.lookupMembership): Promise<MembershipFacts | null> {
    if (this.principal.kind !== 'user') return null;
    const m = await lookup(organizationId, this.principal.user.id);
    return m && m.status === MemberStatus.ACTIVE ? m : null;
  }

  async orgPermissions(org: Organization, lookup?: MembershipLookup): Promise<Set<OrgPermission>> {
    if (this.isInstanceAdmin) return new Set(Object.values(OrgPermission));
    const membership = await this.activeMembership(org.id, lookup);
    if (!membership) return new Set();
    const granted = new Set(ORG_ROLE_PERMISSIONS[membership.role]);
    if (membership.role === OrgRole.MEMBER && org.settings.membersCanCreateTeams) granted.add(OrgPermission.CREATE_TEAM);
    return granted;
  }

  async canOrg(org: Organization, permission: OrgPermission): Promise<boolean> {
    return (await this.orgPermissions(org)).has(permission);
  }

  /**
   * Throws NOT_FOUND when the caller may not even see the organization (so its existence is not revealed),
   * FORBIDDEN when they see it but lack the permission. Inside a transaction that locked the organization,
   * pass a `lookup` reading through that transaction: the caller's own role may have changed meanwhile.
   */
  async requireOrg(org: Organization, permission: OrgPermission, lookup?: MembershipLookup): Promise<void> {
    this.requireUser();
    const granted = await this.orgPermissions(org, lookup);
    if (!granted.has(OrgPermission.READ)) throw notFound(`No organization named "${org.name}" is visible to you.`);
    if (!granted.has(permission)) {
      throw forbidden(`Your role in "${org.name}" does not allow this (needs ${permission}); ask an organization admin.`);
    }
  }

}

export function assertNever(x: never): never {
  throw new AppError(ErrorCode.INTERNAL_SERVER_ERROR, `Unexpected value ${String(x)}`);
}
