import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import type { ReactNode } from "react";
import {
  createBrowserRouter,
  Navigate,
  RouterProvider,
  type RouteObject,
} from "react-router-dom";

import { ApiError } from "./api/client";
import { Layout } from "./components/Layout";
import { EmptyState } from "./components/States";
import { AttackerDetailPage } from "./features/attackers/components/AttackerDetailPage";
import { AttackersPage } from "./features/attackers/components/AttackersPage";
import { CampaignDetailPage } from "./features/campaigns/components/CampaignDetailPage";
import { CampaignsPage } from "./features/campaigns/components/CampaignsPage";
import { ChangePasswordPage } from "./features/auth/components/ChangePasswordPage";
import { LoginPage } from "./features/auth/components/LoginPage";
import { RequireAuth } from "./features/auth/components/RequireAuth";
import { IdentitiesPage } from "./features/identities/components/IdentitiesPage";
import { IdentityDetailPage } from "./features/identities/components/IdentityDetailPage";

/** The dashboard's routes; tests mount them in a memory router. */
export const routes: RouteObject[] = [
  { path: "/login", element: <LoginPage /> },
  {
    element: (
      <RequireAuth>
        <Layout />
      </RequireAuth>
    ),
    children: [
      { index: true, element: <Navigate to="/identities" replace /> },
      { path: "identities", element: <IdentitiesPage /> },
      { path: "identities/:id", element: <IdentityDetailPage /> },
      { path: "attackers", element: <AttackersPage /> },
      { path: "campaigns", element: <CampaignsPage /> },
      { path: "campaigns/:id", element: <CampaignDetailPage /> },
      { path: "account/password", element: <ChangePasswordPage /> },
      { path: "attackers/:id", element: <AttackerDetailPage /> },
      {
        path: "*",
        element: <EmptyState title="Page not found" />,
      },
    ],
  },
];

/** Create a query client that never retries a 4xx response. */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        refetchOnWindowFocus: false,
        retry: (failures, error) =>
          !(error instanceof ApiError && error.status < 500) && failures < 2,
      },
    },
  });
}

export function Providers({
  client,
  children,
}: {
  client: QueryClient;
  children: ReactNode;
}) {
  return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}

const queryClient = createQueryClient();
const router = createBrowserRouter(routes);

export function App() {
  return (
    <Providers client={queryClient}>
      <RouterProvider router={router} />
    </Providers>
  );
}
