import { screen, within } from "@testing-library/react";
import { http, HttpResponse } from "msw";

import { CAMPAIGN } from "../../../test/fixtures";
import { renderRoutes, signIn } from "../../../test/render";
import { server } from "../../../test/server";
import { CampaignsPage } from "./CampaignsPage";

const routes = [{ path: "/campaigns", element: <CampaignsPage /> }];

describe("CampaignsPage", () => {
  beforeEach(() => signIn("viewer"));

  it("explains an empty table", async () => {
    server.use(
      http.get("*/api/v1/campaigns", () =>
        HttpResponse.json({ total: 0, limit: 50, offset: 0, data: [] }),
      ),
    );
    renderRoutes(routes, "/campaigns");
    expect(await screen.findByText(/No campaigns yet/)).toBeInTheDocument();
  });

  it("links each campaign to its page", async () => {
    server.use(
      http.get("*/api/v1/campaigns", () =>
        HttpResponse.json({
          total: 1,
          limit: 50,
          offset: 0,
          data: [
            {
              uuid: CAMPAIGN,
              name: null,
              created_at: "2026-11-02T00:00:00Z",
              updated_at: "2026-11-02T00:00:00Z",
              first_seen_at: null,
              last_seen_at: null,
              confidence: 0.7,
              notes: null,
              merged_into_uuid: null,
              identity_count: 2,
            },
          ],
        }),
      ),
    );
    renderRoutes(routes, "/campaigns");
    const table = await screen.findByRole("table", { name: "Campaigns" });
    expect(
      within(table).getByRole("link", { name: `Campaign ${CAMPAIGN}` }),
    ).toHaveAttribute("href", `/campaigns/${CAMPAIGN}`);
  });
});
