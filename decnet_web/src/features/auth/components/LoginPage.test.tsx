import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";

import { renderRoutes, fakeToken, signIn } from "../../../test/render";
import { server } from "../../../test/server";
import { IdentitiesPage } from "../../identities/components/IdentitiesPage";
import { sessionStore } from "../api/session";
import { LoginPage } from "./LoginPage";
import { RequireAuth } from "./RequireAuth";

const routes = [
  { path: "/login", element: <LoginPage /> },
  {
    path: "/identities",
    element: (
      <RequireAuth>
        <IdentitiesPage />
      </RequireAuth>
    ),
  },
];

describe("LoginPage", () => {
  it("signs in and opens the requested page", async () => {
    let body: unknown = null;
    server.use(
      http.post("*/api/v1/auth/login", async ({ request }) => {
        body = await request.json();
        return HttpResponse.json({
          access_token: fakeToken("alice", "analyst"),
          token_type: "bearer",
          expires_in: 3600,
          must_change_password: false,
        });
      }),
      http.get("*/api/v1/identities", () =>
        HttpResponse.json({ total: 0, limit: 50, offset: 0, data: [] }),
      ),
    );
    renderRoutes(routes, "/identities");
    await userEvent.type(await screen.findByLabelText("User name"), "alice");
    await userEvent.type(screen.getByLabelText("Password"), "s3cret pass");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(
      await screen.findByRole("heading", { name: "Identities" }),
    ).toBeInTheDocument();
    expect(body).toEqual({ username: "alice", password: "s3cret pass" });
    expect(sessionStore.get()?.role).toBe("analyst");
  });

  it("says when the password is wrong", async () => {
    server.use(
      http.post("*/api/v1/auth/login", () =>
        HttpResponse.json(
          { detail: "invalid user name or password" },
          { status: 401 },
        ),
      ),
    );
    renderRoutes(routes, "/login");
    await userEvent.type(screen.getByLabelText("User name"), "alice");
    await userEvent.type(screen.getByLabelText("Password"), "wrong");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "Wrong user name or password.",
    );
  });

  it("returns to login with a notice when the token is rejected", async () => {
    signIn("analyst");
    server.use(
      http.get("*/api/v1/identities", () =>
        HttpResponse.json({ detail: "token expired" }, { status: 401 }),
      ),
    );
    renderRoutes(routes, "/identities");
    expect(
      await screen.findByText(
        "Your session expired. Sign in again to continue.",
      ),
    ).toBeInTheDocument();
    expect(screen.getByLabelText("Current path")).toHaveTextContent("/login");
  });
});
