import { createContext, useContext, type ReactNode } from 'react';
import { RosterClient } from '@roster/sdk';

/**
 * The one SDK client of the app. Same origin as the server: the session is the httpOnly cookie that signUp / logIn /
 * acceptInvitation set, so nothing secret is kept in JavaScript storage.
 */
export function createClient(): RosterClient {
  return new RosterClient({ url: window.location.origin, credentials: 'same-origin', retry: { retries: 1 } });
}

const ClientContext = createContext<RosterClient | null>(null);

export function ClientProvider({ client, children }: { client: RosterClient; children: ReactNode }) {
  return <ClientContext.Provider value={client}>{children}</ClientContext.Provider>;
}

/** The SDK client (every server call of the app goes through it). */
export function useClient(): RosterClient {
  const client = useContext(ClientContext);
  if (!client) throw new Error('useClient() outside <ClientProvider>');
  return client;
}
