import { OrgRole } from './roles';

/**
 * Instance-wide permissions: held only by instance admins. Only permissions something enforces are listed:
 * a permission is added here in the change that implements it (docs/AUTHZ.md, "Catalogue").
 */
export enum InstancePermission {
  CREATE_ORGANIZATION = 'instance:create_organization',
  READ_SETTINGS = 'instance:read_settings',
  SET_SEAT_LIMIT = 'instance:set_seat_limit',
  READ_AUDIT_LOG = 'instance:read_audit_log',
  REVOKE_SESSIONS = 'instance:revoke_sessions',
  MANAGE_SETTINGS = 'instance:manage_settings',
  MANAGE_ADMINS = 'instance:manage_admins',
  READ_USAGE = 'instance:read_usage',
}

export const INSTANCE_PERMISSION_CATALOGUE: Record<InstancePermission, { description: string }> = {
  [InstancePermission.CREATE_ORGANIZATION]: { description: 'create organizations' },
  [InstancePermission.READ_SETTINGS]: { description: 'read instance settings and warnings' },
  [InstancePermission.SET_SEAT_LIMIT]: { description: "set or clear an organization's seat limit" },
  [InstancePermission.READ_AUDIT_LOG]: {
    description: 'the whole audit log (every organization, sign-in failures of unknown logins) and its export',
  },
  [InstancePermission.REVOKE_SESSIONS]: { description: "end any user's sessions (revokeSessions with `user`)" },
  [InstancePermission.MANAGE_SETTINGS]: {
    description:
      'change instance settings: SSO providers, group mappings, provisioning, lifetimes, SMTP, password sign-in',
  },
  [InstancePermission.MANAGE_ADMINS]: { description: 'grant and revoke instance admin' },
  [InstancePermission.READ_USAGE]: { description: 'instance-wide usage: every organization and active users' },
};

/** Organization-scoped permissions, named `object:operation`; like the instance ones, only those something enforces. */
export enum OrgPermission {
  READ = 'org:read',
  UPDATE = 'org:update',
  READ_MEMBERS = 'member:read',
  READ_MEMBER_EMAILS = 'member:read_email',
  INVITE_MEMBER = 'member:invite',
  MANAGE_MEMBERS = 'member:manage',
  READ_AUDIT_LOG = 'audit_log:read',
  CREATE_TEAM = 'team:create',
  MANAGE_TEAMS = 'team:manage_any',
  MANAGE_CUSTOM_ROLES = 'custom_role:manage',
  MANAGE_ORG_SERVICE_ACCOUNTS = 'service_account:manage_org',
  READ_ALL_API_KEYS = 'api_key:read_all',
  READ_USAGE = 'usage:read',
  MANAGE_SCIM = 'scim:manage',
}

export interface OrgPermissionInfo {
  description: string;
  /** Roles that hold the permission only under an organization setting (granted in Authz.orgPermissions). */
  conditional?: Partial<Record<OrgRole, string>>;
}

export const ORG_PERMISSION_CATALOGUE: Record<OrgPermission, OrgPermissionInfo> = {
  [OrgPermission.READ]: { description: 'see the organization' },
  [OrgPermission.READ_MEMBERS]: { description: 'list members' },
  [OrgPermission.READ_MEMBER_EMAILS]: { description: "see members' emails" },
  [OrgPermission.INVITE_MEMBER]: { description: 'invite people and manage invitations (update, resend, revoke)' },
  [OrgPermission.MANAGE_MEMBERS]: { description: 'change roles, deactivate, reactivate, remove' },
  [OrgPermission.UPDATE]: { description: 'display name and settings' },
  [OrgPermission.READ_AUDIT_LOG]: { description: 'the audit log' },
  [OrgPermission.CREATE_TEAM]: {
    description: 'create teams',
    conditional: { [OrgRole.MEMBER]: 'when `membersCanCreateTeams`' },
  },
  [OrgPermission.MANAGE_TEAMS]: { description: 'manage and delete any team' },
  [OrgPermission.MANAGE_CUSTOM_ROLES]: { description: 'custom roles' },
  [OrgPermission.MANAGE_ORG_SERVICE_ACCOUNTS]: {
    description: 'organization service accounts (they reach every team) and their keys',
  },
  [OrgPermission.READ_ALL_API_KEYS]: {
    description: "every API key of the organization: members' personal keys and service accounts' (metadata)",
  },
  [OrgPermission.READ_USAGE]: {
    description: "usage: active users over time, every member's activity summary, the members CSV's activity columns",
  },
  [OrgPermission.MANAGE_SCIM]: {
    description: 'SCIM provisioning tokens (create, list, revoke): an identity provider manages members and teams',
  },
};

const VIEWER: OrgPermission[] = [OrgPermission.READ, OrgPermission.READ_MEMBERS];
const MEMBER: OrgPermission[] = [...VIEWER];
const ADMIN: OrgPermission[] = Object.values(OrgPermission);

export const ORG_ROLE_PERMISSIONS: Record<OrgRole, ReadonlySet<OrgPermission>> = {
  [OrgRole.VIEWER]: new Set(VIEWER),
  [OrgRole.MEMBER]: new Set(MEMBER),
  [OrgRole.ADMIN]: new Set(ADMIN),
};

/** Roles that take a seat when ACTIVE or PENDING. */
export const SEAT_ROLES: ReadonlySet<OrgRole> = new Set([OrgRole.ADMIN, OrgRole.MEMBER]);

/** The role whose holders administer the organization; the last-admin rule counts it. */
export const ORG_ADMIN_ROLE: OrgRole = OrgRole.ADMIN;

/** Default role for invitations. */
export const DEFAULT_INVITE_ROLE: OrgRole = OrgRole.MEMBER;

/** Seniority of organization roles, most powerful first (sorting, comparisons). */
export const ORG_ROLE_ORDER: readonly OrgRole[] = [OrgRole.ADMIN, OrgRole.MEMBER, OrgRole.VIEWER];
