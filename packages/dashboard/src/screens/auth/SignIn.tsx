import { useState, type FormEvent } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useClient } from '../../lib/client';
import { keys, useInstance, useViewer } from '../../lib/queries';
import { Button, ErrorMessage, Select, Spinner } from '../../components/ui';
import { AuthCard, safeNext } from './AuthCard';

/** Sign in: password (local, or an LDAP directory), and a button per configured OIDC provider. */
export default function SignIn() {
  const client = useClient();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const viewer = useViewer();
  const instance = useInstance();
  const providers = useQuery({ queryKey: keys.ssoProviders, queryFn: () => client.ssoProviders() });
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [provider, setProvider] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  if (viewer.isPending || instance.isPending) return <Spinner />;
  if (viewer.data?.user) return <Navigate to={next} replace />;
  if (instance.data?.needsBootstrap) return <Navigate to="/signup" replace />;

  const oidc = (providers.data ?? []).filter((p) => p.loginPath);
  const ldap = (providers.data ?? []).filter((p) => !p.loginPath);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await client.logIn({ login, password, ...(provider ? { provider } : {}) });
      qc.clear();
      navigate(next, { replace: true });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <AuthCard title="Sign in">
      {oidc.length > 0 ? (
        <div className="stack">
          {oidc.map((p) => (
            <a
              key={p.name}
              className="btn btn-block"
              data-provider={p.name}
              href={`${p.loginPath}&redirect=${encodeURIComponent(next)}`}
            >
              {p.label}
            </a>
          ))}
          <div className="divider">or with a password</div>
        </div>
      ) : null}
      {providers.error ? <ErrorMessage error={providers.error} title="Sign-in options" /> : null}
      <form className="stack" onSubmit={submit}>
        <div className="field">
          <label htmlFor="login">Email or username</label>
          <input
            id="login"
            type="text"
            autoComplete="username"
            required
            value={login}
            onChange={(e) => setLogin(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="password">Password</label>
          <input
            id="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
        {ldap.length > 0 ? (
          <div className="field">
            <label htmlFor="provider">Directory</label>
            <Select
              id="provider"
              value={provider || 'any'}
              onValueChange={(v) => setProvider(v === 'any' ? '' : v)}
              options={[
                { value: 'any', label: 'Any (password, then each directory)' },
                ...ldap.map((p) => ({ value: p.name, label: p.label })),
              ]}
            />
          </div>
        ) : null}
        <ErrorMessage error={error} />
        <Button type="submit" variant="primary" busy={busy}>
          Sign in
        </Button>
      </form>
      <p className="hint">
        Invited? Open the link in your invitation email. <Link to="/signup">Sign up</Link> with an invitation token.
      </p>
    </AuthCard>
  );
}
