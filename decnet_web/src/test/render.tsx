import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import {
  createMemoryRouter,
  RouterProvider,
  useLocation,
} from "react-router-dom";

import { sessionFromToken, sessionStore } from "../features/auth/api/session";

/** Build an unsigned token whose claims name the user and role. */
export function fakeToken(sub: string, role: string): string {
  const encode = (value: object) =>
    btoa(JSON.stringify(value)).replace(/=+$/, "");
  return `${encode({ alg: "HS256" })}.${encode({ sub, role })}.signature`;
}

export function signIn(role = "analyst", username = "alice") {
  sessionStore.signIn(
    sessionFromToken(fakeToken(username, role), 3600, username),
  );
}

/** Shows the current path, so tests can assert on navigation. */
function LocationProbe() {
  const location = useLocation();
  return <output aria-label="Current path">{location.pathname}</output>;
}

type Route = { path: string; element: ReactElement };

/**
 * Render routes at `path` in a memory router with a fresh query client
 * that never retries, plus a probe showing the current path.
 */
export function renderRoutes(routes: Route[], path: string) {
  const client = new QueryClient({
    defaultOptions: { queries: { retry: false }, mutations: { retry: false } },
  });
  const router = createMemoryRouter(
    routes.map((route) => ({
      path: route.path,
      element: (
        <>
          {route.element}
          <LocationProbe />
        </>
      ),
    })),
    { initialEntries: [path] },
  );
  const result = render(
    <QueryClientProvider client={client}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
  return { ...result, client, router };
}
