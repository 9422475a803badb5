import { memo, useEffect, useMemo, useRef, useState, type RefObject } from 'react';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import {
  flexRender,
  getCoreRowModel,
  useReactTable,
  type ColumnDef,
  type Row,
  type SortingState,
} from '@tanstack/react-table';
import type { MemberOrderField, MemberStatus, OrgRole } from '@roster/sdk';
import { useClient } from '../../lib/client';
import { keys, usePermissions } from '../../lib/queries';
import { formatDate, roleLabel, timeAgo } from '../../lib/format';
import { ErrorMessage, Select, Tooltip } from '../../components/ui';
import { MemberActions, RoleCell } from './MemberActions';
import type { Member, Team } from './types';

const PAGE = 100;
/** Every row is this tall (cells keep to their lines), so the visible window is a division away. */
const ROW_HEIGHT = 58;
const OVERSCAN = 10;
/** Columns the server can order by (MemberOrderField). */
const SORT_FIELDS: Record<string, MemberOrderField> = {
  name: 'NAME',
  lastActive: 'LAST_ACTIVE',
  role: 'ROLE',
  addedAt: 'ADDED_AT',
};

export interface MemberFilters {
  search: string;
  role: OrgRole | null;
  status: MemberStatus | null;
  team: string | null;
  sorting: SortingState;
}

/** The filters as the members query and the CSV export take them. */
export function filterArgs(f: MemberFilters) {
  const sort = f.sorting[0];
  const field = sort ? SORT_FIELDS[sort.id] : undefined;
  return {
    ...(f.search.trim() ? { search: f.search.trim() } : {}),
    ...(f.role ? { roles: [f.role] } : {}),
    ...(f.status ? { statuses: [f.status] } : {}),
    ...(f.team ? { teams: [f.team] } : {}),
    ...(field && sort ? { orderBy: { field, direction: sort.desc ? ('DESC' as const) : ('ASC' as const) } } : {}),
  };
}

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

/**
 * The members view: search, filters (role, status, team), columns sorted by the server, pages of 100 fetched by
 * cursor as you scroll, and only the visible rows rendered (so 100,000 members scroll like 100).
 */
