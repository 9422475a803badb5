import { useOrgName } from '../../lib/queries';

/** Placeholder: the "Create new team" screen (name, storage type with the bucket fields) is built here. */
export default function CreateTeam() {
  const org = useOrgName();
  return (
    <div className="card">
      <h1>Create new team</h1>
      <p className="muted">Creating teams in {org} from the dashboard is coming.</p>
    </div>
  );
}
