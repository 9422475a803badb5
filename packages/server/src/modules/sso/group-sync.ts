import { ref } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Team } from '../teams/team.entity';
import { TeamMembership } from '../teams/team-membership.entity';
import { teamsLeftWithoutAdmin } from '../teams/team-admins';
import { Membership } from '../organizations/membership.entity';
import { teamRoleAllowedFor } from '../../authz/team-admins';
import { TEAM_ADMIN_ROLE, TeamRole } from '../../authz/team-permissions';
import { MemberStatus, type OrgRole } from '../../authz/roles';
import { AuditAction, type AuditInput } from '../audit/audit.service';
import type { User } from '../accounts/user.entity';
import type { GroupMapping, TeamRoleName } from './sso-settings';

const TEAM_ROLE_OF: Record<TeamRoleName, TeamRole> = {
  ADMIN: TeamRole.ADMIN,
  MEMBER: TeamRole.MEMBER,
  VIEWER: TeamRole.VIEW_ONLY,
};
const RANK: Record<string, number> = { [TeamRole.ADMIN]: 3, [TeamRole.MEMBER]: 2, [TeamRole.VIEW_ONLY]: 1 };

export interface SyncSummary {
  added: number;
  changed: number;
  removed: number;
  keptLastAdmin: number;
}

interface Wanted {
  team: Team;
  role: TeamRole;
  groups: string[];
}

/**
 * Group-to-team sync (Grafana's team-sync rule): the memberships the identity provider manages (`managedByIdp`) are
 * made to match the mappings of the groups the user has now: added, role changed, or removed. A membership added by
 * hand is never touched, even when a mapping names its team. A team's last effective admin is never removed or demoted
 * by sync: the membership is kept as it is and `team.sso_sync_kept_last_admin` is recorded. Organization roles are
 * never changed by sync, so it cannot leave an organization without an admin. Only organizations where the user is an
 * ACTIVE member are synced; the mapped role is capped by the organization role (an organization VIEWER is VIEW_ONLY).
 * Call in the sign-in's transaction: the user's teams are row-locked in id order, like every multi-team change.
 */
export async function syncTeamsFromGroups(
  em: EntityManager,
  user: User,
  groups: readonly string[],
  mappings: readonly GroupMapping[],
  audit: (input: AuditInput) => void,
): Promise<SyncSummary> {
  const summary: SyncSummary = { added: 0, changed: 0, removed: 0, keptLastAdmin: 0 };
  // Group names compare case-insensitively: directories and IdPs differ in case rules.
  const have = new Set(groups.map((g) => g.toLowerCase()));
  const relevant = mappings.filter((m) => have.has(m.group.toLowerCase()));

  const orgRoles = new Map<string, OrgRole>(
    (
      await em.find(Membership, { user: user.id, status: MemberStatus.ACTIVE }, { fields: ['organization', 'role'] })
    ).map((m) => [m.organization.id, m.role]),
  );
  const teams = relevant.length
    ? await em.find(
        Team,
        {
          $or: relevant.map((m) => ({
            name: m.team.trim().toLowerCase(),
            organization: { name: m.organization.trim().toLowerCase() },
          })),
        },
        { populate: ['organization'] },
      )
    : [];
  const wanted = new Map<string, Wanted>();
  for (const m of relevant) {
    const team = teams.find(
      (t) =>
        t.name === m.team.trim().toLowerCase() &&
        t.organization.getEntity().name === m.organization.trim().toLowerCase(),
    );
    const orgRole = team ? orgRoles.get(team.organization.id) : undefined;
    if (!team || !orgRole) continue;
    const role = teamRoleAllowedFor(orgRole, TEAM_ROLE_OF[m.role]);
    const prev = wanted.get(team.id);
    if (!prev || RANK[role]! > RANK[prev.role]!)
      wanted.set(team.id, { team, role, groups: [...(prev?.groups ?? []), m.group] });
    else prev.groups.push(m.group);
  }

  const managedTeamIds = (
    await em.find(TeamMembership, { user: user.id, managedByIdp: true, scimToken: null }, { fields: ['team'] })
  ).map((tm) => tm.team.id);
  const teamIds = [...new Set([...wanted.keys(), ...managedTeamIds])].sort();
  if (teamIds.length === 0) return summary;
  await em.execute('select id from teams where id in (?) order by id for update', [teamIds]);
  const current = await em.find(
    TeamMembership,
    { user: user.id, team: { $in: teamIds } },
    { populate: ['team', 'team.organization'], refresh: true },
  );
  const byTeam = new Map(current.map((tm) => [tm.team.id, tm]));
  const target = { type: 'user', id: user.id, label: user.username };
  const keep = async (tm: TeamMembership, want: TeamRole | null): Promise<boolean> => {
    const team = tm.team.getEntity();
    if (tm.role !== TEAM_ADMIN_ROLE || want === TEAM_ADMIN_ROLE) return false;
    const orphaned = await teamsLeftWithoutAdmin(em, team.organization.id, [team], user.id);
    if (orphaned.length === 0) return false;
    summary.keptLastAdmin++;
    audit({
      action: AuditAction.SSO_SYNC_KEPT_LAST_ADMIN,
      organizationId: team.organization.id,
      target,
      metadata: { team: team.name, role: tm.role, wanted: want, cause: 'sso_group_sync' },
    });
    return true;
  };

  for (const [teamId, w] of wanted) {
    const tm = byTeam.get(teamId);
    const orgId = w.team.organization.id;
    if (!tm) {
      em.create(TeamMembership, {
        team: ref(w.team),
        user: ref(user),
        role: w.role,
        managedByIdp: true,
        addedById: null,
      });
      summary.added++;
      audit({
        action: AuditAction.TEAM_MEMBER_ADDED,
        organizationId: orgId,
        target,
        metadata: { team: w.team.name, role: w.role, cause: 'sso_group_sync', groups: w.groups },
      });
      continue;
    }
    // Added by hand, or provisioned through SCIM: group sync does not own it.
    if (!tm.managedByIdp || tm.scimToken || tm.role === w.role) continue;
    if (await keep(tm, w.role)) continue;
    const from = tm.role;
    tm.role = w.role;
    tm.customRole = null;
    summary.changed++;
    audit({
      action: AuditAction.TEAM_MEMBER_ROLE_CHANGED,
      organizationId: orgId,
      target,
      metadata: { team: w.team.name, from, to: w.role, customRole: null, cause: 'sso_group_sync', groups: w.groups },
    });
  }
  for (const tm of current) {
    if (!tm.managedByIdp || tm.scimToken || wanted.has(tm.team.id)) continue;
    if (await keep(tm, null)) continue;
    const team = tm.team.getEntity();
    em.remove(tm);
    summary.removed++;
    audit({
      action: AuditAction.TEAM_MEMBER_REMOVED,
      organizationId: team.organization.id,
      target,
      metadata: { team: team.name, role: tm.role, cause: 'sso_group_sync' },
    });
  }
  return summary;
}
