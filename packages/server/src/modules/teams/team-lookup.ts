import type { RequestContext } from '../../graphql/context';
import { OrganizationService } from '../organizations/organization.service';
import type { Organization } from '../organizations/organization.entity';
import { Team } from './team.entity';
import { TeamPermission } from '../../authz/team-permissions';
import { notFound } from '../../errors';

export interface TeamInOrg {
  org: Organization;
  team: Team;
  /** The caller's permissions on the team, as the policy computed them. */
  permissions: ReadonlySet<TeamPermission>;
}

/**
 * Finds a team by organization and team name and checks the caller's permission on it:
 * NOT_FOUND when the team (or organization) is invisible to them, FORBIDDEN when visible but not allowed.
 */
export async function findTeam(
  ctx: RequestContext,
  organization: string,
  teamName: string,
  permission: TeamPermission,
): Promise<TeamInOrg> {
  const org = await new OrganizationService(ctx).getVisible(organization);
  const team = await ctx.em.findOne(Team, { organization: org.id, name: teamName.trim().toLowerCase() });
  if (!team) throw notFound(`No team named "${teamName}" is visible to you in "${org.name}".`);
  const permissions = await ctx.authz.requireTeam(team, org, permission);
  return { org, team, permissions };
}

/**
 * For a Team object that already reached the caller (a list, a payload such as leaveTeam): its organization, or
 * NOT_FOUND when the caller may not see the team (anymore). Nested fields of a team ask this before answering.
 */
export async function requireVisibleTeam(ctx: RequestContext, team: Team): Promise<Organization> {
  const org = await ctx.loaders.organizationById.load(team.organization.id);
  if (!org) throw notFound(`No team named "${team.name}" is visible to you.`);
  await ctx.authz.requireTeam(team, org, TeamPermission.VIEW);
  return org;
}
