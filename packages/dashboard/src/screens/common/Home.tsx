import { Navigate } from 'react-router';
import { useViewer } from '../../lib/queries';
import { defaultOrgName } from '../../lib/current-org';
import { Spinner } from '../../components/ui';

/** `/`: the organization dashboard of the last (or default) organization. */
export default function Home() {
  const viewer = useViewer();
  const user = viewer.data?.user;
  if (!user) return <Spinner />;
  const org = defaultOrgName(user);
  if (org) return <Navigate to={`/orgs/${encodeURIComponent(org)}`} replace />;
  return (
    <div className="card">
      <h1>Welcome, {user.name}</h1>
      <p>You are not a member of any organization yet. Ask an organization admin for an invitation.</p>
    </div>
  );
}
