import { useEffect, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { TeamRole } from '@roster/sdk';
import { useClient } from '../../lib/client';
import { keys, useCustomRoles, useViewer } from '../../lib/queries';
import { formatDate } from '../../lib/format';
import { TableWrap } from '../../components/TableWrap';
import { Button, ConfirmDialog, ErrorMessage, Select, Spinner, type SelectOption } from '../../components/ui';
import { TEAM_ROLE_LABEL, teamCan, teamKeys, type Team, type TeamMemberRow } from './team-data';
import { MoreButton } from './TeamHome';

/** A team role choice: a built-in role, or `custom:<name>` for a custom role of the organization. */
type RoleChoice = string;
const BUILT_IN: TeamRole[] = ['ADMIN', 'MEMBER', 'VIEW_ONLY'];

/** Members of the team: find a user by email or username and invite them, change roles, delete, leave. */
export default function TeamMembers({ org, team }: { org: string; team: Team }) {
  const client = useClient();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const viewer = useViewer();
  const can = teamCan(team);
  const customRoles = useCustomRoles(org);
  const members = useInfiniteQuery({
    queryKey: teamKeys.part(org, team.name, 'members'),
    queryFn: ({ pageParam }) =>
      client.teamMembers({
        organization: org,
        team: team.name,
        first: 100,
        ...(pageParam ? { after: pageParam } : {}),
      }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => (last.pageInfo.hasNextPage ? last.pageInfo.endCursor : null),
    enabled: can('MEMBER_READ'),
  });
  const [removing, setRemoving] = useState<TeamMemberRow | null>(null);
  const [leaving, setLeaving] = useState(false);
  const [actionError, setActionError] = useState<unknown>(null);
  const [status, setStatus] = useState('');
  const refresh = () => qc.invalidateQueries({ queryKey: teamKeys.team(org, team.name) });

  const mayManage = can('MEMBER_MANAGE');
  const roleOptions = (forInvite: boolean): SelectOption[] => [
    ...BUILT_IN.map((r) => ({
      value: r,
      label: TEAM_ROLE_LABEL[r] ?? r,
      disabledReason:
        r === 'ADMIN' && !mayManage
          ? 'only those who manage the team’s members can make admins'
          : forInvite || mayManage
            ? null
            : 'your role cannot change roles',
    })),
    ...(customRoles.data?.nodes ?? []).map((c) => ({
      value: `custom:${c.name}`,
      label: `${c.name} (custom, ${TEAM_ROLE_LABEL[c.inheritsFrom] ?? c.inheritsFrom} +${c.permissions.length})`,
      disabledReason: mayManage ? null : 'only those who manage the team’s members can give custom roles',
    })),
  ];

  const changeRole = async (m: TeamMemberRow, choice: RoleChoice) => {
    setActionError(null);
    try {
      await client.updateTeamMemberRole({
        organization: org,
        team: team.name,
        user: m.user.username,
        ...(choice.startsWith('custom:') ? { customRole: choice.slice(7) } : { role: choice as TeamRole }),
      });
      setStatus(`${m.user.username} is now ${choiceLabel(choice)}.`);
      await refresh();
    } catch (e) {
      setActionError(e);
    }
  };

  const rows = members.data?.pages.flatMap((p) => p.nodes) ?? [];
  const me = viewer.data?.user?.id;
  const iAmMember = rows.some((m) => m.user.id === me);

  return (
    <div className="stack">
      <InviteForm
        org={org}
        team={team}
        roleOptions={roleOptions(true)}
        onInvited={(msg) => {
          setStatus(msg);
          void refresh();
        }}
      />
      <p className="hint" role="status" data-testid="team-status">
        {status}
      </p>
      <ErrorMessage error={actionError} title="That did not work" />
      {!can('MEMBER_READ') ? (
        <p className="notice">Your role in this team cannot list its members.</p>
      ) : members.isPending ? (
        <Spinner />
      ) : members.error ? (
        <ErrorMessage error={members.error} />
      ) : (
        <>
          <TableWrap label="Team members">
            <table className="data" aria-label="Team members">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Username</th>
                  <th scope="col">Email</th>
                  <th scope="col">Team role</th>
                  <th scope="col">Added</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((m) => {
                  const current = m.customRole ? `custom:${m.customRole}` : m.role;
                  const locked = m.managedByIdp
                    ? 'Managed by your identity provider (SSO group sync): change it there'
                    : !mayManage
                      ? 'Your role in this team cannot change roles or remove members'
                      : null;
                  return (
                    <tr key={m.id} data-testid={`team-member-${m.user.username}`}>
                      <td>{m.user.name}</td>
                      <td>{m.user.username}</td>
                      <td>{m.user.email ?? '—'}</td>
                      <td>
                        {locked ? (
                          <span className="row" style={{ gap: '0.35rem' }}>
                            {choiceLabel(current)}
                            {m.managedByIdp ? (
                              <span className="badge" title={locked}>
                                Managed by SSO
                              </span>
                            ) : null}
                          </span>
                        ) : (
                          <Select
                            label={`Team role of ${m.user.username}`}
                            value={current}
                            onValueChange={(v) => void changeRole(m, v)}
                            options={roleOptions(false)}
                          />
                        )}
                      </td>
                      <td>{formatDate(m.addedAt)}</td>
                      <td>
                        <Button
                          variant="ghost"
                          disabled={!!locked}
                          disabledReason={locked}
                          aria-label={`Delete ${m.user.username} from the team`}
                          onClick={() => setRemoving(m)}
                        >
                          Delete
                        </Button>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </TableWrap>
          <MoreButton q={members} total={members.data.pages[0]?.totalCount ?? 0} shown={rows.length} />
        </>
      )}
      {iAmMember ? (
        <div className="row">
          <Button variant="danger" onClick={() => setLeaving(true)}>
            Leave team
          </Button>
        </div>
      ) : null}
      <ConfirmDialog
        open={removing !== null}
        onOpenChange={(o) => !o && setRemoving(null)}
        title={`Delete ${removing?.user.username ?? ''} from ${team.name}?`}
        description="They lose access to the team's private projects. Runs and reports they logged stay."
        confirmLabel="Delete from team"
        danger
        onConfirm={async () => {
          if (!removing) return;
          await client.removeTeamMember({ organization: org, team: team.name, user: removing.user.username });
          setStatus(`${removing.user.username} was removed from the team.`);
          await refresh();
        }}
      />
      <ConfirmDialog
        open={leaving}
        onOpenChange={setLeaving}
        title={`Leave ${team.name}?`}
        description="You lose access to the team's private projects until someone adds you again. Your runs stay."
        confirmLabel="Leave team"
        danger
        onConfirm={async () => {
          await client.leaveTeam({ organization: org, team: team.name });
          await qc.invalidateQueries({ queryKey: ['org', org] });
          navigate(`/orgs/${encodeURIComponent(org)}`);
        }}
      />
    </div>
  );
}

function choiceLabel(choice: RoleChoice): string {
  return choice.startsWith('custom:') ? choice.slice(7) : (TEAM_ROLE_LABEL[choice] ?? choice);
}

/** "Enter an email or username in the search bar; once you have found the user, click Invite." */
function InviteForm({
  org,
  team,
  roleOptions,
  onInvited,
}: {
  org: string;
  team: Team;
  roleOptions: SelectOption[];
  onInvited: (message: string) => void;
}) {
  const client = useClient();
  const can = teamCan(team);
  const mayInvite = can('TEAM_INVITE_MEMBER');
  const [search, setSearch] = useState('');
  const [debounced, setDebounced] = useState('');
  const [role, setRole] = useState<RoleChoice>('MEMBER');
  useEffect(() => {
    const t = setTimeout(() => setDebounced(search.trim()), 250);
    return () => clearTimeout(t);
  }, [search]);
  const found = useQuery({
    queryKey: keys.orgPart(org, `find-user:${debounced}`),
    queryFn: () => client.members({ organization: org, search: debounced, statuses: ['ACTIVE'], first: 6 }),
    enabled: debounced.length >= 2 && mayInvite,
  });
  const invite = useMutation({
    mutationFn: async (user: string) => {
      // One call: a custom role comes with its base role.
      await client.addTeamMember({
        organization: org,
        team: team.name,
        user,
        ...(role.startsWith('custom:') ? { customRole: role.slice(7) } : { role: role as TeamRole }),
      });
      return user;
    },
    onSuccess: (user) => {
      setSearch('');
      onInvited(`${user} was added to ${team.name} as ${choiceLabel(role)}.`);
    },
  });
  const reason = mayInvite ? null : 'Your role in this team cannot invite members';
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (mayInvite && search.trim()) invite.mutate(search.trim());
  };
  return (
    <form className="card stack" onSubmit={submit} aria-labelledby="invite-title">
      <h2 id="invite-title">Invite a member</h2>
      <p className="hint">People must be members of the organization first. Find them by email or username.</p>
      <div className="row invite-row">
        <input
          type="search"
          aria-label="Email or username"
          placeholder="Email or username"
          value={search}
          disabled={!mayInvite}
          onChange={(e) => setSearch(e.target.value)}
        />
        <Select label="Team role" value={role} onValueChange={setRole} options={roleOptions} />
        <Button type="submit" variant="primary" busy={invite.isPending} disabled={!mayInvite} disabledReason={reason}>
          Invite
        </Button>
      </div>
      {found.data && debounced.length >= 2 ? (
        <ul className="found" aria-label="Matching members">
          {found.data.nodes.length === 0 ? <li className="muted">No active member matches.</li> : null}
          {found.data.nodes.map((m) => (
            <li key={m.id} className="row">
              <span className="spacer">
                {m.name} <span className="hint">@{m.username}</span>{' '}
                {m.email ? <span className="hint">{m.email}</span> : null}
              </span>
              <Button
                busy={invite.isPending && invite.variables === m.username}
                onClick={() => m.username && invite.mutate(m.username)}
                aria-label={`Invite ${m.username}`}
              >
                Invite
              </Button>
            </li>
          ))}
        </ul>
      ) : null}
      <ErrorMessage error={found.error} />
      <ErrorMessage error={invite.error} title="Could not add them" />
    </form>
  );
}
