import { useSyncExternalStore } from "react";

import { sessionStore, type SessionState } from "./session";

/** Subscribe to the signed-in session and the "expired" flag. */
export function useSession(): SessionState {
  return useSyncExternalStore(sessionStore.subscribe, sessionStore.getState);
}
