import { useQuery } from '@tanstack/react-query';
import { useClient } from '../../lib/client';
import { keys, usePermissions, type Organization } from '../../lib/queries';
import { Tile } from '../../components/Tile';

/** Members, seats used / limit, active in the last 30 days, pending invitations. */
export function SummaryTiles({ org }: { org: Organization }) {
  const client = useClient();
  const { can } = usePermissions(org.name);
  const mayReadUsage = can('USAGE_READ');
  const mayInvite = can('MEMBER_INVITE');
  const usage = useQuery({
    queryKey: keys.orgPart(org.name, 'usage'),
    queryFn: () => client.organizationUsage({ organization: org.name }),
    enabled: mayReadUsage,
  });
  const active = useQuery({
    queryKey: keys.orgPart(org.name, 'active-count'),
    queryFn: () => client.members({ organization: org.name, statuses: ['ACTIVE'], first: 1 }),
    enabled: !mayReadUsage,
  });
  const pending = useQuery({
    queryKey: keys.orgPart(org.name, 'pending-count'),
    queryFn: () => client.members({ organization: org.name, statuses: ['PENDING'], first: 1 }),
    enabled: mayInvite,
  });
  const members = usage.data?.members ?? active.data?.totalCount;
  const seats = org.seats;
  return (
    <section className="tiles" aria-label="Summary">
      <Tile label="Members" value={members} testId="tile-members" />
      <Tile
        label="Seats used"
        value={seats.limit === null ? `${seats.used}` : `${seats.used} / ${seats.limit}`}
        hint={seats.limit === null ? 'No seat limit' : `${seats.available ?? 0} left`}
        testId="tile-seats"
      />
      <Tile
        label="Active in the last 30 days"
        value={mayReadUsage ? usage.data?.activeUsersLast30Days : '—'}
        hint={mayReadUsage ? undefined : 'Visible to those who may read usage'}
        testId="tile-active"
      />
      <Tile
        label="Pending invitations"
        value={mayInvite ? pending.data?.totalCount : '—'}
        hint={mayInvite ? undefined : 'Visible to those who may invite'}
        testId="tile-pending"
      />
    </section>
  );
}
