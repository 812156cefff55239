import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";

import {
  attacker,
  CAMPAIGN,
  IDENTITY_A,
  IDENTITY_B,
  identity,
} from "../../../test/fixtures";
import { renderRoutes, signIn } from "../../../test/render";
import { server } from "../../../test/server";
import { IdentitiesPage } from "./IdentitiesPage";

const routes = [{ path: "/identities", element: <IdentitiesPage /> }];

describe("IdentitiesPage", () => {
  beforeEach(() => signIn("viewer"));

  it("explains an empty table", async () => {
    server.use(
      http.get("*/api/v1/identities", () =>
        HttpResponse.json({ total: 0, limit: 50, offset: 0, data: [] }),
      ),
    );
    renderRoutes(routes, "/identities");
    expect(
      await screen.findByText("No identities yet: the clusterer has not run"),
    ).toBeInTheDocument();
  });

  it("lists identities with their campaign badge", async () => {
    server.use(
      http.get("*/api/v1/identities", () =>
        HttpResponse.json({
          total: 2,
          limit: 50,
          offset: 0,
          data: [
            identity({ campaign_id: CAMPAIGN }),
            identity({ uuid: IDENTITY_B }),
          ],
        }),
      ),
    );
    renderRoutes(routes, "/identities");
    const table = await screen.findByRole("table", { name: "Identities" });
    const link = within(table).getByRole("link", {
      name: `Identity ${IDENTITY_A}`,
    });
    expect(link).toHaveAttribute("href", `/identities/${IDENTITY_A}`);
    expect(within(table).getAllByText(/CAMPAIGN ·/)).toHaveLength(1);
  });

  it("asks the server for the next page", async () => {
    const offsets: string[] = [];
    server.use(
      http.get("*/api/v1/identities", ({ request }) => {
        const url = new URL(request.url);
        offsets.push(url.searchParams.get("offset") ?? "");
        return HttpResponse.json({
          total: 120,
          limit: 50,
          offset: Number(url.searchParams.get("offset")),
          data: [identity()],
        });
      }),
    );
    renderRoutes(routes, "/identities");
    await screen.findByRole("table", { name: "Identities" });
    await userEvent.click(screen.getByRole("button", { name: "Next" }));
    expect(await screen.findByText("51–100 of 120")).toBeInTheDocument();
    expect(offsets).toEqual(["0", "50"]);
  });

  it("shows a retry button when the server fails", async () => {
    server.use(
      http.get("*/api/v1/identities", () =>
        HttpResponse.json({ detail: "database is locked" }, { status: 500 }),
      ),
    );
    renderRoutes(routes, "/identities");
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("database is locked (HTTP 500)");
    expect(
      within(alert).getByRole("button", { name: "Try again" }),
    ).toBeInTheDocument();
  });

  it("sends search and sort to the server", async () => {
    const requests: URLSearchParams[] = [];
    server.use(
      http.get("*/api/v1/identities", ({ request }) => {
        requests.push(new URL(request.url).searchParams);
        return HttpResponse.json({
          total: 1,
          limit: 50,
          offset: 0,
          data: [identity()],
        });
      }),
    );
    renderRoutes(
      routes,
      "/identities?q=ec7378c1a92f5a8dde7e8b7a1ddf33d1&sort=observations",
    );
    const table = await screen.findByRole("table", { name: "Identities" });
    expect(
      within(table).getByRole("link", { name: `Identity ${IDENTITY_A}` }),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        "1 canonical identity match “ec7378c1a92f5a8dde7e8b7a1ddf33d1”",
      ),
    ).toBeInTheDocument();
    expect(requests).toHaveLength(1);
    expect(requests[0]?.get("search")).toBe("ec7378c1a92f5a8dde7e8b7a1ddf33d1");
    expect(requests[0]?.get("sort")).toBe("observations");
  });

  it("sorts on the server from the first page", async () => {
    const requests: URLSearchParams[] = [];
    server.use(
      http.get("*/api/v1/identities", ({ request }) => {
        const url = new URL(request.url);
        requests.push(url.searchParams);
        return HttpResponse.json({
          total: 120,
          limit: 50,
          offset: Number(url.searchParams.get("offset")),
          data: [identity()],
        });
      }),
    );
    renderRoutes(routes, "/identities?offset=50");
    await screen.findByText("51–100 of 120");
    await userEvent.selectOptions(
      screen.getByLabelText("Sort by"),
      "Highest confidence",
    );
    expect(await screen.findByText("1–50 of 120")).toBeInTheDocument();
    const last = requests[requests.length - 1];
    expect(last?.get("sort")).toBe("confidence");
    expect(last?.get("offset")).toBe("0");
  });

  it("searches once typing pauses", async () => {
    const searches: (string | null)[] = [];
    server.use(
      http.get("*/api/v1/identities", ({ request }) => {
        searches.push(new URL(request.url).searchParams.get("search"));
        return HttpResponse.json({
          total: 1,
          limit: 50,
          offset: 0,
          data: [identity()],
        });
      }),
    );
    renderRoutes(routes, "/identities");
    await screen.findByRole("table", { name: "Identities" });
    await userEvent.type(
      screen.getByLabelText("Search"),
      "evil.example.net:4444",
    );
    expect(
      await screen.findByText(/match “evil.example.net:4444”/),
    ).toBeInTheDocument();
    expect(searches).toEqual([null, "evil.example.net:4444"]);
  });

  it("explains a search without match", async () => {
    server.use(
      http.get("*/api/v1/identities", () =>
        HttpResponse.json({ total: 0, limit: 50, offset: 0, data: [] }),
      ),
    );
    renderRoutes(routes, "/identities?q=ec7378c1a92f5a8dde7e8b7a1ddf33d1");
    expect(
      await screen.findByText(
        "No identity matches “ec7378c1a92f5a8dde7e8b7a1ddf33d1”",
      ),
    ).toBeInTheDocument();
    expect(
      screen.queryByText("No identities yet: the clusterer has not run"),
    ).not.toBeInTheDocument();
  });

  it("explains an IP without identity", async () => {
    server.use(
      http.get("*/api/v1/identities", () =>
        HttpResponse.json({ total: 0, limit: 50, offset: 0, data: [] }),
      ),
      http.get("*/api/v1/attackers", ({ request }) => {
        const ip = new URL(request.url).searchParams.get("ip");
        return HttpResponse.json({
          total: 1,
          limit: 1,
          offset: 0,
          data: [attacker({ ip: ip ?? "", identity_id: null })],
        });
      }),
    );
    renderRoutes(routes, "/identities?q=198.51.100.7");
    expect(
      await screen.findByText(
        "198.51.100.7 is not resolved to an identity yet",
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByRole("link", { name: "Open the attacker" }),
    ).toHaveAttribute("href", expect.stringMatching(/^\/attackers\//));
  });
});
