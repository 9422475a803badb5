import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useClient } from '../../lib/client';
import { keys } from '../../lib/queries';
import { formatDate, timeAgo } from '../../lib/format';
import { Button, ConfirmDialog, Dialog, ErrorMessage, Spinner } from '../../components/ui';
import { TableWrap } from '../../components/TableWrap';
import { SecretOnce } from '../../components/SecretOnce';

/** Personal API keys: create (the secret is shown once), list, revoke. */
export default function ApiKeys() {
  const client = useClient();
  const qc = useQueryClient();
  const [showInactive, setShowInactive] = useState(false);
  const list = useQuery({
    queryKey: [...keys.apiKeys, showInactive],
    queryFn: () => client.apiKeys({ first: 100, includeInactive: showInactive }),
  });
  const [createOpen, setCreateOpen] = useState(false);
  const [revoking, setRevoking] = useState<{ id: string; name: string } | null>(null);
  return (
    <div className="stack">
      <div className="row">
        <h1 style={{ margin: 0 }}>API keys</h1>
        <span className="spacer" />
        <Button variant="primary" onClick={() => setCreateOpen(true)}>
          Create API key
        </Button>
      </div>
      <p className="muted">
        Personal keys act as you from scripts and the SDK (<code>Authorization: Bearer rsk_…</code>). Keep them secret.
      </p>
      <label className="check">
        <input type="checkbox" checked={showInactive} onChange={(e) => setShowInactive(e.target.checked)} /> Show
        revoked and expired keys
      </label>
      {list.isPending ? <Spinner /> : null}
      <ErrorMessage error={list.error} />
      {list.data ? (
        <TableWrap label="API keys">
          <table className="data" aria-label="API keys">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Key</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Expires</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.nodes.length === 0 ? (
                <tr>
                  <td colSpan={7} className="muted">
                    No API keys yet.
                  </td>
                </tr>
              ) : null}
              {list.data.nodes.map((k) => (
                <tr key={k.id}>
                  <td>{k.name}</td>
                  <td>
                    <code>rsk_…{k.lastFour}</code>
                  </td>
                  <td>
                    <span className={`badge ${k.status === 'ACTIVE' ? 'ACTIVE' : 'DEACTIVATED'}`}>{k.status}</span>
                  </td>
                  <td>{formatDate(k.createdAt)}</td>
                  <td>{timeAgo(k.lastUsedAt)}</td>
                  <td>{k.expiresAt ? formatDate(k.expiresAt) : 'Never'}</td>
                  <td>
                    {k.status === 'ACTIVE' ? (
                      <Button variant="ghost" onClick={() => setRevoking({ id: k.id, name: k.name })}>
                        Revoke
                      </Button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      ) : null}
      <CreateKeyDialog open={createOpen} onOpenChange={setCreateOpen} />
      <ConfirmDialog
        open={revoking !== null}
        onOpenChange={(o) => !o && setRevoking(null)}
        title={`Revoke ${revoking?.name ?? ''}?`}
        description="Scripts using this key stop working at once. This cannot be undone."
        confirmLabel="Revoke key"
        danger
        onConfirm={async () => {
          if (revoking) await client.revokeApiKey({ id: revoking.id });
          await qc.invalidateQueries({ queryKey: keys.apiKeys });
        }}
      />
    </div>
  );
}

function CreateKeyDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (o: boolean) => void }) {
  const client = useClient();
  const qc = useQueryClient();
  const [name, setName] = useState('');
  const [days, setDays] = useState('');
  const create = useMutation({
    mutationFn: () =>
      client.createApiKey({
        name,
        ...(days ? { expiresAt: new Date(Date.now() + Number.parseInt(days, 10) * 86_400_000).toISOString() } : {}),
      }),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.apiKeys }),
  });
  const close = (o: boolean) => {
    if (!o) {
      create.reset();
      setName('');
      setDays('');
    }
    onOpenChange(o);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <Dialog open={open} onOpenChange={close} title="Create API key">
      {create.data ? (
        <SecretOnce secret={create.data.secret} testId="api-key-secret" onDone={() => close(false)} />
      ) : (
        <form className="stack" onSubmit={submit}>
          <div className="field">
            <label htmlFor="key-name">Name</label>
            <input id="key-name" type="text" required value={name} onChange={(e) => setName(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="key-days">Expires after (days; empty: the longest lifetime allowed)</label>
            <input
              id="key-days"
              type="text"
              inputMode="numeric"
              pattern="[0-9]*"
              value={days}
              onChange={(e) => setDays(e.target.value)}
            />
          </div>
          <ErrorMessage error={create.error} />
          <div className="dialog-actions">
            <Button onClick={() => close(false)}>Cancel</Button>
            <Button type="submit" variant="primary" busy={create.isPending}>
              Create
            </Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
