import { useState, type FormEvent } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { useClient } from '../../lib/client';
import { useInstance, useViewer } from '../../lib/queries';
import { Button, ErrorMessage, Spinner } from '../../components/ui';
import { AuthCard } from './AuthCard';

/**
 * Sign up. On a fresh instance this is the bootstrap: the first account becomes the instance admin and the admin of
 * the first organization (named here). Afterwards it needs an invitation token.
 */
export default function SignUp() {
  const client = useClient();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const viewer = useViewer();
  const instance = useInstance();
  const [form, setForm] = useState({
    name: '',
    username: '',
    email: '',
    password: '',
    organizationName: '',
    invitationToken: params.get('token') ?? '',
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  if (viewer.isPending || instance.isPending) return <Spinner />;
  if (viewer.data?.user) return <Navigate to="/" replace />;
  const bootstrap = instance.data?.needsBootstrap ?? false;
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await client.signUp({
        name: form.name,
        username: form.username,
        email: form.email,
        password: form.password,
        ...(bootstrap && form.organizationName ? { organizationName: form.organizationName } : {}),
        ...(!bootstrap && form.invitationToken ? { invitationToken: form.invitationToken } : {}),
      });
      qc.clear();
      const org = res.organization?.name ?? res.user.defaultOrganization?.name;
      navigate(org ? `/orgs/${encodeURIComponent(org)}` : '/', { replace: true });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <AuthCard title={bootstrap ? 'Set up Roster' : 'Sign up'}>
      {bootstrap ? (
        <p className="notice">
          This instance is new. The account you create now becomes the <strong>instance admin</strong> and the admin of
          the first organization.
        </p>
      ) : null}
      <form className="stack" onSubmit={submit}>
        <div className="field">
          <label htmlFor="name">Full name</label>
          <input id="name" type="text" autoComplete="name" required value={form.name} onChange={set('name')} />
        </div>
        <div className="field">
          <label htmlFor="username">Username</label>
          <input
            id="username"
            type="text"
            autoComplete="username"
            required
            value={form.username}
            onChange={set('username')}
          />
        </div>
        <div className="field">
          <label htmlFor="email">Email</label>
          <input id="email" type="email" autoComplete="email" required value={form.email} onChange={set('email')} />
        </div>
        <div className="field">
          <label htmlFor="password">Password</label>
          <input
            id="password"
            type="password"
            autoComplete="new-password"
            required
            value={form.password}
            onChange={set('password')}
          />
        </div>
        {bootstrap ? (
          <div className="field">
            <label htmlFor="organizationName">Organization name</label>
            <input
              id="organizationName"
              type="text"
              placeholder="acme"
              aria-describedby="organizationName-hint"
              value={form.organizationName}
              onChange={set('organizationName')}
            />
            <span className="hint" id="organizationName-hint">
              A short name used in URLs (lowercase letters, digits, dashes).
            </span>
          </div>
        ) : (
          <div className="field">
            <label htmlFor="invitationToken">Invitation token</label>
            <input
              id="invitationToken"
              type="text"
              required
              value={form.invitationToken}
              onChange={set('invitationToken')}
            />
          </div>
        )}
        <ErrorMessage error={error} />
        <Button type="submit" variant="primary" busy={busy}>
          {bootstrap ? 'Create the instance admin' : 'Sign up'}
        </Button>
      </form>
      {bootstrap ? null : (
        <p className="hint">
          Already have an account? <Link to="/login">Sign in</Link>
        </p>
      )}
    </AuthCard>
  );
}
