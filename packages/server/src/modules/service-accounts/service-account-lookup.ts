import type { RequestContext } from '../../graphql/context';
import type { Organization } from '../organizations/organization.entity';
import type { Team } from '../teams/team.entity';
import { ServiceAccount } from './service-account.entity';
import { TeamPermission } from '../../authz/team-permissions';
import { notFound } from '../../errors';

export interface ManagedServiceAccount {
  serviceAccount: ServiceAccount;
  team: Team;
  org: Organization;
}

/**
 * A service account by id, for the people who manage it (`Authz.requireServiceAccountManager`): NOT_FOUND when the
 * caller does not see its team (so ids cannot be probed), FORBIDDEN when they see the team but may not manage its
 * service accounts. Shared by the service-account and API-key services, neither of which imports the other.
 */
export async function findManagedServiceAccount(ctx: RequestContext, id: string): Promise<ManagedServiceAccount> {
  ctx.authz.requireUser();
  const serviceAccount = await ctx.em.findOne(ServiceAccount, { id }, { populate: ['team', 'organization'] });
  const missing = () => notFound('No service account with this id is visible to you.');
  if (!serviceAccount) throw missing();
  const team = serviceAccount.team.getEntity();
  const org = serviceAccount.organization.getEntity();
  if (!(await ctx.authz.teamPermissions(team, org)).has(TeamPermission.VIEW)) throw missing();
  await ctx.authz.requireServiceAccountManager(team, org);
  return { serviceAccount, team, org };
}
