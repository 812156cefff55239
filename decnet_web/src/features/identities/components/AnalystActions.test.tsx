import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";

import { IDENTITY_A, IDENTITY_B, identity } from "../../../test/fixtures";
import { renderRoutes, signIn } from "../../../test/render";
import { server } from "../../../test/server";
import { AnalystActions } from "./AnalystActions";

function renderActions(selected = new Map<string, string>()) {
  return renderRoutes(
    [
      {
        path: "/",
        element: (
          <AnalystActions
            identity={identity()}
            selected={selected}
            onSplitDone={() => {}}
          />
        ),
      },
    ],
    "/",
  );
}

describe("AnalystActions", () => {
  beforeEach(() => signIn("analyst"));

  it("states what a merge will change before it runs", async () => {
    renderActions();
    await userEvent.type(
      screen.getByLabelText("Other identity uuid"),
      IDENTITY_B,
    );
    await userEvent.click(
      screen.getByRole("button", { name: "Merge into this…" }),
    );
    const dialog = screen.getByRole("alertdialog", {
      name: "Merge identities?",
    });
    expect(dialog).toHaveTextContent(
      "Identity 0b1b2c3d will be merged into this identity, 0a1b2c3d.",
    );
    expect(dialog).toHaveTextContent("MERGED INTO 0a1b2c3d");
  });

  it("sends nothing when the merge is cancelled", async () => {
    let calls = 0;
    server.use(
      http.post("*/api/v1/identities/:uuid/merge", () => {
        calls += 1;
        return HttpResponse.json({});
      }),
    );
    renderActions();
    await userEvent.type(
      screen.getByLabelText("Other identity uuid"),
      IDENTITY_B,
    );
    await userEvent.click(
      screen.getByRole("button", { name: "Merge into this…" }),
    );
    await userEvent.keyboard("{Escape}");
    expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument();
    expect(calls).toBe(0);
  });

  it("merges the other identity into this one on confirm", async () => {
    let path = "";
    let body: unknown = null;
    server.use(
      http.post(
        "*/api/v1/identities/:uuid/merge",
        async ({ request, params }) => {
          path = String(params.uuid);
          body = await request.json();
          return HttpResponse.json({
            decision: {},
            identity: identity(),
            observation_uuids: ["x", "y"],
          });
        },
      ),
    );
    renderActions();
    await userEvent.type(
      screen.getByLabelText("Other identity uuid"),
      IDENTITY_B,
    );
    await userEvent.type(screen.getByLabelText(/Reason/), "same loader");
    await userEvent.click(
      screen.getByRole("button", { name: "Merge into this…" }),
    );
    await userEvent.click(screen.getByRole("button", { name: "Merge" }));
    expect(await screen.findByText(/2 observations moved/)).toBeInTheDocument();
    expect(path).toBe(IDENTITY_A);
    expect(body).toEqual({ loser_uuid: IDENTITY_B, reason: "same loader" });
  });

  it("rejects a value that is not a uuid", async () => {
    renderActions();
    await userEvent.type(screen.getByLabelText("Other identity uuid"), "abc");
    await userEvent.click(
      screen.getByRole("button", { name: "Mark cannot-link…" }),
    );
    expect(screen.getByRole("alert")).toHaveTextContent(
      '"abc" is not an identity uuid',
    );
  });

  it("lists the IPs a split will move", async () => {
    renderActions(new Map([["o1", "198.51.100.7"]]));
    await userEvent.click(
      screen.getByRole("button", { name: "Split 1 selected observation out…" }),
    );
    const dialog = screen.getByRole("alertdialog", {
      name: "Split observations out?",
    });
    expect(dialog).toHaveTextContent("198.51.100.7");
  });

  it("starts on Cancel and keeps Tab inside the dialog", async () => {
    renderActions();
    await userEvent.type(
      screen.getByLabelText("Other identity uuid"),
      IDENTITY_B,
    );
    await userEvent.click(
      screen.getByRole("button", { name: "Merge into this…" }),
    );
    const cancel = screen.getByRole("button", { name: "Cancel" });
    expect(cancel).toHaveFocus();
    await userEvent.tab();
    expect(screen.getByRole("button", { name: "Merge" })).toHaveFocus();
    await userEvent.tab();
    expect(cancel).toHaveFocus();
  });
});
