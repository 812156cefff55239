import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { NavLink, Outlet } from "react-router-dom";

import { sessionStore } from "../features/auth/api/session";
import { useSession } from "../features/auth/api/useSession";
import {
  useIdentityEvents,
  type LiveState,
} from "../features/identities/api/identityEvents";

const STATUS_TEXT: Record<LiveState["status"], string> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  closed: "Offline",
};

function LiveIndicator({ live }: { live: LiveState }) {
  const time = live.lastUpdateAt
    ? new Date(live.lastUpdateAt).toISOString().slice(11, 19)
    : null;
  return (
    <p
      className={`live live-${live.status}`}
      role="status"
      aria-label="Live updates"
    >
      <span className="live-dot" aria-hidden="true" />
      {STATUS_TEXT[live.status]}
      {live.applied > 0 ? (
        <span data-testid="live-count">
          {" "}
          · {live.applied} update{live.applied === 1 ? "" : "s"}, last at {time}{" "}
          UTC
        </span>
      ) : null}
    </p>
  );
}

/** Render the signed-in frame: navigation, live status and the user menu. */
export function Layout() {
  const { session } = useSession();
  const queryClient = useQueryClient();
  const live = useIdentityEvents(session !== null);

  // End the session when the token runs out, even on an idle page.
  useEffect(() => {
    if (!session) {
      return;
    }
    const timer = setTimeout(
      () => sessionStore.expire(),
      Math.max(0, session.expiresAt - Date.now()),
    );
    return () => clearTimeout(timer);
  }, [session]);

  const signOut = () => {
    sessionStore.signOut();
    queryClient.clear();
  };

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">DECNET</span>
        <nav aria-label="Main">
          <NavLink to="/identities">Identities</NavLink>
          <NavLink to="/attackers">Attackers</NavLink>
          <NavLink to="/campaigns">Campaigns</NavLink>
        </nav>
        <LiveIndicator live={live} />
        <NavLink className="user" to="/account/password">
          {session?.username} ({session?.role})
        </NavLink>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
