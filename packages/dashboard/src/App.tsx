import { Suspense } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { UnauthenticatedError } from '@roster/sdk';
import { ROUTES } from './routes';
import { useInstance, useViewer } from './lib/queries';
import { AppLayout } from './components/AppLayout';
import { ErrorMessage, Spinner } from './components/ui';

export function App() {
  return (
    <Routes>
      {ROUTES.filter((r) => r.layout === 'public').map((r) => (
        <Route
          key={r.path}
          path={r.path}
          element={
            <Suspense fallback={<Spinner />}>
              <r.screen />
            </Suspense>
          }
        />
      ))}
      <Route element={<RequireSession />}>
        {ROUTES.filter((r) => r.layout === 'app').map((r) => (
          <Route key={r.path} path={r.path} element={<r.screen />} />
        ))}
      </Route>
    </Routes>
  );
}

/** Signed in: the shell around the screen. Anonymous: sign in (or sign up, on a fresh instance). */
function RequireSession() {
  const viewer = useViewer();
  const instance = useInstance();
  const location = useLocation();
  if (viewer.isPending || instance.isPending) return <Spinner />;
  if (viewer.error && !(viewer.error instanceof UnauthenticatedError)) {
    return <ErrorMessage error={viewer.error} title="Could not load your account" />;
  }
  if (!viewer.data?.user) {
    if (instance.data?.needsBootstrap) return <Navigate to="/signup" replace />;
    const next = location.pathname === '/' ? '' : `?next=${encodeURIComponent(location.pathname + location.search)}`;
    return <Navigate to={`/login${next}`} replace />;
  }
  return <AppLayout user={viewer.data.user} />;
}
