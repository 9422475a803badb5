import { useMatch } from 'react-router';
import type { ViewerUser } from './queries';

const LAST_ORG_KEY = 'roster.lastOrganization';

/**
 * The organization the shell is showing: the one in the URL (/orgs/:org/…), else the last one visited, else the
 * user's default organization, else their first membership.
 */
export function useCurrentOrgName(user: ViewerUser): string | null {
  const match = useMatch('/orgs/:org/*');
  const fromUrl = match?.params.org;
  if (fromUrl) {
    window.localStorage.setItem(LAST_ORG_KEY, fromUrl);
    return fromUrl;
  }
  return defaultOrgName(user);
}

export function defaultOrgName(user: ViewerUser): string | null {
  const names = user.memberships.nodes.filter((m) => m.status === 'ACTIVE').map((m) => m.organization.name);
  const last = window.localStorage.getItem(LAST_ORG_KEY);
  if (last && (names.includes(last) || user.instanceAdmin)) return last;
  return user.defaultOrganization?.name ?? names[0] ?? null;
}

export function forgetLastOrg(): void {
  window.localStorage.removeItem(LAST_ORG_KEY);
}
