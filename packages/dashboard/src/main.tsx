import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { BrowserRouter } from 'react-router';
import { RosterError, UnauthenticatedError } from '@roster/sdk';
import { ClientProvider, createClient } from './lib/client';
import { applyStoredTheme } from './lib/theme';
import { keys } from './lib/queries';
import { TooltipProvider } from './components/ui';
import { App } from './App';
import './styles.css';
import './screens.css';

applyStoredTheme();

/** A session that ended (expired, revoked, signed out elsewhere): forget the viewer, so the app shows sign-in. */
function onError(error: unknown): void {
  if (error instanceof UnauthenticatedError) queryClient.setQueryData(keys.viewer, null);
}

const queryClient: QueryClient = new QueryClient({
  queryCache: new QueryCache({ onError }),
  mutationCache: new MutationCache({ onError }),
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      refetchOnWindowFocus: false,
      // The server answered: asking again will not change its mind (the SDK already retries network failures).
      retry: (count, error) => !(error instanceof RosterError) && count < 1,
    },
  },
});

const root = document.getElementById('root');
if (!root) throw new Error('#root is missing from index.html');
createRoot(root).render(
  <StrictMode>
    <ClientProvider client={createClient()}>
      <QueryClientProvider client={queryClient}>
        <TooltipProvider>
          <BrowserRouter>
            <App />
          </BrowserRouter>
        </TooltipProvider>
      </QueryClientProvider>
    </ClientProvider>
  </StrictMode>,
);
