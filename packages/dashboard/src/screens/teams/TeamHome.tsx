import { useState } from 'react';
import { NavLink, Route, Routes, useParams } from 'react-router';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useClient } from '../../lib/client';
import { useOrgName } from '../../lib/queries';
import { formatDate, initials, timeAgo } from '../../lib/format';
import { TableWrap } from '../../components/TableWrap';
import { Button, ErrorMessage, Spinner } from '../../components/ui';
import { teamCan, teamKeys, teamPath, useTeam, type Team } from './team-data';
import TeamSettings from './TeamSettings';

/** A team's home: projects, runs and reports, and the Settings tab (members, service accounts, settings…). */
export default function TeamHome() {
  const org = useOrgName();
  const teamName = useParams().team ?? '';
  const team = useTeam(org, teamName);
  if (team.isPending) return <Spinner />;
  if (team.error) return <ErrorMessage error={team.error} title={`Could not load team ${teamName}`} />;
  const t = team.data;
  return (
    <div className="stack">
      <div className="row team-header">
        <TeamAvatar team={t} />
        <div className="spacer">
          <h1 style={{ margin: 0 }}>{t.name}</h1>
          <span className="hint">
            {t.organization.displayName} · created {formatDate(t.createdAt)} · storage{' '}
            {t.storage.kind === 'MANAGED' ? 'managed' : `${t.storage.provider ?? ''} bucket ${t.storage.bucket ?? ''}`}
            {t.settings.hidden ? ' · hidden team' : ''}
          </span>
        </div>
      </div>
      <nav aria-label="Team" className="tabs">
        <NavLink to={teamPath(org, t.name)} end className="tab">
          Overview
        </NavLink>
        <NavLink to={teamPath(org, t.name, '/settings')} className="tab">
          Settings
        </NavLink>
      </nav>
      <Routes>
        <Route index element={<TeamOverview org={org} team={t} />} />
        <Route path="settings/*" element={<TeamSettings org={org} team={t} />} />
      </Routes>
    </div>
  );
}

export function TeamAvatar({ team, size = 48 }: { team: Team; size?: number }) {
  const [broken, setBroken] = useState(false);
  const style = { width: size, height: size, borderRadius: 10, fontSize: size / 2.6 };
  if (team.avatarUrl && !broken) {
    return <img src={team.avatarUrl} alt="" style={style} className="team-avatar" onError={() => setBroken(true)} />;
  }
  return (
    <span className="team-avatar" style={style} aria-hidden="true">
      {initials(team.name.replace(/[-_]/g, ' '))}
    </span>
  );
}

function TeamOverview({ org, team }: { org: string; team: Team }) {
  const can = teamCan(team);
  const [project, setProject] = useState<string | null>(null);
  return (
    <div className="stack">
      {!can('TEAM_READ') ? (
        <p className="notice">You are not in this team: only its public projects and reports are shown.</p>
      ) : null}
      <section className="card stack" aria-labelledby="projects-title">
        <h2 id="projects-title">Projects</h2>
        <ProjectsTable org={org} team={team.name} selected={project} onSelect={setProject} />
      </section>
      {project ? (
        <section className="card stack" aria-labelledby="runs-title">
          <div className="row">
            <h2 id="runs-title" className="spacer" style={{ margin: 0 }}>
              Runs of {project}
            </h2>
            <Button variant="ghost" onClick={() => setProject(null)}>
              Close
            </Button>
          </div>
          <RunsTable org={org} team={team.name} project={project} />
        </section>
      ) : null}
      <section className="card stack" aria-labelledby="reports-title">
        <h2 id="reports-title">Reports</h2>
        <ReportsTable org={org} team={team.name} />
      </section>
    </div>
  );
}

const PAGE = 25;

