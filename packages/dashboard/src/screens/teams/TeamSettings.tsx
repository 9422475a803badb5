import { useState, type FormEvent } from 'react';
import { NavLink, Route, Routes, useNavigate } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { AlertChannel } from '@roster/sdk';
import { useClient } from '../../lib/client';
import { keys } from '../../lib/queries';
import { Button, ErrorMessage, Spinner } from '../../components/ui';
import { Tile } from '../../components/Tile';
import { TEAM_ROLE_LABEL, teamCan, teamKeys, teamPath, type Team } from './team-data';
import TeamMembers from './TeamMembers';
import TeamServiceAccounts from './TeamServiceAccounts';
import { TeamAvatar } from './TeamHome';

/** The team's Settings tab: Members, Service accounts, General (avatar, privacy, alerts), Usage, Delete team. */
export default function TeamSettings({ org, team }: { org: string; team: Team }) {
  const base = teamPath(org, team.name, '/settings');
  return (
    <div className="settings-layout">
      <nav aria-label="Team settings" className="subnav">
        <NavLink to={base} end className="nav-link">
          Members
        </NavLink>
        <NavLink to={`${base}/service-accounts`} className="nav-link">
          Service accounts
        </NavLink>
        <NavLink to={`${base}/general`} className="nav-link">
          Avatar, privacy and alerts
        </NavLink>
        <NavLink to={`${base}/usage`} className="nav-link">
          Usage
        </NavLink>
        <NavLink to={`${base}/delete`} className="nav-link">
          Delete team
        </NavLink>
      </nav>
      <div className="settings-body">
        <Routes>
          <Route index element={<TeamMembers org={org} team={team} />} />
          <Route path="service-accounts" element={<TeamServiceAccounts org={org} team={team} />} />
          <Route path="general" element={<GeneralSettings org={org} team={team} />} />
          <Route path="usage" element={<TeamUsage org={org} team={team} />} />
          <Route path="delete" element={<DeleteTeam org={org} team={team} />} />
        </Routes>
      </div>
    </div>
  );
}

const CHANNELS: AlertChannel[] = ['EMAIL', 'SLACK'];

