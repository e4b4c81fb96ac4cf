/** The window's session, for components that call the desktop core on a user's action. */
import { createContext, use } from 'react';
import type { Session } from '../app/session.ts';

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = use(SessionContext);
  if (session === null) throw new Error('useSession needs a SessionContext provider above it.');
  return session;
}
