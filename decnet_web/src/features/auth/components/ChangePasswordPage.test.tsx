import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";

import { renderRoutes, signIn } from "../../../test/render";
import { server } from "../../../test/server";
import { sessionStore } from "../api/session";
import { ChangePasswordPage } from "./ChangePasswordPage";

const routes = [{ path: "/account/password", element: <ChangePasswordPage /> }];

async function fill(current: string, next: string, repeat: string) {
  await userEvent.type(screen.getByLabelText("Current password"), current);
  await userEvent.type(screen.getByLabelText("New password"), next);
  await userEvent.type(screen.getByLabelText("New password again"), repeat);
  await userEvent.click(
    screen.getByRole("button", { name: "Change password" }),
  );
}

describe("ChangePasswordPage", () => {
  beforeEach(() => signIn("admin", "admin"));

  it("rejects two different new passwords", async () => {
    renderRoutes(routes, "/account/password");
    await fill("one-time-pass", "new password 1", "new password 2");
    expect(screen.getByRole("alert")).toHaveTextContent(
      "The two new passwords differ",
    );
  });

  it("signs out with a notice after a change", async () => {
    let body: unknown = null;
    server.use(
      http.post("*/api/v1/auth/password", async ({ request }) => {
        body = await request.json();
        return HttpResponse.json({ detail: "password changed; log in again" });
      }),
    );
    renderRoutes(routes, "/account/password");
    await fill("one-time-pass", "a new password", "a new password");
    await vi.waitFor(() => expect(sessionStore.get()).toBeNull());
    expect(sessionStore.getState().notice).toBe(
      "Password changed. Sign in with the new password.",
    );
    expect(body).toEqual({
      current_password: "one-time-pass",
      new_password: "a new password",
    });
  });

  it("keeps the session on a wrong current password", async () => {
    server.use(
      http.post("*/api/v1/auth/password", () =>
        HttpResponse.json(
          { detail: "current password is wrong" },
          { status: 401 },
        ),
      ),
    );
    renderRoutes(routes, "/account/password");
    await fill("wrong", "a new password", "a new password");
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "The current password is wrong.",
    );
    expect(sessionStore.get()).not.toBeNull();
  });
});
