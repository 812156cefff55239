import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";

import {
  attacker,
  CAMPAIGN,
  IDENTITY_A,
  IDENTITY_B,
  identity,
  OBSERVATION_1,
  OBSERVATION_2,
  page,
} from "../../../test/fixtures";
import { renderRoutes, signIn } from "../../../test/render";
import { server } from "../../../test/server";
import { IdentityDetailPage } from "./IdentityDetailPage";

const routes = [
  { path: "/identities/:id", element: <IdentityDetailPage /> },
  { path: "/attackers/:id", element: <p>attacker page</p> },
];

function serveIdentity(row = identity()) {
  server.use(
    http.get("*/api/v1/identities/:uuid", () => HttpResponse.json(row)),
    http.get("*/api/v1/identities/:uuid/observations", () =>
      HttpResponse.json(
        page([
          attacker(),
          attacker({ uuid: OBSERVATION_2, ip: "203.0.113.9" }),
        ]),
      ),
    ),
    http.get("*/api/v1/identities/:uuid/evidence", () =>
      HttpResponse.json({
        identity_uuid: row.uuid,
        total: 1,
        limit: 200,
        offset: 0,
        features: [
          {
            kind: "payload_sha256",
            value: "9f86d081",
            frequency: 2,
            weight: 11.6,
            link_count: 1,
          },
        ],
        data: [
          {
            id: 1,
            identity_uuid: row.uuid,
            observation_a: OBSERVATION_1,
            observation_b: OBSERVATION_2,
            weight_bits: 12.7,
            posterior: 0.999,
            created_at: "2026-11-03T00:00:00Z",
            features: [
              {
                kind: "payload_sha256",
                value: "9f86d081",
                frequency: 2,
                weight: 11.6,
              },
              { kind: "hassh", value: "ec73", frequency: 4500, weight: 1.1 },
            ],
          },
        ],
      }),
    ),
  );
}

