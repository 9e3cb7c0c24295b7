import { createContext, useContext } from 'react';
import type { ApiClient } from './api/client';
import type { Session } from './api/types';

export interface SessionContextValue {
  client: ApiClient;
  session: Session | null;
  setSession(s: Session | null): void;
  signOut(): Promise<void>;
}

export const SessionContext = createContext<SessionContextValue | null>(null);

export function useSession(): SessionContextValue {
  const v = useContext(SessionContext);
  if (!v) throw new Error('useSession outside SessionContext');
  return v;
}

/** The API client, for components that only need to call the API. */
export function useClient(): ApiClient {
  return useSession().client;
}
