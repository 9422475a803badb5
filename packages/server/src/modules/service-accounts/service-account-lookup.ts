import type { RequestContext } from '../../graphql/context';
import type { Organization } from '../organizations/organization.entity';
import type { Team } from '../teams/team.entity';
import { ServiceAccount } from './service-account.entity';
import { TeamPermission } from '../../authz/team-permissions';
import { OrgPermission } from '../../authz/permissions';
import { notFound } from '../../errors';

export interface ManagedServiceAccount {
  serviceAccount: ServiceAccount;
  /** null for an organization service account. */
  team: Team | null;
  org: Organization;
}

/**
 * A service account by id, for the people who manage it (`Authz.requireServiceAccountManager`): NOT_FOUND when the
 * caller does not see its team (its organization, for an organization account), so ids cannot be probed; FORBIDDEN
 * when they see it but may not manage its service accounts. Shared by the service-account and API-key services,
 * neither of which imports the other.
 */
export async function findManagedServiceAccount(ctx: RequestContext, id: string): Promise<ManagedServiceAccount> {
  ctx.authz.requireUser();
  const serviceAccount = await ctx.em.findOne(ServiceAccount, { id }, { populate: ['team', 'organization'] });
  const missing = () => notFound('No service account with this id is visible to you.');
  if (!serviceAccount) throw missing();
  const team = serviceAccount.team?.getEntity() ?? null;
  const org = serviceAccount.organization.getEntity();
  const visible = team
    ? (await ctx.authz.teamPermissions(team, org)).has(TeamPermission.VIEW)
    : await ctx.authz.canOrg(org, OrgPermission.READ);
  if (!visible) throw missing();
  await ctx.authz.requireServiceAccountManager(team, org);
  return { serviceAccount, team, org };
}
