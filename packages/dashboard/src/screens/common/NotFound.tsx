import { Link } from 'react-router';

export default function NotFound() {
  return (
    <div className="card">
      <h1>Page not found</h1>
      <p>
        There is nothing at this address. <Link to="/">Go to your organization dashboard</Link>.
      </p>
    </div>
  );
}
