import { useRef, useState } from 'react';
import { InviteCsvError, parseInviteCsv, type InviteManyRowResult, type InviteRow } from '@roster/sdk';
import { useClient } from '../../lib/client';
import { useInvalidateOrg } from '../../lib/queries';
import { Button, Dialog, ErrorMessage, Progress } from '../../components/ui';
import { TableWrap } from '../../components/TableWrap';

const CHUNK = 200;

/**
 * Bulk add: paste or upload a CSV (`email[,role[,teams]]`, teams as `vision:ADMIN;nlp`), invite every row in chunks
 * with a progress bar, and show each row's outcome.
 */
export function BulkAddDialog({
  org,
  open,
  onOpenChange,
}: {
  org: string;
  open: boolean;
  onOpenChange: (o: boolean) => void;
}) {
  const client = useClient();
  const invalidate = useInvalidateOrg();
  const [text, setText] = useState('');
  const [sendEmail, setSendEmail] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [results, setResults] = useState<InviteManyRowResult[] | null>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  const running = progress !== null && results === null;

  let parsed: InviteRow[] | null = null;
  let parseError: unknown = null;
  if (text.trim()) {
    try {
      parsed = parseInviteCsv(text);
    } catch (e) {
      parseError = e instanceof InviteCsvError ? e : new Error(String(e));
    }
  }
  const close = (o: boolean) => {
    if (running) return;
    if (!o) {
      setText('');
      setError(null);
      setProgress(null);
      setResults(null);
    }
    onOpenChange(o);
  };
  const start = async () => {
    if (!parsed) return;
    const rows = parsed;
    setError(null);
    setResults(null);
    setProgress({ done: 0, total: rows.length });
    const all: InviteManyRowResult[] = [];
    try {
      for (let offset = 0; offset < rows.length; offset += CHUNK) {
        const chunk = rows.slice(offset, offset + CHUNK);
        const res = await client.org(org).inviteMany({ rows: chunk, sendEmail, concurrency: 1, chunkSize: CHUNK });
        all.push(...res.results.map((r) => ({ ...r, index: r.index + offset })));
        setProgress({ done: Math.min(rows.length, offset + CHUNK), total: rows.length });
      }
      setResults(all);
    } catch (e) {
      setError(e);
      setResults(all);
    }
    await invalidate(org);
  };
  const succeeded = results?.filter((r) => !r.error).length ?? 0;
  return (
    <Dialog
      open={open}
      onOpenChange={close}
      title="Add users in bulk"
      description="One person per line: email, then optionally role and teams (vision:ADMIN;nlp)."
    >
      <div className="stack">
        {results === null ? (
          <>
            <div className="field">
              <label htmlFor="bulk-csv">CSV</label>
              <textarea
                id="bulk-csv"
                placeholder={'email,role,teams\nada@example.com,MEMBER,vision\ngrace@example.com,VIEWER'}
                value={text}
                disabled={running}
                onChange={(e) => setText(e.target.value)}
              />
            </div>
            <div className="row">
              <input
                ref={fileRef}
                type="file"
                accept=".csv,text/csv,text/plain"
                className="sr-only"
                id="bulk-file"
                onChange={async (e) => {
                  const file = e.target.files?.[0];
                  if (file) setText(await file.text());
                }}
              />
              <Button onClick={() => fileRef.current?.click()} disabled={running}>
                Upload a CSV file…
              </Button>
              <label className="check">
                <input type="checkbox" checked={sendEmail} onChange={(e) => setSendEmail(e.target.checked)} />
                Send invitation emails
              </label>
            </div>
            {parseError ? <ErrorMessage error={parseError} /> : null}
            {parsed ? (
              <p className="hint">
                {parsed.length} {parsed.length === 1 ? 'row' : 'rows'} ready.
              </p>
            ) : null}
          </>
        ) : (
          <p role="status" data-testid="bulk-summary">
            {succeeded} invited, {results.length - succeeded} failed.
          </p>
        )}
        {progress ? (
          <div className="stack">
            <Progress value={progress.done} max={progress.total} label="Invitations sent" />
            <span className="hint">
              {progress.done} of {progress.total}
            </span>
          </div>
        ) : null}
        <ErrorMessage error={error} />
        {results && results.length > 0 ? (
          <TableWrap label="Results" maxHeight={300}>
            <table className="data" aria-label="Results per row" data-testid="bulk-results">
              <thead>
                <tr>
                  <th scope="col">Line</th>
                  <th scope="col">Email</th>
                  <th scope="col">Result</th>
                </tr>
              </thead>
              <tbody>
                {results.map((r) => (
                  <tr key={r.index}>
                    <td>{r.row.line ?? r.index + 1}</td>
                    <td>{r.email}</td>
                    <td>
                      {r.error ? (
                        <span className="badge DEACTIVATED">{r.error.message}</span>
                      ) : (
                        <span className="badge ACTIVE">Invited</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        ) : null}
        <div className="dialog-actions">
          {results === null ? (
            <>
              <Button onClick={() => close(false)} disabled={running}>
                Cancel
              </Button>
              <Button variant="primary" disabled={!parsed || running} busy={running} onClick={() => void start()}>
                Invite {parsed ? parsed.length : ''}
              </Button>
            </>
          ) : (
            <Button variant="primary" onClick={() => close(false)}>
              Done
            </Button>
          )}
        </div>
      </div>
    </Dialog>
  );
}
