import { useOrganization, useOrgName } from '../../lib/queries';
import { ErrorMessage, Spinner } from '../../components/ui';

export default function OrgDashboard() {
  const name = useOrgName();
  const org = useOrganization(name);
  if (org.isPending) return <Spinner />;
  if (org.error) return <ErrorMessage error={org.error} />;
  return (
    <div className="stack">
      <h1>{org.data.displayName}</h1>
    </div>
  );
}
