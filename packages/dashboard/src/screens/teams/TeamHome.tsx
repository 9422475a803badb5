import { useParams } from 'react-router';

/** Placeholder: a team's home (projects, runs, reports) and its Settings tab are built here. */
export default function TeamHome() {
  const { team } = useParams();
  return (
    <div className="card">
      <h1>{team}</h1>
      <p className="muted">The team's home is coming.</p>
    </div>
  );
}
