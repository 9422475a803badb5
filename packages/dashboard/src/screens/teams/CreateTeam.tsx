import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { StorageProvider } from '@roster/sdk';
import { useClient } from '../../lib/client';
import { keys, useOrgName, usePermissions } from '../../lib/queries';
import { Button, ErrorMessage, Select } from '../../components/ui';

const PROVIDERS: { value: StorageProvider; label: string }[] = [
  { value: 'AWS', label: 'Amazon S3' },
  { value: 'GCP', label: 'Google Cloud Storage' },
  { value: 'AZURE', label: 'Azure Blob Storage' },
  { value: 'COREWEAVE', label: 'CoreWeave' },
  { value: 'MINIO', label: 'MinIO (S3-compatible)' },
];

/** "Create new team": name and storage type (managed, or a bucket the team brings); then the new team's home. */
export default function CreateTeam() {
  const org = useOrgName();
  const client = useClient();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const { can, loading } = usePermissions(org);
  const [name, setName] = useState('');
  const [kind, setKind] = useState<'MANAGED' | 'BUCKET'>('MANAGED');
  const [provider, setProvider] = useState<StorageProvider>('AWS');
  const [bucket, setBucket] = useState('');
  const [path, setPath] = useState('');
  const [region, setRegion] = useState('');
  const [endpoint, setEndpoint] = useState('');
  const create = useMutation({
    mutationFn: () =>
      client.createTeam({
        organization: org,
        name: name.trim(),
        storage:
          kind === 'MANAGED'
            ? { kind: 'MANAGED' }
            : {
                kind: 'BUCKET',
                provider,
                bucket: bucket.trim(),
                ...(path.trim() ? { path: path.trim() } : {}),
                ...(region.trim() ? { region: region.trim() } : {}),
                ...(endpoint.trim() ? { endpoint: endpoint.trim() } : {}),
              },
      }),
    onSuccess: async ({ team }) => {
      await qc.invalidateQueries({ queryKey: keys.orgPart(org, 'nav-teams') });
      navigate(`/orgs/${encodeURIComponent(org)}/teams/${encodeURIComponent(team.name)}`);
    },
  });
  const mayCreate = can('TEAM_CREATE');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (mayCreate) create.mutate();
  };
  return (
    <div className="card narrow">
      <h1>Create new team</h1>
      {!loading && !mayCreate ? (
        <p className="notice" data-testid="create-team-denied">
          Your role in this organization cannot create teams. Ask an organization admin.
        </p>
      ) : null}
      <form className="stack" onSubmit={submit} aria-busy={create.isPending || undefined}>
        <div className="field">
          <label htmlFor="team-name">Team name</label>
          <input
            id="team-name"
            type="text"
            required
            autoComplete="off"
            value={name}
            onChange={(e) => setName(e.target.value)}
            aria-describedby="team-name-hint"
          />
          <span className="hint" id="team-name-hint">
            2–64 lower-case letters, digits, “-” and “_”; unique in {org}.
          </span>
        </div>
        <fieldset className="stack fieldset">
          <legend>Storage type</legend>
          <label className="check">
            <input type="radio" name="storage" checked={kind === 'MANAGED'} onChange={() => setKind('MANAGED')} />
            Managed storage <span className="hint">— files live in the platform's storage</span>
          </label>
          <label className="check">
            <input type="radio" name="storage" checked={kind === 'BUCKET'} onChange={() => setKind('BUCKET')} />
            Your own bucket <span className="hint">— cannot be changed later</span>
          </label>
          {kind === 'BUCKET' ? (
            <div className="grid-2">
              <div className="field">
                <label htmlFor="storage-provider">Provider</label>
                <Select
                  id="storage-provider"
                  value={provider}
                  onValueChange={(v) => setProvider(v as StorageProvider)}
                  options={PROVIDERS}
                />
              </div>
              <div className="field">
                <label htmlFor="storage-bucket">Bucket</label>
                <input
                  id="storage-bucket"
                  type="text"
                  required
                  value={bucket}
                  placeholder={provider === 'AZURE' ? 'account/container' : 'my-bucket'}
                  onChange={(e) => setBucket(e.target.value)}
                />
              </div>
              <div className="field">
                <label htmlFor="storage-path">Path prefix (optional)</label>
                <input
                  id="storage-path"
                  type="text"
                  value={path}
                  placeholder="teams/vision"
                  onChange={(e) => setPath(e.target.value)}
                />
              </div>
              <div className="field">
                <label htmlFor="storage-region">Region (optional)</label>
                <input
                  id="storage-region"
                  type="text"
                  value={region}
                  placeholder="us-east-1"
                  onChange={(e) => setRegion(e.target.value)}
                />
              </div>
              <div className="field">
                <label htmlFor="storage-endpoint">Endpoint URL{provider === 'MINIO' ? '' : ' (optional)'}</label>
                <input
                  id="storage-endpoint"
                  type="text"
                  value={endpoint}
                  required={provider === 'MINIO'}
                  placeholder="https://minio.example.com"
                  onChange={(e) => setEndpoint(e.target.value)}
                />
              </div>
            </div>
          ) : null}
        </fieldset>
        <ErrorMessage error={create.error} title="Could not create the team" />
        {create.isPending ? (
          <p className="hint" role="status">
            Creating the team…
          </p>
        ) : null}
        <div className="row">
          <Button
            type="submit"
            variant="primary"
            busy={create.isPending}
            disabled={!mayCreate}
            disabledReason={mayCreate ? null : 'Your role in this organization cannot create teams'}
          >
            Create team
          </Button>
        </div>
      </form>
    </div>
  );
}
