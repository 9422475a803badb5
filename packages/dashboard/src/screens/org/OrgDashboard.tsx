import { lazy, Suspense, useState } from 'react';
import { useOrganization, useOrgName, usePermissions } from '../../lib/queries';
import { useClient } from '../../lib/client';
import { FeedbackProvider, useFeedback } from '../../components/feedback';
import { ConfirmProvider } from '../../components/confirm';
import { Button, ErrorMessage, Menu, MenuContent, MenuItem, MenuTrigger, Spinner } from '../../components/ui';
import { SummaryTiles } from './SummaryTiles';
import { filterArgs, MembersTable, type MemberFilters } from './MembersTable';
import { AddUserDialog } from './AddUserDialog';
import { BulkAddDialog } from './BulkAddDialog';

// uPlot is only needed here: its own chunk, after the rest of the screen.
const ActiveUsersChart = lazy(() => import('./ActiveUsersChart'));

const NO_INVITE = 'Your role in this organization cannot invite people';

/** The organization dashboard: summary tiles, users active over time, the members table and its actions. */
export default function OrgDashboard() {
  const name = useOrgName();
  const org = useOrganization(name);
  const { can } = usePermissions(name);
  const [filters, setFilters] = useState<MemberFilters>({
    search: '',
    role: null,
    status: null,
    team: null,
    sorting: [],
  });
  const [addOpen, setAddOpen] = useState(false);
  const [bulkOpen, setBulkOpen] = useState(false);
  const [exporting, setExporting] = useState<ExportState>(null);
  if (org.isPending) return <Spinner />;
  if (org.error) return <ErrorMessage error={org.error} title={`Organization ${name}`} />;
  const o = org.data;
  const mayInvite = can('MEMBER_INVITE');
  return (
    <FeedbackProvider>
      <ConfirmProvider>
        <div className="stack">
          <div className="row">
            <div>
              <h1 style={{ margin: 0 }}>{o.displayName}</h1>
              <span className="hint">Organization dashboard · {o.name}</span>
            </div>
          </div>
          {o.warnings.map((w) => (
            <p key={w.code} className="notice">
              {w.message}
            </p>
          ))}
          <SummaryTiles org={o} />
          {can('USAGE_READ') ? (
            <Suspense fallback={<div className="card chart-card">Loading chart…</div>}>
              <ActiveUsersChart org={o.name} />
            </Suspense>
          ) : null}
          <div className="row">
            <h2 id="members-title" style={{ margin: 0 }}>
              Members
            </h2>
            <span className="spacer" />
            <Button
              variant="primary"
              disabled={!mayInvite}
              disabledReason={mayInvite ? null : NO_INVITE}
              onClick={() => setAddOpen(true)}
            >
              Add user
            </Button>
            <MoreMenu
              org={o.name}
              filters={filters}
              onBulk={() => setBulkOpen(true)}
              mayInvite={mayInvite}
              onProgress={setExporting}
            />
          </div>
          {exporting ? (
            <p className="hint" role="status" data-testid="export-progress">
              Exporting members… {(exporting.bytes / 1024).toFixed(0)} KB received
            </p>
          ) : null}
          <MembersTable
            org={o.name}
            filters={filters}
            onFiltersChange={setFilters}
            seatsAvailable={o.seats.available ?? null}
          />
        </div>
        <AddUserDialog org={o} open={addOpen} onOpenChange={setAddOpen} />
        <BulkAddDialog org={o.name} open={bulkOpen} onOpenChange={setBulkOpen} />
      </ConfirmProvider>
    </FeedbackProvider>
  );
}

type ExportState = { bytes: number } | null;

/** The menu beside Add user: bulk add, Export as CSV (the current search, filters and order). */
function MoreMenu({
  org,
  filters,
  onBulk,
  mayInvite,
  onProgress,
}: {
  org: string;
  filters: MemberFilters;
  onBulk: () => void;
  mayInvite: boolean;
  onProgress: (s: ExportState) => void;
}) {
  const client = useClient();
  const feedback = useFeedback();
  const exportCsv = async () => {
    try {
      onProgress({ bytes: 0 });
      const stream = await client.org(org).exportMembersCsv(filterArgs(filters));
      const reader = stream.getReader();
      const chunks: Uint8Array[] = [];
      let bytes = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        bytes += value.byteLength;
        onProgress({ bytes });
      }
      const url = URL.createObjectURL(new Blob(chunks as BlobPart[], { type: 'text/csv' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `${org}-members.csv`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      feedback.done(`Exported ${(bytes / 1024).toFixed(1)} KB of members.`);
    } catch (e) {
      feedback.fail('Could not export the members', e);
    } finally {
      onProgress(null);
    }
  };
  return (
    <Menu>
      <MenuTrigger asChild>
        <Button size="icon" aria-label="More member actions" title="More: bulk add, Export as CSV">
          <span aria-hidden="true">⋯</span>
        </Button>
      </MenuTrigger>
      <MenuContent>
        <MenuItem disabled={!mayInvite} onSelect={onBulk}>
          Add users in bulk (CSV)…
        </MenuItem>
        <MenuItem onSelect={() => void exportCsv()}>Export as CSV</MenuItem>
      </MenuContent>
    </Menu>
  );
}
