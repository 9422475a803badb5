import type { EntityManager } from '@mikro-orm/postgresql';
import { TeamMembership } from './team-membership.entity';
import { isEffectiveTeamAdmin, teamRoleAllowedFor } from '../../authz/team-admins';
import { TEAM_ADMIN_ROLE, type TeamRole } from '../../authz/team-permissions';
import type { MemberStatus, OrgRole } from '../../authz/roles';
import { AuditAction, type AuditInput } from '../audit/audit.service';
import { AppError, ErrorCode } from '../../errors';
import type { Organization } from '../organizations/organization.entity';
import type { User } from '../accounts/user.entity';

/**
 * The teams (of `teams`) that would be left without an effective team admin (authz/team-admins.ts) if
 * `userId` stopped being one. Teams where `userId` is not an effective admin are never listed: their change
 * takes no admin away. Reads the committed rows through `em`; call it inside the transaction that holds the
 * teams' row locks, so a concurrent change to the same team waits instead of both passing.
 */
export async function teamsLeftWithoutAdmin<T extends { id: string }>(
  em: EntityManager,
  organizationId: string,
  teams: readonly T[],
  userId: string,
): Promise<T[]> {
  if (teams.length === 0) return [];
  // Only ADMIN rows can count; the rule itself (status, organization role) is applied in isEffectiveTeamAdmin.
  const rows: Array<{
    team_id: string;
    user_id: string;
    team_role: TeamRole;
    org_role: OrgRole;
    org_status: MemberStatus;
  }> = await em.execute(
    `select tm.team_id, tm.user_id, tm.role as team_role, m.role as org_role, m.status as org_status
       from team_memberships tm
       join org_memberships m on m.user_id = tm.user_id and m.organization_id = ?
      where tm.team_id in (?) and tm.role = ?`,
    [organizationId, teams.map((t) => t.id), TEAM_ADMIN_ROLE],
  );
  const admins = rows.filter((r) =>
    isEffectiveTeamAdmin({ teamRole: r.team_role, orgRole: r.org_role, orgStatus: r.org_status }),
  );
  return teams.filter((t) => {
    const ofTeam = admins.filter((a) => a.team_id === t.id);
    return ofTeam.some((a) => a.user_id === userId) && ofTeam.every((a) => a.user_id === userId);
  });
}

/**
 * When `user`'s organization role becomes `orgRole`, brings each of their team memberships in the
 * organization within what that role may hold (an organization VIEWER: VIEW_ONLY, keeping a VIEW_ONLY-based
 * custom role, dropping a MEMBER-based one). Call inside the role change's transaction, with the organization
 * locked. Locks the user's teams (in id order, like any other multi-team lock, so it cannot deadlock with a
 * team change) and refuses with LAST_ADMIN, naming the teams, when a team would lose its last effective admin:
 * the same rule `updateTeamMemberRole` applies, for every caller. One `team.member_role_changed` audit event
 * per changed team membership (with `cause`), so a team's history reads the same whichever way a role changed.
 */
export async function capTeamRoles(
  em: EntityManager,
  org: Organization,
  user: User,
  orgRole: OrgRole,
  audit: (input: AuditInput) => void,
): Promise<void> {
  const locked: Array<{ id: string }> = await em.execute(
    `select t.id from teams t
      where t.organization_id = ? and exists (select 1 from team_memberships tm where tm.team_id = t.id and ` +
      `tm.user_id = ?)
      order by t.id for update`,
    [org.id, user.id],
  );
  if (locked.length === 0) return;
  // refresh: the request's identity map may hold these rows from before the locks were taken.
  const memberships = await em.find(
    TeamMembership,
    { user: user.id, team: { $in: locked.map((t) => t.id) } },
    { populate: ['team', 'customRole'], orderBy: { team: { name: 'asc' } }, refresh: true },
  );
  const changes = memberships
    .map((tm) => ({ tm, team: tm.team.getEntity(), to: teamRoleAllowedFor(orgRole, tm.role) }))
    .filter((c) => c.to !== c.tm.role);
  const orphaned = await teamsLeftWithoutAdmin(
    em,
    org.id,
    changes.filter((c) => c.tm.role === TEAM_ADMIN_ROLE).map((c) => c.team),
    user.id,
  );
  if (orphaned.length) {
    const names = orphaned.map((t) => `"${t.name}"`).join(', ');
    throw new AppError(
      ErrorCode.LAST_ADMIN,
      `${user.username} is the last admin of team ${names}; as an organization ${orgRole} they could only be ` +
        `VIEW_ONLY there. Make someone else ADMIN of ${orphaned.length > 1 ? 'each team' : 'that team'} first.`,
      { details: { teams: orphaned.map((t) => t.name) } },
    );
  }
  for (const { tm, team, to } of changes) {
    const from = { role: tm.role, customRole: tm.customRole?.getEntity().name ?? null };
    tm.role = to;
    // A custom role builds on its base role: once the base changes, the custom role no longer applies.
    tm.customRole = null;
    audit({
      action: AuditAction.TEAM_MEMBER_ROLE_CHANGED,
      organizationId: org.id,
      target: { type: 'user', id: user.id, label: user.username },
      metadata: {
        team: team.name,
        from: from.role,
        to,
        customRole: null,
        fromCustomRole: from.customRole,
        cause: { action: AuditAction.MEMBER_ROLE_CHANGED, orgRole },
      },
    });
  }
}