export function MembersTable({
  org,
  filters,
  onFiltersChange,
  seatsAvailable,
}: {
  org: string;
  filters: MemberFilters;
  onFiltersChange: (f: MemberFilters) => void;
  seatsAvailable: number | null;
}) {
  const client = useClient();
  const { can } = usePermissions(org);
  const [searchText, setSearchText] = useState(filters.search);
  const search = useDebounced(searchText, 250);
  // biome-ignore lint/correctness/useExhaustiveDependencies: only the debounced text drives the filter
  useEffect(() => {
    if (search !== filters.search) onFiltersChange({ ...filters, search });
  }, [search]);
  const args = filterArgs(filters);
  const teams = useQuery({
    queryKey: keys.orgPart(org, 'teams-filter'),
    queryFn: () => client.teams({ organization: org, first: 100 }),
  });
  const pages = useInfiniteQuery({
    queryKey: keys.orgPart(org, `members:${JSON.stringify(args)}`),
    queryFn: ({ pageParam, signal }) =>
      client.members(
        { organization: org, first: PAGE, ...(pageParam ? { after: pageParam } : {}), ...args },
        { signal },
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => (last.pageInfo.hasNextPage ? last.pageInfo.endCursor : null),
    placeholderData: (prev) => prev,
    // Pages already loaded keep their objects when the next one arrives (so unchanged rows are not drawn again);
    // comparing thousands of rows deeply on every page would cost more than it saves.
    structuralSharing: false,
  });
  const rows = useMemo(() => pages.data?.pages.flatMap((p) => p.nodes) ?? [], [pages.data]);
  const total = pages.data?.pages[0]?.totalCount ?? 0;

  const columns = useMemo<ColumnDef<Member>[]>(
    () => [
      {
        id: 'name',
        // An accessor makes the column sortable; the order itself is the server's (manualSorting).
        accessorFn: (m) => m.name ?? m.email,
        header: 'Name',
        enableSorting: true,
        cell: ({ row: { original: m } }) => (
          <div>
            <div>{m.name ?? <span className="muted">Invited</span>}</div>
            <div className="hint">{m.username ? `@${m.username}` : ''}</div>
          </div>
        ),
      },
      {
        id: 'email',
        header: 'Email',
        enableSorting: false,
        cell: ({ row: { original: m } }) => m.email ?? <span className="muted">—</span>,
      },
      {
        id: 'role',
        accessorFn: (m) => m.role,
        header: 'Role',
        enableSorting: true,
        cell: ({ row: { original: m } }) => <RoleCell org={org} member={m} seatsAvailable={seatsAvailable} />,
      },
      {
        id: 'teams',
        header: 'Teams',
        enableSorting: false,
        cell: ({ row: { original: m } }) =>
          m.teams.length ? m.teams.map((t) => t.name).join(', ') : <span className="muted">—</span>,
      },
      {
        id: 'status',
        header: 'Status',
        enableSorting: false,
        cell: ({ row: { original: m } }) => <span className={`badge ${m.status}`}>{statusLabel(m.status)}</span>,
      },
      {
        id: 'lastActive',
        accessorFn: (m) => m.lastActiveAt,
        header: 'Last active',
        enableSorting: true,
        cell: ({ row: { original: m } }) => <LastActive member={m} />,
      },
      {
        id: 'addedAt',
        accessorFn: (m) => m.addedAt,
        header: 'Added',
        enableSorting: true,
        cell: ({ row: { original: m } }) => formatDate(m.addedAt),
      },
      {
        id: 'actions',
        header: () => <span className="sr-only">Actions</span>,
        enableSorting: false,
        cell: ({ row: { original: m } }) => <MemberActions org={org} member={m} />,
      },
    ],
    [org, seatsAvailable],
  );
  const table = useReactTable({
    data: rows,
    columns,
    getCoreRowModel: getCoreRowModel(),
    manualSorting: true,
    enableSortingRemoval: true,
    state: { sorting: filters.sorting },
    onSortingChange: (updater) => {
      const sorting = typeof updater === 'function' ? updater(filters.sorting) : updater;
      onFiltersChange({ ...filters, sorting });
    },
    getRowId: (m) => m.id,
  });

  const scrollRef = useRef<HTMLDivElement>(null);
  const { first, last } = useWindow(scrollRef, rows.length);
  useEffect(() => {
    if (last >= rows.length - 30 && pages.hasNextPage && !pages.isFetchingNextPage) void pages.fetchNextPage();
  }, [last, rows.length, pages]);
  const padTop = first * ROW_HEIGHT;
  const padBottom = Math.max(0, (rows.length - last - 1) * ROW_HEIGHT);
  const items = rows.slice(first, last + 1).map((_, i) => ({ index: first + i }));
  const tableRows = table.getRowModel().rows;
  const roleOptions = [
    { value: 'all', label: 'All roles' },
    ...['ADMIN', 'MEMBER', 'VIEWER'].map((r) => ({ value: r, label: roleLabel(r) })),
  ];
  const statusOptions = [
    { value: 'all', label: 'All statuses' },
    { value: 'ACTIVE', label: 'Active' },
    ...(can('MEMBER_MANAGE') ? [{ value: 'DEACTIVATED', label: 'Deactivated' }] : []),
    ...(can('MEMBER_INVITE') ? [{ value: 'PENDING', label: 'Pending invitation' }] : []),
  ];
  const teamOptions = [
    { value: 'all', label: 'All teams' },
    ...(teams.data?.nodes ?? []).map((t: Team) => ({ value: t.name, label: t.name })),
  ];

  return (
    <section aria-labelledby="members-title">
      <div className="filters">
        <input
          type="search"
          placeholder="Search by name, username or email"
          aria-label="Search members"
          value={searchText}
          onChange={(e) => setSearchText(e.target.value)}
        />
        <Select
          label="Role"
          value={filters.role ?? 'all'}
          onValueChange={(v) => onFiltersChange({ ...filters, role: v === 'all' ? null : (v as OrgRole) })}
          options={roleOptions}
        />
        <Select
          label="Status"
          value={filters.status ?? 'all'}
          onValueChange={(v) => onFiltersChange({ ...filters, status: v === 'all' ? null : (v as MemberStatus) })}
          options={statusOptions}
        />
        <Select
          label="Team"
          value={filters.team ?? 'all'}
          onValueChange={(v) => onFiltersChange({ ...filters, team: v === 'all' ? null : v })}
          options={teamOptions}
        />
      </div>
      <p className="hint" aria-live="polite" data-testid="members-count">
        {pages.isPending ? 'Loading members…' : `${total.toLocaleString()} ${total === 1 ? 'member' : 'members'}`}
        {pages.isFetching && !pages.isPending ? ' · updating…' : ''}
      </p>
      <ErrorMessage error={pages.error} />
      <div
        className="table-wrap"
        ref={scrollRef}
        style={{ maxHeight: 'min(70vh, 900px)' }}
        data-testid="members-scroll"
      >
        <table
          className="data members"
          aria-label="Members"
          aria-rowcount={total + 1}
          data-testid="members-table"
          data-loaded={rows.length}
        >
          <thead>
            {table.getHeaderGroups().map((hg) => (
              <tr key={hg.id} aria-rowindex={1}>
                {hg.headers.map((h) => {
                  const sorted = h.column.getIsSorted();
                  return (
                    <th
                      key={h.id}
                      scope="col"
                      aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined}
                    >
                      {h.column.getCanSort() ? (
                        <button type="button" className="sort-btn" onClick={h.column.getToggleSortingHandler()}>
                          {flexRender(h.column.columnDef.header, h.getContext())}
                          <span aria-hidden="true">{sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : '↕'}</span>
                        </button>
                      ) : (
                        flexRender(h.column.columnDef.header, h.getContext())
                      )}
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody>
            {padTop > 0 ? (
              <tr className="spacer-row">
                <td colSpan={columns.length} style={{ height: padTop, padding: 0, border: 0 }} />
              </tr>
            ) : null}
            {items.map((vi) => {
              const row = tableRows[vi.index];
              return row ? <MemberRow key={row.id} row={row} index={vi.index} columns={columns} /> : null;
            })}
            {padBottom > 0 ? (
              <tr className="spacer-row">
                <td colSpan={columns.length} style={{ height: padBottom, padding: 0, border: 0 }} />
              </tr>
            ) : null}
            {!pages.isPending && rows.length === 0 ? (
              <tr>
                <td colSpan={columns.length} className="muted">
                  No members match.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/**
 * One row. Memoized: scrolling re-renders the table, but a row whose member is unchanged is not drawn again (its
 * menus and tooltips are the costly part).
 */
const MemberRow = memo(
  function MemberRow({ row, index }: { row: Row<Member>; index: number; columns: unknown }) {
    return (
      <tr data-index={index} aria-rowindex={index + 2}>
        {row.getVisibleCells().map((cell) => (
          <td key={cell.id}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</td>
        ))}
      </tr>
    );
  },
  // The same member at the same place with the same columns: nothing to draw (TanStack's row objects are rebuilt
  // whenever a page arrives, the member objects are not).
  (a, b) => a.row.original === b.row.original && a.index === b.index && a.columns === b.columns,
);

/**
 * The rows to render: those in view in the scroll container, plus OVERSCAN either side (fixed row height, so no
 * measuring). Follows scrolling and resizing.
 */
function useWindow(ref: RefObject<HTMLDivElement | null>, count: number): { first: number; last: number } {
  const [view, setView] = useState({ top: 0, height: 800 });
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    let frame = 0;
    const update = () => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => setView({ top: el.scrollTop, height: el.clientHeight }));
    };
    update();
    el.addEventListener('scroll', update, { passive: true });
    const resize = new ResizeObserver(update);
    resize.observe(el);
    return () => {
      cancelAnimationFrame(frame);
      el.removeEventListener('scroll', update);
      resize.disconnect();
    };
  }, [ref]);
  // The header row takes one row's height at the top of the scroller.
  const first = Math.max(0, Math.floor(view.top / ROW_HEIGHT) - 1 - OVERSCAN);
  const last = Math.min(count - 1, Math.ceil((view.top + view.height) / ROW_HEIGHT) + OVERSCAN);
  return { first, last };
}

function statusLabel(s: string): string {
  return s === 'PENDING' ? 'Pending' : s === 'DEACTIVATED' ? 'Deactivated' : 'Active';
}

/** "3 days ago", with the member's activity summary in a tooltip (admins and the member themselves). */
function LastActive({ member: m }: { member: Member }) {
  // As in the seeds: the Last active column tells a pending invitation and a deactivated user apart.
  const text =
    m.status === 'PENDING'
      ? 'Pending invitation'
      : m.status === 'DEACTIVATED'
        ? 'Deactivated'
        : timeAgo(m.lastActiveAt);
  const a = m.activity;
  if (!a) return <span>{text}</span>;
  return (
    <Tooltip
      content={
        <dl data-testid="activity-summary" aria-label="Activity summary">
          <dt style={{ gridColumn: '1 / -1', fontWeight: 700, opacity: 1 }}>Activity summary</dt>
          <dt>Last active</dt>
          <dd>{a.lastActiveAt ? new Date(a.lastActiveAt).toLocaleString() : 'Never'}</dd>
          <dt>First active</dt>
          <dd>{formatDate(a.firstActiveAt)}</dd>
          <dt>Added</dt>
          <dd>{formatDate(a.addedAt)}</dd>
          <dt>Days active</dt>
          <dd>{a.daysActive}</dd>
          <dt>Runs created</dt>
          <dd>{a.runsCreated}</dd>
          <dt>Reports created</dt>
          <dd>{a.reportsCreated}</dd>
        </dl>
      }
    >
      <button type="button" className="sort-btn" style={{ fontWeight: 400, textDecoration: 'underline dotted' }}>
        {text}
      </button>
    </Tooltip>
  );
}
