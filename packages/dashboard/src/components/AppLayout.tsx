import { Suspense, useEffect, useState } from 'react';
import { Link, NavLink, Outlet, useLocation, useNavigate } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { INSTANCE_NAV_ITEMS, NAV_ITEMS } from '../routes';
import { useClient } from '../lib/client';
import { keys, usePermissions, type ViewerUser } from '../lib/queries';
import { forgetLastOrg, useCurrentOrgName } from '../lib/current-org';
import { initials } from '../lib/format';
import { useTheme, type Theme } from '../lib/theme';
import {
  Button,
  ErrorMessage,
  Menu,
  MenuContent,
  MenuItem,
  MenuLabel,
  MenuSeparator,
  MenuTrigger,
  Spinner,
} from './ui';

/** The shell: left navigation (organization switcher, links, Teams), top bar (theme, profile menu), the screen. */
export function AppLayout({ user }: { user: ViewerUser }) {
  const org = useCurrentOrgName(user);
  const [navOpen, setNavOpen] = useState(false);
  const location = useLocation();
  // On a phone the navigation is a drawer: close it after moving elsewhere.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on navigation
  useEffect(() => setNavOpen(false), [location.pathname]);
  return (
    <div className="shell">
      <aside className={`sidebar${navOpen ? ' open' : ''}`} id="sidebar">
        <Link to="/" className="brand nav-link">
          <img src="/favicon.svg" alt="" /> Roster
        </Link>
        <OrgSwitcher current={org} />
        {org ? <OrgNav org={org} /> : null}
        {user.instanceAdmin ? <InstanceNav /> : null}
      </aside>
      <div className="main">
        <header className="topbar">
          <Button
            size="icon"
            variant="ghost"
            className="menu-toggle"
            aria-label="Navigation"
            aria-expanded={navOpen}
            aria-controls="sidebar"
            onClick={() => setNavOpen((o) => !o)}
          >
            ☰
          </Button>
          <span className="spacer" />
          <ThemeToggle />
          <ProfileMenu user={user} org={org} />
        </header>
        <main className="content" id="main">
          <Suspense fallback={<Spinner />}>
            <Outlet />
          </Suspense>
        </main>
      </div>
    </div>
  );
}

function OrgSwitcher({ current }: { current: string | null }) {
  const client = useClient();
  const navigate = useNavigate();
  const orgs = useQuery({ queryKey: ['organizations'], queryFn: () => client.organizations({ first: 100 }) });
  const currentOrg = orgs.data?.nodes.find((o) => o.name === current);
  return (
    <Menu>
      <MenuTrigger asChild>
        <Button className="btn-block">
          <span className="sr-only">Organization: </span>
          <span className="spacer" style={{ textAlign: 'left' }}>
            {currentOrg?.displayName ?? current ?? 'Choose an organization'}
          </span>
          <span aria-hidden="true">▾</span>
        </Button>
      </MenuTrigger>
      <MenuContent align="start">
        <MenuLabel>Organizations</MenuLabel>
        {orgs.error ? <ErrorMessage error={orgs.error} /> : null}
        {orgs.data?.nodes.map((o) => (
          <MenuItem key={o.id} onSelect={() => navigate(`/orgs/${encodeURIComponent(o.name)}`)}>
            {o.name === current ? '✓ ' : ''}
            {o.displayName}
            <span className="hint">{o.name}</span>
          </MenuItem>
        ))}
      </MenuContent>
    </Menu>
  );
}

function OrgNav({ org }: { org: string }) {
  const client = useClient();
  const { can } = usePermissions(org);
  const teams = useQuery({
    queryKey: keys.orgPart(org, 'nav-teams'),
    queryFn: () => client.teams({ organization: org, first: 50 }),
  });
  const mayCreate = can('TEAM_CREATE');
  return (
    <nav aria-label="Organization" className="stack">
      <div className="nav-section">
        {NAV_ITEMS.filter((i) => !i.permission || can(i.permission)).map((i) => (
          <NavLink key={i.label} to={i.to(org)} end={i.end} className="nav-link">
            {i.label}
          </NavLink>
        ))}
      </div>
      <div className="nav-section">
        <div className="nav-title" id="nav-teams">
          Teams
        </div>
        <ul aria-labelledby="nav-teams" style={{ listStyle: 'none', margin: 0, padding: 0 }}>
          {teams.data?.nodes.map((t) => (
            <li key={t.id}>
              <NavLink to={`/orgs/${encodeURIComponent(org)}/teams/${encodeURIComponent(t.name)}`} className="nav-link">
                {t.name}
              </NavLink>
            </li>
          ))}
        </ul>
        {teams.error ? <ErrorMessage error={teams.error} /> : null}
        {mayCreate ? (
          <NavLink to={`/orgs/${encodeURIComponent(org)}/teams/new`} className="nav-link" end>
            + Create new team
          </NavLink>
        ) : (
          <span
            className="nav-link muted"
            aria-disabled="true"
            title="Your role in this organization cannot create teams"
          >
            + Create new team
          </span>
        )}
      </div>
    </nav>
  );
}

/** The Instance section of the navigation (instance admins). */
function InstanceNav() {
  return (
    <nav aria-label="Instance" className="nav-section">
      <div className="nav-title">Instance</div>
      {INSTANCE_NAV_ITEMS.map((i) => (
        <NavLink key={i.to} to={i.to} className="nav-link">
          {i.label}
        </NavLink>
      ))}
    </nav>
  );
}

const NEXT_THEME: Record<Theme, Theme> = { system: 'light', light: 'dark', dark: 'system' };
const THEME_ICON: Record<Theme, string> = { system: '◐', light: '☀', dark: '☾' };

function ThemeToggle() {
  const [theme, setTheme] = useTheme();
  return (
    <Button
      variant="ghost"
      size="icon"
      aria-label={`Theme: ${theme} (switch to ${NEXT_THEME[theme]})`}
      title={`Theme: ${theme}`}
      onClick={() => setTheme(NEXT_THEME[theme])}
    >
      <span aria-hidden="true">{THEME_ICON[theme]}</span>
    </Button>
  );
}

function ProfileMenu({ user, org }: { user: ViewerUser; org: string | null }) {
  const client = useClient();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>(null);
  const signOut = async () => {
    try {
      await client.logOut();
    } catch (e) {
      setError(e);
      return;
    }
    forgetLastOrg();
    qc.clear();
    navigate('/login', { replace: true });
  };
  return (
    <>
      {error ? <ErrorMessage error={error} title="Sign out failed" /> : null}
      <Menu>
        <MenuTrigger asChild>
          <button type="button" className="avatar" data-testid="profile-menu">
            <span aria-hidden="true">{initials(user.name, user.username)}</span>
            <span className="sr-only">Profile menu of {user.name}</span>
          </button>
        </MenuTrigger>
        <MenuContent>
          <MenuLabel>
            {user.name}
            <br />
            {user.email}
          </MenuLabel>
          <MenuSeparator />
          {org ? (
            <MenuItem onSelect={() => navigate(`/orgs/${encodeURIComponent(org)}`)}>Organization dashboard</MenuItem>
          ) : null}
          <MenuItem onSelect={() => navigate('/account/api-keys')}>API keys</MenuItem>
          <MenuSeparator />
          <MenuItem onSelect={signOut}>Sign out</MenuItem>
        </MenuContent>
      </Menu>
    </>
  );
}
