/**
 * Team-scoped permissions, named `object:operation`, with what each depends on and the sets the built-in
 * team roles hold. Custom roles (inheritsFrom VIEW_ONLY or MEMBER plus added permissions) build on these.
 */
export enum TeamRole {
  ADMIN = 'ADMIN',
  MEMBER = 'MEMBER',
  VIEW_ONLY = 'VIEW_ONLY',
  /** Reserved for service accounts. */
  SERVICE = 'SERVICE',
}

export enum TeamPermission {
  VIEW = 'team:view',
  READ = 'team:read',
  UPDATE = 'team:update',
  DELETE = 'team:delete',
  READ_MEMBERS = 'member:read',
  INVITE_MEMBER = 'team:invite_member',
  MANAGE_MEMBERS = 'member:manage',
  PROJECT_CREATE = 'project:create',
  PROJECT_UPDATE = 'project:update',
  PROJECT_DELETE = 'project:delete',
  PROJECT_DELETE_OWN = 'project:delete_own',
  RUN_CREATE = 'run:create',
  RUN_STOP = 'run:stop',
  RUN_DELETE = 'run:delete',
  RUN_DELETE_OWN = 'run:delete_own',
  REPORT_CREATE = 'report:create',
  REPORT_UPDATE = 'report:update',
  REPORT_DELETE = 'report:delete',
  REPORT_DELETE_OWN = 'report:delete_own',
  ARTIFACT_READ = 'artifact:read',
  ARTIFACT_MANAGE_ALIASES = 'artifact:manage_aliases',
  ARTIFACT_DELETE = 'artifact:delete',
  SERVICE_ACCOUNT_MANAGE = 'service_account:manage',
}

export interface TeamPermissionInfo {
  description: string;
  /** Permissions a role must also hold for this one to make sense (validated for custom roles). */
  requires: TeamPermission[];
}

export const TEAM_PERMISSION_CATALOGUE: Record<TeamPermission, TeamPermissionInfo> = {
  [TeamPermission.VIEW]: {
    description: 'See that the team exists, its settings and its public projects.',
    requires: [],
  },
  [TeamPermission.READ]: {
    description: 'See private projects, runs, reports and artifacts of the team.',
    requires: [TeamPermission.VIEW],
  },
  [TeamPermission.UPDATE]: { description: 'Change team settings and avatar.', requires: [TeamPermission.READ] },
  [TeamPermission.DELETE]: { description: 'Delete the team and everything in it.', requires: [TeamPermission.UPDATE] },
  [TeamPermission.READ_MEMBERS]: { description: 'List team members.', requires: [TeamPermission.VIEW] },
  [TeamPermission.INVITE_MEMBER]: {
    description:
      'Add organization members to the team, with at most the MEMBER role. MEMBERs also hold it when the team lets ' +
      'members invite.',
    requires: [TeamPermission.READ_MEMBERS],
  },
  [TeamPermission.MANAGE_MEMBERS]: {
    description: 'Add and remove members and change their roles.',
    requires: [TeamPermission.INVITE_MEMBER],
  },
  [TeamPermission.PROJECT_CREATE]: { description: 'Create projects.', requires: [TeamPermission.READ] },
  [TeamPermission.PROJECT_UPDATE]: {
    description: 'Change any project (visibility, description).',
    requires: [TeamPermission.READ],
  },
  [TeamPermission.PROJECT_DELETE]: {
    description: 'Delete any project, with its runs.',
    requires: [TeamPermission.READ],
  },
  [TeamPermission.PROJECT_DELETE_OWN]: {
    description: 'Delete projects one created.',
    requires: [TeamPermission.PROJECT_CREATE],
  },
  [TeamPermission.RUN_CREATE]: { description: 'Log runs.', requires: [TeamPermission.READ] },
  [TeamPermission.RUN_STOP]: { description: 'Stop any running run.', requires: [TeamPermission.READ] },
  [TeamPermission.RUN_DELETE]: { description: 'Delete any run.', requires: [TeamPermission.READ] },
  [TeamPermission.RUN_DELETE_OWN]: { description: 'Delete runs one logged.', requires: [TeamPermission.RUN_CREATE] },
  [TeamPermission.REPORT_CREATE]: { description: 'Create reports.', requires: [TeamPermission.READ] },
  [TeamPermission.REPORT_UPDATE]: { description: 'Edit any report.', requires: [TeamPermission.READ] },
  [TeamPermission.REPORT_DELETE]: { description: 'Delete any report.', requires: [TeamPermission.READ] },
  [TeamPermission.REPORT_DELETE_OWN]: {
    description: 'Delete reports one created.',
    requires: [TeamPermission.REPORT_CREATE],
  },
  [TeamPermission.ARTIFACT_READ]: { description: 'Read artifacts.', requires: [TeamPermission.READ] },
  [TeamPermission.ARTIFACT_MANAGE_ALIASES]: {
    description: 'Add and remove artifact aliases.',
    requires: [TeamPermission.ARTIFACT_READ],
  },
  [TeamPermission.ARTIFACT_DELETE]: { description: 'Delete artifacts.', requires: [TeamPermission.ARTIFACT_READ] },
  [TeamPermission.SERVICE_ACCOUNT_MANAGE]: {
    description: "Create and manage the team's service accounts and their keys.",
    requires: [TeamPermission.MANAGE_MEMBERS],
  },
};