function ProjectsTable({
  org,
  team,
  selected,
  onSelect,
}: {
  org: string;
  team: string;
  selected: string | null;
  onSelect: (p: string) => void;
}) {
  const client = useClient();
  const q = useInfiniteQuery({
    queryKey: teamKeys.part(org, team, 'projects'),
    queryFn: ({ pageParam }) =>
      client.projects({ organization: org, team, first: PAGE, ...(pageParam ? { after: pageParam } : {}) }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => (last.pageInfo.hasNextPage ? last.pageInfo.endCursor : null),
  });
  if (q.isPending) return <Spinner />;
  if (q.error) return <ErrorMessage error={q.error} />;
  const rows = q.data.pages.flatMap((p) => p.nodes);
  return (
    <>
      <TableWrap label="Projects">
        <table className="data" aria-label="Projects">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Visibility</th>
              <th scope="col">Runs</th>
              <th scope="col">Created by</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 ? (
              <tr>
                <td colSpan={5} className="muted">
                  No projects yet. Projects appear here when runs are logged with the SDK.
                </td>
              </tr>
            ) : null}
            {rows.map((p) => (
              <tr key={p.id} aria-selected={selected === p.name || undefined}>
                <td>
                  <button type="button" className="link-btn" onClick={() => onSelect(p.name)}>
                    {p.name}
                  </button>
                </td>
                <td>
                  <span className="badge">{p.visibility}</span>
                </td>
                <td>{p.runCount}</td>
                <td>{p.createdByUsername}</td>
                <td>{formatDate(p.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      <MoreButton q={q} total={q.data.pages[0]?.totalCount ?? 0} shown={rows.length} />
    </>
  );
}

function RunsTable({ org, team, project }: { org: string; team: string; project: string }) {
  const client = useClient();
  const q = useInfiniteQuery({
    queryKey: teamKeys.part(org, team, `runs:${project}`),
    queryFn: ({ pageParam }) =>
      client.runs({ organization: org, team, project, first: PAGE, ...(pageParam ? { after: pageParam } : {}) }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => (last.pageInfo.hasNextPage ? last.pageInfo.endCursor : null),
  });
  if (q.isPending) return <Spinner />;
  if (q.error) return <ErrorMessage error={q.error} />;
  const rows = q.data.pages.flatMap((p) => p.nodes);
  return (
    <>
      <TableWrap label={`Runs of ${project}`}>
        <table className="data" aria-label={`Runs of ${project}`}>
          <thead>
            <tr>
              <th scope="col">Run</th>
              <th scope="col">By</th>
              <th scope="col">Logged by</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 ? (
              <tr>
                <td colSpan={4} className="muted">
                  No runs.
                </td>
              </tr>
            ) : null}
            {rows.map((r) => (
              <tr key={r.id}>
                <td>{r.name}</td>
                <td>{r.createdByUsername}</td>
                <td>{r.loggedByName ?? '—'}</td>
                <td title={r.createdAt}>{timeAgo(r.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      <MoreButton q={q} total={q.data.pages[0]?.totalCount ?? 0} shown={rows.length} />
    </>
  );
}

function ReportsTable({ org, team }: { org: string; team: string }) {
  const client = useClient();
  const q = useInfiniteQuery({
    queryKey: teamKeys.part(org, team, 'reports'),
    queryFn: ({ pageParam }) =>
      client.reports({ organization: org, team, first: PAGE, ...(pageParam ? { after: pageParam } : {}) }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => (last.pageInfo.hasNextPage ? last.pageInfo.endCursor : null),
  });
  if (q.isPending) return <Spinner />;
  if (q.error) return <ErrorMessage error={q.error} />;
  const rows = q.data.pages.flatMap((p) => p.nodes);
  return (
    <>
      <TableWrap label="Reports">
        <table className="data" aria-label="Reports">
          <thead>
            <tr>
              <th scope="col">Title</th>
              <th scope="col">Project</th>
              <th scope="col">Author</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 ? (
              <tr>
                <td colSpan={4} className="muted">
                  No reports yet.
                </td>
              </tr>
            ) : null}
            {rows.map((r) => (
              <tr key={r.id}>
                <td>{r.title}</td>
                <td>{r.project?.name ?? '—'}</td>
                <td>{r.createdByUsername ?? r.loggedByName ?? '—'}</td>
                <td>{formatDate(r.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      <MoreButton q={q} total={q.data.pages[0]?.totalCount ?? 0} shown={rows.length} />
    </>
  );
}

interface Paged {
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => unknown;
  error: unknown;
}

export function MoreButton({ q, total, shown }: { q: Paged; total: number; shown: number }) {
  return (
    <div className="row">
      <span className="hint">
        {shown} of {total}
      </span>
      {q.hasNextPage ? (
        <Button busy={q.isFetchingNextPage} onClick={() => void q.fetchNextPage()}>
          Load more
        </Button>
      ) : null}
    </div>
  );
}
