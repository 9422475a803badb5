import { OrgRole } from './roles';

/** Instance-wide permissions: held only by instance admins. */
export enum InstancePermission {
  CREATE_ORGANIZATION = 'instance:create_organization',
  MANAGE_SETTINGS = 'instance:manage_settings',
  READ_SETTINGS = 'instance:read_settings',
  SET_SEAT_LIMIT = 'instance:set_seat_limit',
}

/** Organization-scoped permissions, named `object:operation`. */
export enum OrgPermission {
  READ = 'org:read',
  UPDATE = 'org:update',
  READ_MEMBERS = 'member:read',
  READ_MEMBER_EMAILS = 'member:read_email',
  INVITE_MEMBER = 'member:invite',
  MANAGE_MEMBERS = 'member:manage',
  READ_USAGE = 'usage:read',
  READ_AUDIT_LOG = 'audit_log:read',
  CREATE_TEAM = 'team:create',
  MANAGE_TEAMS = 'team:manage_any',
  MANAGE_CUSTOM_ROLES = 'custom_role:manage',
  MANAGE_SERVICE_ACCOUNTS = 'service_account:manage_org',
  READ_ALL_API_KEYS = 'api_key:read_all',
}

/** What each organization permission allows (the OrganizationPermission enum's documentation). */
export const ORG_PERMISSION_DESCRIPTIONS: Record<OrgPermission, string> = {
  [OrgPermission.READ]: 'See the organization, its seats, settings and non-hidden teams.',
  [OrgPermission.UPDATE]: 'Change its display name and settings.',
  [OrgPermission.READ_MEMBERS]: 'List ACTIVE members.',
  [OrgPermission.READ_MEMBER_EMAILS]: "See members' emails, DEACTIVATED members and PENDING invitations.",
  [OrgPermission.INVITE_MEMBER]: 'Invite people by email.',
  [OrgPermission.MANAGE_MEMBERS]: 'Change roles; remove, deactivate and reactivate members.',
  [OrgPermission.READ_USAGE]: 'See usage and activity.',
  [OrgPermission.READ_AUDIT_LOG]: 'Read the audit log.',
  [OrgPermission.CREATE_TEAM]: 'Create teams (MEMBERs too when membersCanCreateTeams is on).',
  [OrgPermission.MANAGE_TEAMS]: 'Manage and delete any team, hidden ones included.',
  [OrgPermission.MANAGE_CUSTOM_ROLES]: 'Create, change and delete custom roles.',
  [OrgPermission.MANAGE_SERVICE_ACCOUNTS]: 'Manage organization-scoped service accounts.',
  [OrgPermission.READ_ALL_API_KEYS]: "See the metadata of every member's API keys.",
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