describe("IdentityDetailPage", () => {
  beforeEach(() => signIn("analyst"));

  it("shows the uuid in the header", async () => {
    serveIdentity();
    renderRoutes(routes, `/identities/${IDENTITY_A}`);
    const heading = await screen.findByRole("heading", { level: 1 });
    expect(heading).toHaveTextContent(IDENTITY_A);
  });

  it("shows the campaign badge when a campaign is assigned", async () => {
    serveIdentity(identity({ campaign_id: CAMPAIGN }));
    renderRoutes(routes, `/identities/${IDENTITY_A}`);
    expect(await screen.findByText("CAMPAIGN · c4a3b2a1")).toBeInTheDocument();
  });

  it("shows no campaign badge without a campaign", async () => {
    serveIdentity();
    renderRoutes(routes, `/identities/${IDENTITY_A}`);
    await screen.findByRole("heading", { level: 1 });
    expect(screen.queryByText(/CAMPAIGN ·/)).not.toBeInTheDocument();
  });

  it("links a merged-away uuid to its winner", async () => {
    serveIdentity(identity({ uuid: IDENTITY_A, resolved_from: IDENTITY_B }));
    renderRoutes(routes, `/identities/${IDENTITY_B}`);
    const link = await screen.findByRole("link", {
      name: `Merged into identity ${IDENTITY_A}`,
    });
    expect(link).toHaveTextContent("MERGED INTO 0a1b2c3d");
    await userEvent.click(link);
    expect(screen.getByLabelText("Current path")).toHaveTextContent(
      `/identities/${IDENTITY_A}`,
    );
  });

  it("shows no merged link on a canonical identity", async () => {
    serveIdentity();
    renderRoutes(routes, `/identities/${IDENTITY_A}`);
    await screen.findByRole("heading", { level: 1 });
    expect(screen.queryByText(/MERGED INTO/)).not.toBeInTheDocument();
  });

  it("fills the stats row from the identity", async () => {
    serveIdentity(identity({ observation_count_live: 7 }));
    renderRoutes(routes, `/identities/${IDENTITY_A}`);
    const list = await screen.findByLabelText("Identity statistics");
    expect(
      within(list).getByText("Observations").nextSibling,
    ).toHaveTextContent("7");
    expect(
      within(list).getByText("Distinct JA3").nextSibling,
    ).toHaveTextContent("0");
    expect(
      within(list).getByText("Payload SimHashes").nextSibling,
    ).toHaveTextContent("2");
    expect(
      within(list).getByText("C2 endpoints").nextSibling,
    ).toHaveTextContent("2");
    expect(within(list).getByText("Confidence").nextSibling).toHaveTextContent(
      "93 %",
    );
  });

  it("hides confidence when it is not set", async () => {
    serveIdentity(identity({ confidence: null }));
    renderRoutes(routes, `/identities/${IDENTITY_A}`);
    const list = await screen.findByLabelText("Identity statistics");
    expect(within(list).queryByText("Confidence")).not.toBeInTheDocument();
  });

  it("lists C2 endpoints as tags", async () => {
    serveIdentity();
    renderRoutes(routes, `/identities/${IDENTITY_A}`);
    const tags = await screen.findByRole("list", { name: "C2 endpoints" });
    expect(within(tags).getByText("dl.example.net")).toBeInTheDocument();
  });

  it("links observations to their attacker pages", async () => {
    serveIdentity();
    renderRoutes(routes, `/identities/${IDENTITY_A}`);
    const table = await screen.findByRole("table", { name: "Observations" });
    const link = await within(table).findByRole("link", {
      name: "198.51.100.7",
    });
    expect(link).toHaveAttribute("href", `/attackers/${OBSERVATION_1}`);
  });

  it("draws a common-only feature faint in the evidence table", async () => {
    serveIdentity();
    renderRoutes(routes, `/identities/${IDENTITY_A}`);
    const table = await screen.findByRole("table", { name: "Evidence links" });
    const common = within(table).getByText(/hassh/);
    expect(common).toHaveClass("faint");
  });

  it("labels evidence edges with the strongest feature", async () => {
    serveIdentity();
    renderRoutes(routes, `/identities/${IDENTITY_A}`);
    const graph = await screen.findByRole("img", { name: /Evidence graph/ });
    expect(within(graph).getByText("payload_sha256 +11.6 bits")).toBeVisible();
  });

  it("saves notes edited by an analyst", async () => {
    serveIdentity();
    let body: unknown = null;
    server.use(
      http.put("*/api/v1/identities/:uuid/notes", async ({ request }) => {
        body = await request.json();
        return HttpResponse.json(identity({ notes: "Mirai loader" }));
      }),
    );
    renderRoutes(routes, `/identities/${IDENTITY_A}`);
    const box = await screen.findByLabelText("Notes on this identity");
    await userEvent.type(box, "Mirai loader");
    await userEvent.click(screen.getByRole("button", { name: "Save notes" }));
    expect(await screen.findByText("Notes saved.")).toBeInTheDocument();
    expect(body).toEqual({ notes: "Mirai loader" });
  });

  it("shows notes read-only to a viewer", async () => {
    signIn("viewer", "victor");
    serveIdentity(identity({ notes: "Known scanner" }));
    renderRoutes(routes, `/identities/${IDENTITY_A}`);
    expect(await screen.findByText("Known scanner")).toBeInTheDocument();
    expect(
      screen.queryByLabelText("Notes on this identity"),
    ).not.toBeInTheDocument();
  });

  it("says when the identity does not exist", async () => {
    server.use(
      http.get("*/api/v1/identities/:uuid", () =>
        HttpResponse.json({ detail: "Identity not found" }, { status: 404 }),
      ),
    );
    renderRoutes(routes, `/identities/${IDENTITY_A}`);
    expect(await screen.findByText("Identity not found")).toBeInTheDocument();
  });
});
