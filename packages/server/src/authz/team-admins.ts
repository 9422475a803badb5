import { Authz } from './policy';
import { MemberStatus, type OrgRole } from './roles';
import { ORG_VIEWER_TEAM_ROLE, TEAM_ADMIN_ROLE, type TeamRole } from './team-permissions';

/** What decides whether one team member counts as an admin of the team. */
export interface TeamAdminFacts {
  teamRole: TeamRole;
  orgRole: OrgRole;
  orgStatus: MemberStatus;
}

/**
 * The one rule for "an effective team admin": the team's ADMIN role, held by someone whose organization
 * membership lets it act. A DEACTIVATED member holds no permission at all, and an organization VIEWER is
 * capped at VIEW_ONLY by `Authz.teamPermissions`, so an ADMIN row of either manages nothing. The
 * last-team-admin rule counts only these people, wherever a team admin can disappear: team role changes,
 * removals and leaving (team module), and organization demotions to VIEWER (members module).
 */
export function isEffectiveTeamAdmin(facts: TeamAdminFacts): boolean {
  return (
    facts.teamRole === TEAM_ADMIN_ROLE &&
    facts.orgStatus === MemberStatus.ACTIVE &&
    Authz.teamRolesForOrgRole(facts.orgRole).has(TEAM_ADMIN_ROLE)
  );
}

/**
 * The team role someone keeps when their organization role changes to `orgRole`: the same role when the
 * organization role allows it, otherwise the only one an organization VIEWER may hold. A custom role's
 * holder has its base as team role, so a VIEW_ONLY-based custom role survives and a MEMBER-based one does not.
 */
export function teamRoleAllowedFor(orgRole: OrgRole, teamRole: TeamRole): TeamRole {
  return Authz.teamRolesForOrgRole(orgRole).has(teamRole) ? teamRole : ORG_VIEWER_TEAM_ROLE;
}
