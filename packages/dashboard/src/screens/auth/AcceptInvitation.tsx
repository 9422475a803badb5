import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useClient } from '../../lib/client';
import { useViewer } from '../../lib/queries';
import { formatDate, roleLabel } from '../../lib/format';
import { Button, ErrorMessage, Spinner } from '../../components/ui';
import { AuthCard } from './AuthCard';

/**
 * `/invite?token=…`, the link of invitation emails: what the invitation is, then accept it — signed in already, with
 * the existing account's password, or by creating an account.
 */
export default function AcceptInvitation() {
  const client = useClient();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const viewer = useViewer();
  const preview = useQuery({
    queryKey: ['invitationPreview', token],
    queryFn: () => client.invitationPreview({ token }),
    enabled: token !== '',
  });
  const [form, setForm] = useState({ name: '', username: '', password: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });

  if (!token) {
    return (
      <AuthCard title="Invitation">
        <p>This link has no invitation token. Open the whole link from your invitation email.</p>
      </AuthCard>
    );
  }
  if (preview.isPending || viewer.isPending) return <Spinner />;
  if (preview.error) {
    return (
      <AuthCard title="Invitation">
        <ErrorMessage error={preview.error} />
        <Link to="/login">Sign in</Link>
      </AuthCard>
    );
  }
  const inv = preview.data;
  const signedIn = viewer.data?.user ?? null;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await client.acceptInvitation({
        token,
        ...(signedIn
          ? {}
          : inv.accountExists
            ? { password: form.password }
            : { name: form.name, username: form.username, password: form.password }),
      });
      qc.clear();
      navigate(`/orgs/${encodeURIComponent(res.organization.name)}`, { replace: true });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <AuthCard title={`Join ${inv.organizationDisplayName}`}>
      <p data-testid="invitation-summary">
        {inv.invitedBy ? `${inv.invitedBy} invited ` : 'You are invited: '}
        <strong>{inv.email}</strong> to <strong>{inv.organizationDisplayName}</strong> as{' '}
        <strong>{roleLabel(inv.role)}</strong>. The invitation expires on {formatDate(inv.expiresAt)}.
      </p>
      <form className="stack" onSubmit={submit}>
        {signedIn ? (
          <p className="notice">
            You are signed in as <strong>{signedIn.username}</strong>; accepting adds this account to the organization.
          </p>
        ) : inv.accountExists ? (
          <div className="field">
            <label htmlFor="password">Password of your account ({inv.email})</label>
            <input
              id="password"
              type="password"
              autoComplete="current-password"
              required
              value={form.password}
              onChange={set('password')}
            />
          </div>
        ) : (
          <>
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
              <label htmlFor="password">Choose a password</label>
              <input
                id="password"
                type="password"
                autoComplete="new-password"
                required
                value={form.password}
                onChange={set('password')}
              />
            </div>
          </>
        )}
        <ErrorMessage error={error} />
        <Button type="submit" variant="primary" busy={busy}>
          Accept invitation
        </Button>
      </form>
    </AuthCard>
  );
}
