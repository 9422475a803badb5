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
  permissions: Set<TeamPermission>;
}

/**
 * Finds a team by organization and team name and checks the caller's permission on it:
 * NOT_FOUND when the team (or organization) is invisible to them, FORBIDDEN when visible but not allowed.
 */
export async function findTeam(ctx: RequestContext, organization: string, teamName: string, permission: TeamPermission): Promise<TeamInOrg> {
  const org = await new OrganizationService(ctx).getVisible(organization);
  const team = await ctx.em.findOne(Team, { organization: org.id, name: teamName.trim().toLowerCase() });
  if (!team) throw notFound(`No team named "${teamName}" is visible to you in "${org.name}".`);
  const permissions = await ctx.authz.requireTeam(team, org, permission);
  return { org, team, permissions };
}
