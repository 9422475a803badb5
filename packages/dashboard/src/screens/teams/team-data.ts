import { useQuery } from '@tanstack/react-query';
import { NotFoundError, type RosterClient, type TeamPermission } from '@roster/sdk';
import { useClient } from '../../lib/client';

export type Team = Awaited<ReturnType<RosterClient['team']>>;
export type TeamMemberRow = Awaited<ReturnType<RosterClient['teamMembers']>>['nodes'][number];

/** Query keys of one team (under the organization's, so invalidating the organization refreshes them too). */
export const teamKeys = {
  team: (org: string, team: string) => ['org', org, 'team', team] as const,
  part: (org: string, team: string, part: string) => ['org', org, 'team', team, part] as const,
};

/** One team with its settings, storage and the viewer's permissions on it. */
export function useTeam(org: string, team: string) {
  const client = useClient();
  return useQuery({
    queryKey: teamKeys.team(org, team),
    queryFn: () => client.team({ organization: org, team }),
    retry: (count, error) => !(error instanceof NotFoundError) && count < 1,
  });
}

/** What the viewer may do on a team, from Team.viewerPermissions (never from role names). */
export function teamCan(team: Team | undefined) {
  const granted = new Set<TeamPermission>(team?.viewerPermissions ?? []);
  return (permission: TeamPermission) => granted.has(permission);
}

export const TEAM_ROLE_LABEL: Record<string, string> = {
  ADMIN: 'Admin',
  MEMBER: 'Member',
  VIEW_ONLY: 'View-Only',
  SERVICE: 'Service',
};

export function teamPath(org: string, team: string, rest = ''): string {
  return `/orgs/${encodeURIComponent(org)}/teams/${encodeURIComponent(team)}${rest}`;
}
