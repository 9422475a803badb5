import { useState, type FormEvent } from 'react';
import { useParams } from 'react-router';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { AuditAction } from '@roster/sdk';
import { useClient } from '../../lib/client';
import { usePermissions, useViewer } from '../../lib/queries';
import { formatDateTime } from '../../lib/format';
import { TableWrap } from '../../components/TableWrap';
import { Button, ErrorMessage, Spinner } from '../../components/ui';

const ACTIONS = Object.values(AuditAction);
const PAGE = 50;

interface Filters {
  actions: AuditAction[];
  actor: string;
  target: string;
  targetType: string;
  since: string;
  until: string;
  organization: string;
}

const EMPTY: Filters = { actions: [], actor: '', target: '', targetType: '', since: '', until: '', organization: '' };

/** `TEAM_MEMBER_ADDED` → "team member added". */
export function actionLabel(a: string): string {
  return a.toLowerCase().replace(/_/g, ' ');
}

/** datetime-local value (the browser's time zone) → ISO instant, or nothing. */
function instant(local: string): string | undefined {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** The organization's audit log (/orgs/:org/audit-log). */
export default function OrgAuditLog() {
  const org = useParams().org ?? '';
  const { can, loading } = usePermissions(org);
  if (loading) return <Spinner />;
  if (!can('AUDIT_LOG_READ')) {
    return (
      <div className="stack">
        <h1>Audit log</h1>
        <p className="notice">Only organization admins may read the audit log.</p>
      </div>
    );
  }
  return <AuditLogView scope={{ org }} />;
}

/** The instance's audit log (/admin/audit-log), every organization, for instance admins. */
export function InstanceAuditLog() {
  const viewer = useViewer();
  if (viewer.isPending) return <Spinner />;
  if (!viewer.data?.user?.instanceAdmin) {
    return (
      <div className="stack">
        <h1>Instance audit log</h1>
        <p className="notice">Only instance admins may read the whole instance's audit log.</p>
      </div>
    );
  }
  return <AuditLogView scope={{ org: null }} />;
}

function AuditLogView({ scope }: { scope: { org: string | null } }) {
  const client = useClient();
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [applied, setApplied] = useState<Filters>(EMPTY);
  // Cursors of the pages seen so far: page n starts after cursors[n] (null: the first page).
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const page = cursors.length - 1;
  const after = cursors[page] ?? null;
  const log = useQuery({
    queryKey: ['auditLog', scope.org ?? '(instance)', applied, after],
    queryFn: () => {
      const args = {
        first: PAGE,
        ...(after ? { after } : {}),
        ...(applied.actions.length ? { actions: applied.actions } : {}),
        ...(applied.actor.trim() ? { actor: applied.actor.trim() } : {}),
        ...(applied.target.trim() ? { target: applied.target.trim() } : {}),
        ...(applied.targetType.trim() ? { targetType: applied.targetType.trim() } : {}),
        ...(instant(applied.since) ? { since: instant(applied.since) } : {}),
        ...(instant(applied.until) ? { until: instant(applied.until) } : {}),
      };
      if (scope.org) return client.auditLog({ organization: scope.org, ...args });
      return client.instanceAuditLog({
        ...args,
        ...(applied.organization.trim() ? { organization: applied.organization.trim() } : {}),
      });
    },
    placeholderData: keepPreviousData,
  });
  const [exported, setExported] = useState<number | null>(null);
  const [exportError, setExportError] = useState<unknown>(null);
  /** The applied filters as a JSON Lines download (streamed, with the bytes so far as progress). */
  const exportLog = async () => {
    setExportError(null);
    setExported(0);
    try {
      const stream = await client.exportAuditLog({
        organization: scope.org ?? (applied.organization.trim() || null),
        ...(applied.actions.length ? { actions: applied.actions } : {}),
        actor: applied.actor.trim() || null,
        target: applied.target.trim() || null,
        targetType: applied.targetType.trim() || null,
        since: instant(applied.since) ?? null,
        until: instant(applied.until) ?? null,
      });
      const reader = stream.getReader();
      const chunks: BlobPart[] = [];
      let bytes = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value as BlobPart);
        bytes += value.byteLength;
        setExported(bytes);
      }
      const url = URL.createObjectURL(new Blob(chunks, { type: 'application/x-ndjson' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `audit-log-${scope.org ?? 'instance'}.jsonl`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      setExportError(e);
    } finally {
      setExported(null);
    }
  };
  const apply = (e: FormEvent) => {
    e.preventDefault();
    setApplied(draft);
    setCursors([null]);
  };
  const set = <K extends keyof Filters>(k: K, v: Filters[K]) => setDraft((d) => ({ ...d, [k]: v }));
  return (
    <div className="stack">
      <h1>{scope.org ? 'Audit log' : 'Instance audit log'}</h1>
      <form className="card stack" onSubmit={apply} aria-label="Audit log filters">
        <div className="audit-filters">
          <div className="field">
            <label htmlFor="audit-actions">Actions (none chosen: all)</label>
            <select
              id="audit-actions"
              multiple
              size={5}
              value={draft.actions}
              onChange={(e) =>
                set(
                  'actions',
                  [...e.target.selectedOptions].map((o) => o.value as AuditAction),
                )
              }
            >
              {ACTIONS.map((a) => (
                <option key={a} value={a}>
                  {actionLabel(a)}
                </option>
              ))}
            </select>
          </div>
          <div className="stack">
            <div className="field">
              <label htmlFor="audit-actor">Actor (username or service account)</label>
              <input id="audit-actor" type="text" value={draft.actor} onChange={(e) => set('actor', e.target.value)} />
            </div>
            <div className="field">
              <label htmlFor="audit-target">Target (username, email, team or key name)</label>
              <input
                id="audit-target"
                type="text"
                value={draft.target}
                onChange={(e) => set('target', e.target.value)}
              />
            </div>
            <div className="field">
              <label htmlFor="audit-target-type">Target type (user, team, api_key…)</label>
              <input
                id="audit-target-type"
                type="text"
                value={draft.targetType}
                onChange={(e) => set('targetType', e.target.value)}
              />
            </div>
          </div>
          <div className="stack">
            <div className="field">
              <label htmlFor="audit-since">From</label>
              <input
                id="audit-since"
                type="datetime-local"
                value={draft.since}
                onChange={(e) => set('since', e.target.value)}
              />
            </div>
            <div className="field">
              <label htmlFor="audit-until">Until</label>
              <input
                id="audit-until"
                type="datetime-local"
                value={draft.until}
                onChange={(e) => set('until', e.target.value)}
              />
            </div>
            {scope.org ? null : (
              <div className="field">
                <label htmlFor="audit-org">Organization (empty: all)</label>
                <input
                  id="audit-org"
                  type="text"
                  value={draft.organization}
                  onChange={(e) => set('organization', e.target.value)}
                />
              </div>
            )}
          </div>
        </div>
        <div className="row">
          <Button type="submit" variant="primary">
            Apply filters
          </Button>
          <Button
            onClick={() => {
              setDraft(EMPTY);
              setApplied(EMPTY);
              setCursors([null]);
            }}
          >
            Clear
          </Button>
          <span className="spacer" />
          <Button busy={exported !== null} onClick={() => void exportLog()}>
            Download as JSON Lines
          </Button>
          {exported !== null ? (
            <span className="hint" role="status">
              Downloading… {(exported / 1024).toFixed(1)} KB
            </span>
          ) : null}
        </div>
        <ErrorMessage error={exportError} title="Could not download the audit log" />
      </form>
      <ErrorMessage error={log.error} title="Could not load the audit log" />
      {log.isPending ? <Spinner /> : null}
      {log.data ? (
        <>
          <div className="row">
            <span className="hint spacer" role="status" data-testid="audit-count">
              {log.data.totalCount.toLocaleString()} events · page {page + 1}
              {log.isFetching ? ' · loading…' : ''}
            </span>
            <Button disabled={page === 0} onClick={() => setCursors((c) => c.slice(0, -1))}>
              Previous page
            </Button>
            <Button
              disabled={!log.data.pageInfo.hasNextPage}
              onClick={() => setCursors((c) => [...c, log.data.pageInfo.endCursor ?? null])}
            >
              Next page
            </Button>
          </div>
          <TableWrap label="Audit events">
            <table className="data" aria-label="Audit events">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Action</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Target</th>
                  <th scope="col">Address</th>
                  <th scope="col">Details</th>
                </tr>
              </thead>
              <tbody>
                {log.data.nodes.length === 0 ? (
                  <tr>
                    <td colSpan={6} className="muted">
                      No events match.
                    </td>
                  </tr>
                ) : null}
                {log.data.nodes.map((e) => (
                  <tr key={e.id}>
                    <td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(e.createdAt)}</td>
                    <td>
                      <code>{actionLabel(e.action)}</code>
                    </td>
                    <td>
                      {e.actor.label ?? e.actor.id ?? '—'} <span className="hint">{e.actor.type}</span>
                    </td>
                    <td>
                      {e.target ? (
                        <>
                          {e.target.label ?? e.target.id} <span className="hint">{e.target.type}</span>
                        </>
                      ) : (
                        '—'
                      )}
                    </td>
                    <td>{e.clientAddress ?? '—'}</td>
                    <td>
                      {e.metadata && Object.keys(e.metadata).length ? (
                        <details>
                          <summary>Show</summary>
                          <pre className="meta">{JSON.stringify(e.metadata, null, 2)}</pre>
                        </details>
                      ) : (
                        '—'
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        </>
      ) : null}
    </div>
  );
}
