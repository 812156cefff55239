/** The signed-in user: the bearer token and what its claims say. */
export type Session = {
  token: string;
  username: string;
  role: string;
  expiresAt: number;
  /** True after signing in with a one-time password. */
  mustChangePassword?: boolean;
};

export type SessionState = {
  session: Session | null;
  expired: boolean;
  /** A notice for the login page after a deliberate sign-out. */
  notice?: string;
};

const STORAGE_KEY = "decnet.session";

function decodeClaims(token: string): Record<string, unknown> {
  const part = token.split(".")[1];
  if (!part) {
    return {};
  }
  try {
    const base64 = part.replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(base64)) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** Build a session from a login response; claims fill in name and role. */
export function sessionFromToken(
  token: string,
  expiresIn: number,
  username: string,
  now: number = Date.now(),
): Session {
  const claims = decodeClaims(token);
  const role = typeof claims.role === "string" ? claims.role : "viewer";
  const name = typeof claims.sub === "string" ? claims.sub : username;
  return { token, username: name, role, expiresAt: now + expiresIn * 1000 };
}

function readStored(): Session | null {
  try {
    const raw = window.sessionStorage.getItem(STORAGE_KEY);
    if (!raw) {
      return null;
    }
    const session = JSON.parse(raw) as Session;
    return session.expiresAt > Date.now() ? session : null;
  } catch {
    return null;
  }
}

function createSessionStore() {
  let state: SessionState = { session: readStored(), expired: false };
  const listeners = new Set<() => void>();

  const set = (next: SessionState) => {
    state = next;
    if (next.session) {
      window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify(next.session));
    } else {
      window.sessionStorage.removeItem(STORAGE_KEY);
    }
    listeners.forEach((listener) => listener());
  };

  return {
    getState: () => state,
    get: () => {
      if (state.session && state.session.expiresAt <= Date.now()) {
        set({ session: null, expired: true });
      }
      return state.session;
    },
    signIn: (session: Session) => set({ session, expired: false }),
    signOut: (notice?: string) =>
      set({ session: null, expired: false, notice }),
    /** End the session because the server rejected it or it ran out. */
    expire: () => {
      if (state.session) {
        set({ session: null, expired: true });
      }
    },
    subscribe: (listener: () => void) => {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}

/** Process-wide session, kept in sessionStorage so a reload keeps it. */
export const sessionStore = createSessionStore();

const ANALYST_ROLES = new Set(["analyst", "admin"]);

/** True when the role may edit notes and take analyst actions. */
export function canEdit(session: Session | null): boolean {
  return session !== null && ANALYST_ROLES.has(session.role);
}