const VIEW_ONLY: TeamPermission[] = [
  TeamPermission.VIEW,
  TeamPermission.READ,
  TeamPermission.READ_MEMBERS,
  TeamPermission.ARTIFACT_READ,
];
const MEMBER: TeamPermission[] = [
  ...VIEW_ONLY,
  TeamPermission.PROJECT_CREATE,
  TeamPermission.PROJECT_DELETE_OWN,
  TeamPermission.RUN_CREATE,
  TeamPermission.RUN_DELETE_OWN,
  TeamPermission.REPORT_CREATE,
  TeamPermission.REPORT_DELETE_OWN,
  TeamPermission.ARTIFACT_MANAGE_ALIASES,
];
// Team admins run the team but do not delete it: that is an organization admin's call.
const ADMIN: TeamPermission[] = Object.values(TeamPermission).filter((p) => p !== TeamPermission.DELETE);
const SERVICE: TeamPermission[] = [
  TeamPermission.VIEW,
  TeamPermission.READ,
  TeamPermission.ARTIFACT_READ,
  TeamPermission.PROJECT_CREATE,
  TeamPermission.RUN_CREATE,
  TeamPermission.REPORT_CREATE,
  TeamPermission.ARTIFACT_MANAGE_ALIASES,
];

export const TEAM_ROLE_PERMISSIONS: Record<TeamRole, ReadonlySet<TeamPermission>> = {
  [TeamRole.VIEW_ONLY]: new Set(VIEW_ONLY),
  [TeamRole.MEMBER]: new Set(MEMBER),
  [TeamRole.ADMIN]: new Set(ADMIN),
  [TeamRole.SERVICE]: new Set(SERVICE),
};

/** What a non-member of a visible team may do. */
export const NON_MEMBER_TEAM_PERMISSIONS: ReadonlySet<TeamPermission> = new Set([TeamPermission.VIEW]);

/** Seniority of team roles, most powerful first; roles a member may grant when the team lets members invite. */
export const TEAM_ROLE_ORDER: readonly TeamRole[] = [
  TeamRole.ADMIN,
  TeamRole.MEMBER,
  TeamRole.VIEW_ONLY,
  TeamRole.SERVICE,
];
export const ROLES_GRANTABLE_BY_INVITING_MEMBERS: ReadonlySet<TeamRole> = new Set([
  TeamRole.MEMBER,
  TeamRole.VIEW_ONLY,
]);
/** The role a team service account holds in its team, and the only one. */
export const SERVICE_ACCOUNT_TEAM_ROLE: TeamRole = TeamRole.SERVICE;
/** Roles a person (not a service account) can hold. */
export const PERSON_TEAM_ROLES: ReadonlySet<TeamRole> = new Set([TeamRole.ADMIN, TeamRole.MEMBER, TeamRole.VIEW_ONLY]);
/** The team role that keeps a team managed; the last-team-admin rule counts it. */
export const TEAM_ADMIN_ROLE: TeamRole = TeamRole.ADMIN;
/** The only team role an organization VIEWER may hold. */
export const ORG_VIEWER_TEAM_ROLE: TeamRole = TeamRole.VIEW_ONLY;
/** Base roles a custom role may build on. */
export const INHERITABLE_TEAM_ROLES: ReadonlySet<TeamRole> = new Set([TeamRole.VIEW_ONLY, TeamRole.MEMBER]);
