import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useClient } from '../../lib/client';
import { formatDate, timeAgo } from '../../lib/format';
import { TableWrap } from '../../components/TableWrap';
import { Button, ConfirmDialog, Dialog, ErrorMessage, Spinner } from '../../components/ui';
import { teamCan, teamKeys, type Team } from './team-data';
import { SecretOnce } from '../../components/SecretOnce';

interface Pending {
  kind: 'revoke' | 'delete' | 'disable';
  id: string;
  name: string;
}

/** The team's service accounts (API keys for automation, with the SERVICE role) and their keys. */
export default function TeamServiceAccounts({ org, team }: { org: string; team: Team }) {
  const client = useClient();
  const qc = useQueryClient();
  const can = teamCan(team);
  const mayManage = can('SERVICE_ACCOUNT_MANAGE');
  const key = teamKeys.part(org, team.name, 'service-accounts');
  const list = useQuery({
    queryKey: [...key, mayManage],
    queryFn: async () => {
      if (mayManage) return client.teamServiceAccountKeys({ organization: org, team: team.name, first: 50 });
      const plain = await client.teamServiceAccounts({ organization: org, team: team.name, first: 50 });
      return { ...plain, nodes: plain.nodes.map((n) => ({ ...n, apiKeys: null })) };
    },
    enabled: can('MEMBER_READ'),
  });
  const [createOpen, setCreateOpen] = useState(false);
  const [keyFor, setKeyFor] = useState<{ id: string; name: string } | null>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  const [error, setError] = useState<unknown>(null);
  const refresh = () => qc.invalidateQueries({ queryKey: key });
  const reason = mayManage ? null : 'Your role in this team cannot manage its service accounts';
  return (
    <div className="stack">
      <div className="row">
        <p className="hint spacer" style={{ margin: 0 }}>
          A service account is an API key for automation tools; it holds the Service role in this team. Set
          ROSTER_USERNAME (or WANDB_USERNAME) so runs are attributed to the right person.
        </p>
        <Button variant="primary" disabled={!mayManage} disabledReason={reason} onClick={() => setCreateOpen(true)}>
          New service account
        </Button>
      </div>
      <ErrorMessage error={error} title="That did not work" />
      {!can('MEMBER_READ') ? <p className="notice">Your role in this team cannot see its service accounts.</p> : null}
      {list.isPending && can('MEMBER_READ') ? <Spinner /> : null}
      <ErrorMessage error={list.error} />
      {list.data?.nodes.length === 0 ? <p className="muted">No service accounts yet.</p> : null}
      {list.data?.nodes.map((sa) => (
        <section key={sa.id} className="card stack" aria-label={`Service account ${sa.name}`}>
          <div className="row">
            <h3 className="spacer" style={{ margin: 0 }}>
              {sa.name}{' '}
              <span className={`badge ${sa.status === 'ACTIVE' ? 'ACTIVE' : 'DEACTIVATED'}`}>{sa.status}</span>
            </h3>
            <Button
              disabled={!mayManage || sa.status !== 'ACTIVE'}
              disabledReason={reason ?? (sa.status !== 'ACTIVE' ? 'Enable the account first' : null)}
              onClick={() => setKeyFor({ id: sa.id, name: sa.name })}
            >
              New key
            </Button>
            {sa.status === 'ACTIVE' ? (
              <Button
                variant="ghost"
                disabled={!mayManage}
                disabledReason={reason}
                onClick={() => setPending({ kind: 'disable', id: sa.id, name: sa.name })}
              >
                Disable
              </Button>
            ) : (
              <Button
                variant="ghost"
                disabled={!mayManage}
                disabledReason={reason}
                onClick={async () => {
                  setError(null);
                  try {
                    await client.enableServiceAccount({ id: sa.id });
                    await refresh();
                  } catch (e) {
                    setError(e);
                  }
                }}
              >
                Enable
              </Button>
            )}
            <Button
              variant="ghost"
              disabled={!mayManage}
              disabledReason={reason}
              onClick={() => setPending({ kind: 'delete', id: sa.id, name: sa.name })}
            >
              Delete
            </Button>
          </div>
          {sa.description ? <p className="muted">{sa.description}</p> : null}
          {sa.apiKeys ? (
            <TableWrap label={`Keys of ${sa.name}`}>
              <table className="data compact" aria-label={`Keys of ${sa.name}`}>
                <thead>
                  <tr>
                    <th scope="col">Key</th>
                    <th scope="col">Name</th>
                    <th scope="col">Created</th>
                    <th scope="col">Last used</th>
                    <th scope="col">Expires</th>
                    <th scope="col">
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {sa.apiKeys.nodes.length === 0 ? (
                    <tr>
                      <td colSpan={6} className="muted">
                        No active keys.
                      </td>
                    </tr>
                  ) : null}
                  {sa.apiKeys.nodes.map((k) => (
                    <tr key={k.id}>
                      <td>
                        <code>rsk_…{k.lastFour}</code>
                      </td>
                      <td>{k.name}</td>
                      <td>{formatDate(k.createdAt)}</td>
                      <td>{timeAgo(k.lastUsedAt)}</td>
                      <td>{k.expiresAt ? formatDate(k.expiresAt) : 'Never'}</td>
                      <td>
                        <Button
                          variant="ghost"
                          aria-label={`Revoke key ${k.name}`}
                          onClick={() => setPending({ kind: 'revoke', id: k.id, name: k.name })}
                        >
                          Revoke
                        </Button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          ) : null}
        </section>
      ))}
      <CreateAccountDialog
        open={createOpen}
        onOpenChange={setCreateOpen}
        org={org}
        team={team.name}
        onCreated={() => void refresh()}
      />
      <CreateKeyDialog target={keyFor} onClose={() => setKeyFor(null)} onCreated={() => void refresh()} />
      <ConfirmDialog
        open={pending !== null}
        onOpenChange={(o) => !o && setPending(null)}
        title={
          pending?.kind === 'revoke'
            ? `Revoke key ${pending.name}?`
            : pending?.kind === 'delete'
              ? `Delete service account ${pending.name}?`
              : `Disable service account ${pending?.name ?? ''}?`
        }
        description={
          pending?.kind === 'revoke'
            ? 'Scripts using this key stop working at once.'
            : pending?.kind === 'delete'
              ? 'Its keys are revoked. Runs it logged stay. This cannot be undone.'
              : 'Its keys stop working until the account is enabled again.'
        }
        confirmLabel={pending?.kind === 'revoke' ? 'Revoke key' : pending?.kind === 'delete' ? 'Delete' : 'Disable'}
        danger
        onConfirm={async () => {
          if (!pending) return;
          if (pending.kind === 'revoke') await client.revokeApiKey({ id: pending.id });
          else if (pending.kind === 'delete') await client.deleteServiceAccount({ id: pending.id });
          else await client.disableServiceAccount({ id: pending.id });
          await refresh();
        }}
      />
    </div>
  );
}

function CreateAccountDialog({
  open,
  onOpenChange,
  org,
  team,
  onCreated,
}: {
  open: boolean;
  onOpenChange: (o: boolean) => void;
  org: string;
  team: string;
  onCreated: () => void;
}) {
  const client = useClient();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const create = useMutation({
    mutationFn: () =>
      client.createServiceAccount({
        organization: org,
        team,
        name: name.trim(),
        ...(description.trim() ? { description: description.trim() } : {}),
      }),
    onSuccess: () => {
      onCreated();
      close(false);
    },
  });
  const close = (o: boolean) => {
    if (!o) {
      create.reset();
      setName('');
      setDescription('');
    }
    onOpenChange(o);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <Dialog open={open} onOpenChange={close} title="New service account">
      <form className="stack" onSubmit={submit}>
        <div className="field">
          <label htmlFor="sa-name">Name</label>
          <input id="sa-name" type="text" required value={name} onChange={(e) => setName(e.target.value)} />
          <span className="hint">2–64 lower-case letters, digits, “.”, “_” and “-”.</span>
        </div>
        <div className="field">
          <label htmlFor="sa-description">What it is for (optional)</label>
          <input id="sa-description" type="text" value={description} onChange={(e) => setDescription(e.target.value)} />
        </div>
        <ErrorMessage error={create.error} />
        <div className="dialog-actions">
          <Button onClick={() => close(false)}>Cancel</Button>
          <Button type="submit" variant="primary" busy={create.isPending}>
            Create
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

function CreateKeyDialog({
  target,
  onClose,
  onCreated,
}: {
  target: { id: string; name: string } | null;
  onClose: () => void;
  onCreated: () => void;
}) {
  const client = useClient();
  const [name, setName] = useState('');
  const create = useMutation({
    mutationFn: () => client.createServiceAccountKey({ serviceAccount: target?.id ?? '', name: name.trim() }),
    onSuccess: () => onCreated(),
  });
  const close = (o: boolean) => {
    if (o) return;
    create.reset();
    setName('');
    onClose();
  };
  return (
    <Dialog open={target !== null} onOpenChange={close} title={`New key for ${target?.name ?? ''}`}>
      {create.data ? (
        <SecretOnce secret={create.data.secret} testId="service-account-secret" onDone={() => close(false)} />
      ) : (
        <form
          className="stack"
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate();
          }}
        >
          <div className="field">
            <label htmlFor="sa-key-name">Key name</label>
            <input id="sa-key-name" type="text" required value={name} onChange={(e) => setName(e.target.value)} />
          </div>
          <ErrorMessage error={create.error} />
          <div className="dialog-actions">
            <Button onClick={() => close(false)}>Cancel</Button>
            <Button type="submit" variant="primary" busy={create.isPending}>
              Create key
            </Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