function GeneralSettings({ org, team }: { org: string; team: Team }) {
  const client = useClient();
  const qc = useQueryClient();
  const can = teamCan(team);
  const mayUpdate = can('TEAM_UPDATE');
  const reason = mayUpdate ? null : 'Your role in this team cannot change its settings';
  const s = team.settings;
  const [avatarUrl, setAvatarUrl] = useState(team.avatarUrl ?? '');
  const [hidden, setHidden] = useState(s.hidden);
  const [privateProjects, setPrivateProjects] = useState(s.projectsPrivateByDefault);
  const [publicReports, setPublicReports] = useState(s.publicReportsAllowed);
  const [membersCanInvite, setMembersCanInvite] = useState(s.membersCanInvite);
  const [runFinished, setRunFinished] = useState<AlertChannel[]>(s.alerts.runFinished);
  const [runCrashed, setRunCrashed] = useState<AlertChannel[]>(s.alerts.runCrashed);
  const [slackChannel, setSlackChannel] = useState(s.alerts.slackChannel ?? '');
  const save = useMutation({
    mutationFn: () =>
      client.updateTeam({
        organization: org,
        team: team.name,
        avatarUrl: avatarUrl.trim() ? avatarUrl.trim() : null,
        settings: {
          hidden,
          projectsPrivateByDefault: privateProjects,
          publicReportsAllowed: publicReports,
          membersCanInvite,
          alerts: { runFinished, runCrashed, slackChannel: slackChannel.trim() ? slackChannel.trim() : null },
        },
      }),
    onSuccess: () => qc.invalidateQueries({ queryKey: teamKeys.team(org, team.name) }),
  });
  const toggle = (list: AlertChannel[], c: AlertChannel, on: boolean) =>
    on ? [...list.filter((x) => x !== c), c] : list.filter((x) => x !== c);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (mayUpdate) save.mutate();
  };
  return (
    <form className="stack" onSubmit={submit}>
      <fieldset className="card stack fieldset" disabled={!mayUpdate}>
        <legend>Avatar</legend>
        <div className="row">
          <TeamAvatar team={team} size={40} />
          <div className="field spacer">
            <label htmlFor="team-avatar">Image URL (https; empty removes it)</label>
            <input
              id="team-avatar"
              type="text"
              inputMode="url"
              value={avatarUrl}
              placeholder="https://example.com/logo.png"
              onChange={(e) => setAvatarUrl(e.target.value)}
            />
          </div>
        </div>
      </fieldset>
      <fieldset className="card stack fieldset" disabled={!mayUpdate}>
        <legend>Privacy</legend>
        <label className="check">
          <input type="checkbox" checked={hidden} onChange={(e) => setHidden(e.target.checked)} /> Hidden team
          <span className="hint">— organization members outside the team do not see it</span>
        </label>
        <label className="check">
          <input type="checkbox" checked={privateProjects} onChange={(e) => setPrivateProjects(e.target.checked)} /> New
          projects are private by default
        </label>
        <label className="check">
          <input type="checkbox" checked={publicReports} onChange={(e) => setPublicReports(e.target.checked)} /> Reports
          of public projects may be shown outside the team
        </label>
      </fieldset>
      <fieldset className="card stack fieldset" disabled={!mayUpdate}>
        <legend>Members</legend>
        <label className="check">
          <input type="checkbox" checked={membersCanInvite} onChange={(e) => setMembersCanInvite(e.target.checked)} />{' '}
          Members may invite <span className="hint">— team Members may add organization members to the team</span>
        </label>
      </fieldset>
      <fieldset className="card stack fieldset" disabled={!mayUpdate}>
        <legend>Alerts</legend>
        <table className="data compact" aria-label="Alert channels">
          <thead>
            <tr>
              <th scope="col">Event</th>
              {CHANNELS.map((c) => (
                <th scope="col" key={c}>
                  {c === 'EMAIL' ? 'Email' : 'Slack'}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {(
              [
                ['Run finished', runFinished, setRunFinished],
                ['Run crashed', runCrashed, setRunCrashed],
              ] as const
            ).map(([label, list, set]) => (
              <tr key={label}>
                <th scope="row">{label}</th>
                {CHANNELS.map((c) => (
                  <td key={c}>
                    <input
                      type="checkbox"
                      aria-label={`${label}: ${c === 'EMAIL' ? 'email' : 'Slack'}`}
                      checked={list.includes(c)}
                      onChange={(e) => set(toggle(list, c, e.target.checked))}
                    />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        <div className="field">
          <label htmlFor="slack-channel">Slack channel (needed for Slack alerts)</label>
          <input
            id="slack-channel"
            type="text"
            value={slackChannel}
            placeholder="#ml-alerts"
            onChange={(e) => setSlackChannel(e.target.value)}
          />
        </div>
      </fieldset>
      <ErrorMessage error={save.error} title="Could not save the settings" />
      <p className="hint" role="status">
        {save.isSuccess ? 'Settings saved.' : save.isPending ? 'Saving…' : ''}
      </p>
      <div className="row">
        <Button type="submit" variant="primary" busy={save.isPending} disabled={!mayUpdate} disabledReason={reason}>
          Save settings
        </Button>
      </div>
    </form>
  );
}

function TeamUsage({ org, team }: { org: string; team: Team }) {
  const client = useClient();
  const usage = useQuery({
    queryKey: teamKeys.part(org, team.name, 'usage'),
    queryFn: () => client.teamUsage({ organization: org, team: team.name }),
  });
  if (usage.isPending) return <Spinner />;
  if (usage.error) return <ErrorMessage error={usage.error} />;
  const u = usage.data.usage;
  return (
    <div className="stack">
      {usage.data.warnings.map((w) => (
        <p key={w.code} className="notice" role="note">
          <strong>{w.code}</strong>: {w.message}
        </p>
      ))}
      {!u ? (
        <p className="notice">Usage is shown to those who may list the team's members.</p>
      ) : (
        <>
          <div className="tiles">
            <Tile label="Projects" value={u.projects} />
            <Tile label="Runs" value={u.runs} />
            <Tile label="Runs in the last 30 days" value={u.runsLast30Days} />
            <Tile label="Reports" value={u.reports} />
            <Tile label="Members active in 30 days" value={u.activeMembersLast30Days} />
          </div>
          <div className="card">
            <h2>Members by role</h2>
            <dl className="dl">
              {u.membersByRole.map((r) => (
                <div key={r.role}>
                  <dt>{TEAM_ROLE_LABEL[r.role] ?? r.role}</dt>
                  <dd>{r.count}</dd>
                </div>
              ))}
            </dl>
          </div>
        </>
      )}
    </div>
  );
}

function DeleteTeam({ org, team }: { org: string; team: Team }) {
  const client = useClient();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const can = teamCan(team);
  const [typed, setTyped] = useState('');
  const del = useMutation({
    mutationFn: () => client.deleteTeam({ organization: org, team: team.name, confirmName: typed }),
    onSuccess: async () => {
      qc.removeQueries({ queryKey: teamKeys.team(org, team.name) });
      await qc.invalidateQueries({ queryKey: keys.orgPart(org, 'nav-teams') });
      navigate(`/orgs/${encodeURIComponent(org)}`);
    },
  });
  const mayDelete = can('TEAM_DELETE');
  const matches = typed === team.name;
  return (
    <form
      className="card stack danger-zone"
      onSubmit={(e) => {
        e.preventDefault();
        if (mayDelete && matches) del.mutate();
      }}
    >
      <h2>Delete team</h2>
      <p>
        Deleting <strong>{team.name}</strong> deletes its projects, runs, reports and service accounts. This cannot be
        undone.
      </p>
      <div className="field">
        <label htmlFor="confirm-team-name">Type the team name ({team.name}) to confirm</label>
        <input
          id="confirm-team-name"
          type="text"
          autoComplete="off"
          value={typed}
          disabled={!mayDelete}
          onChange={(e) => setTyped(e.target.value)}
        />
      </div>
      <ErrorMessage error={del.error} title="Could not delete the team" />
      <div className="row">
        <Button
          type="submit"
          variant="danger"
          busy={del.isPending}
          disabled={!mayDelete || !matches}
          disabledReason={
            !mayDelete ? 'Your role cannot delete this team' : !matches ? 'Type the team name first' : null
          }
        >
          Delete team
        </Button>
      </div>
    </form>
  );
}
