/**
 * THE ROUTE REGISTRY. Every screen of the dashboard is one line here; each loads on demand (its own chunk, so the
 * first screen stays small). Screens live in src/screens/<area>/. To add one: write the screen (a default export),
 * add a line below, and, if it belongs in the left navigation, a line in NAV_ITEMS.
 *
 * layout 'public': no session needed, no shell (sign in, sign up, accept invitation).
 * layout 'app': needs a session; rendered inside the shell (left navigation, top bar, profile menu). Paths under
 * /orgs/:org/ read the organization with useOrgName() / useOrganization() / usePermissions() (src/lib/queries.ts).
 */
import { lazy, type ComponentType, type LazyExoticComponent } from 'react';
import type { OrganizationPermission } from '@roster/sdk';

export interface ScreenRoute {
  /** A react-router path pattern, e.g. '/orgs/:org/teams/:team'. */
  path: string;
  layout: 'public' | 'app';
  screen: LazyExoticComponent<ComponentType>;
}

export const ROUTES: ScreenRoute[] = [
  // ---- Accounts and sessions ----
  { path: '/login', layout: 'public', screen: lazy(() => import('./screens/auth/SignIn')) },
  { path: '/signup', layout: 'public', screen: lazy(() => import('./screens/auth/SignUp')) },
  // The link in invitation emails (`/invite?token=…`): the server serves the dashboard there.
  { path: '/invite', layout: 'public', screen: lazy(() => import('./screens/auth/AcceptInvitation')) },
  { path: '/', layout: 'app', screen: lazy(() => import('./screens/common/Home')) },
  { path: '/account/api-keys', layout: 'app', screen: lazy(() => import('./screens/account/ApiKeys')) },

  // ---- Organization ----
  { path: '/orgs/:org', layout: 'app', screen: lazy(() => import('./screens/org/OrgDashboard')) },

  // ---- Teams (the Teams screens are built on this scaffold; these are their places) ----
  { path: '/orgs/:org/teams/new', layout: 'app', screen: lazy(() => import('./screens/teams/CreateTeam')) },
  { path: '/orgs/:org/teams/:team/*', layout: 'app', screen: lazy(() => import('./screens/teams/TeamHome')) },

  // ---- Administration (custom roles, audit log, instance settings) go here ----
  { path: '/orgs/:org/roles', layout: 'app', screen: lazy(() => import('./screens/admin/CustomRoles')) },
  { path: '/orgs/:org/audit-log', layout: 'app', screen: lazy(() => import('./screens/admin/AuditLog')) },
  { path: '/admin/settings', layout: 'app', screen: lazy(() => import('./screens/admin/InstanceSettings')) },
  { path: '/admin/audit-log', layout: 'app', screen: lazy(() => import('./screens/admin/InstanceAuditLog')) },

  { path: '*', layout: 'app', screen: lazy(() => import('./screens/common/NotFound')) },
];

/**
 * Links of the left navigation's organization section. `to` gets the organization's name; `permission` hides the
 * link from people who hold no such permission (from viewerPermissions, never from role names).
 */
export interface NavItem {
  label: string;
  to: (org: string) => string;
  /** Exact match for the active style (the dashboard itself), else prefix. */
  end?: boolean;
  permission?: OrganizationPermission;
}

export const NAV_ITEMS: NavItem[] = [
  { label: 'Organization dashboard', to: (org) => `/orgs/${encodeURIComponent(org)}`, end: true },
  // Everyone may read custom roles (they explain team roles); only CUSTOM_ROLE_MANAGE changes them.
  { label: 'Custom roles', to: (org) => `/orgs/${encodeURIComponent(org)}/roles` },
  { label: 'Audit log', to: (org) => `/orgs/${encodeURIComponent(org)}/audit-log`, permission: 'AUDIT_LOG_READ' },
];

/** Links of the navigation's Instance section, shown to instance admins (User.instanceAdmin) only. */
export const INSTANCE_NAV_ITEMS: { label: string; to: string }[] = [
  { label: 'Instance settings', to: '/admin/settings' },
  { label: 'Instance audit log', to: '/admin/audit-log' },
];
