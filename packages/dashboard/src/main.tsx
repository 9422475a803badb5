import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { BrowserRouter } from 'react-router';
import { RosterError } from '@roster/sdk';
import { ClientProvider, createClient } from './lib/client';
import { applyStoredTheme } from './lib/theme';
import { TooltipProvider } from './components/ui';
import { App } from './App';
import './styles.css';
import './screens.css';

applyStoredTheme();

const queryClient = new QueryClient({
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
