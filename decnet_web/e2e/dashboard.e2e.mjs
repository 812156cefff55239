// End-to-end check of the dashboard in headless Debian Chromium against a
// running `decnet serve` whose database contains a clustered scenario.
//
// Environment: E2E_BASE_URL (http://127.0.0.1:PORT), E2E_USER and
// E2E_PASSWORD (an analyst account), E2E_ARTIFACTS (folder for
// screenshots), CHROMIUM (default /usr/bin/chromium), E2E_TRACE (any value:
// print every navigation). Exits 1 when a step fails. Later steps depend on
// earlier ones, so they are then not run.

import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const baseUrl = required("E2E_BASE_URL");
const username = required("E2E_USER");
const password = required("E2E_PASSWORD");
const artifacts = process.env.E2E_ARTIFACTS ?? "artifacts/e2e";
const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
const STEP_TIMEOUT_MS = 30_000;

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`missing environment variable ${name}; see the header`);
    process.exit(2);
  }
  return value;
}

function check(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}

/** Call the API as the analyst, outside the browser. */
async function apiCall(token, method, path, body) {
  const response = await fetch(new URL(path, baseUrl), {
    method,
    headers: {
      "Content-Type": "application/json",
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  check(
    response.ok,
    `${method} ${path} returned HTTP ${response.status}: ${text}`,
  );
  return JSON.parse(text);
}

const profile = mkdtempSync(join(tmpdir(), "decnet-e2e-profile-"));
mkdirSync(artifacts, { recursive: true });

// A persistent context on a fresh, empty profile folder: Playwright's
// own way of passing --user-data-dir.
const context = await chromium.launchPersistentContext(profile, {
  executablePath,
  headless: true,
  // A common laptop screen; pages must read without sideways scrolling.
  viewport: { width: 1280, height: 800 },
  args: [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
const page = await context.newPage();
page.setDefaultTimeout(STEP_TIMEOUT_MS);
if (process.env.E2E_TRACE)
  page.on("framenavigated", (f) => console.log("nav", f.url()));
const consoleErrors = [];
page.on("console", (message) => {
  if (message.type() === "error") {
    consoleErrors.push(message.text());
  }
});

const state = {};
let passed = 0;
let failed = 0;
let skipped = 0;

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve("axe-core/axe.min.js"),
  "utf8",
);
const accessibilityProblems = [];

/** Run axe-core on the page and record serious and critical violations. */
async function checkAccessibility(name) {
  await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa"] },
    });
    return result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.nodes.length}): ${v.help}`);
  });
  for (const violation of violations) {
    accessibilityProblems.push(`${name}: ${violation}`);
  }
}

/**
 * Save a screenshot and check the page. `fullPage: false` keeps a modal
 * dialog's fixed backdrop from covering only part of a tall page.
 */
async function shot(name, { fullPage = true } = {}) {
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage });
  if (!name.startsWith("failure")) {
    await checkAccessibility(name);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    if (overflow > 0) {
      accessibilityProblems.push(
        `${name}: the page is ${overflow} px wider than the window`,
      );
    }
  }
}

const steps = [
  [
    "login page shows the sign-in form",
    async () => {
      await page.goto(new URL("/identities", baseUrl).href);
      await page.getByLabel("User name").waitFor();
      await shot("01-login");
    },
  ],
  [
    "signing in opens the identity list",
    async () => {
      await page.getByLabel("User name").fill(username);
      await page.getByLabel("Password").fill(password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("heading", { name: "Identities" }).waitFor();
      const rows = page
        .getByRole("table", { name: "Identities" })
        .locator("tbody tr");
      await rows.first().waitFor();
      check((await rows.count()) >= 2, "expected at least two identities");
      await page
        .getByRole("status", { name: "Live updates" })
        .getByText("Live")
        .waitFor();
      await shot("02-identities");
    },
  ],
  [
    "search finds the largest identity by its C2 endpoint",
    async () => {
      const login = await apiCall(null, "POST", "/api/v1/auth/login", {
        username,
        password,
      });
      state.token = login.access_token;
      const bySize = await apiCall(
        state.token,
        "GET",
        "/api/v1/identities?limit=50&offset=0&sort=observations",
      );
      check(
        bySize.data.length >= 2,
        "the scenario has fewer than two identities",
      );
      const largest = bySize.data[0];
      check(
        largest.observation_count >= 2,
        "the largest identity has a single observation",
      );
      // The merge below makes the largest identity the winner and the
      // last row of the first page by size the loser.
      state.winner = largest.uuid;
      state.loser = bySize.data[bySize.data.length - 1].uuid;
      state.other = bySize.data[1].uuid;
      state.campaign = largest.campaign_id;
      check(state.campaign, "the largest identity has no campaign");
      const endpoint = largest.c2_endpoints?.[0];
      check(endpoint, "the largest identity has no C2 endpoint");

      await page.getByLabel("Search").fill(endpoint);
      await page.waitForURL(/[?&]q=/);
      const table = page.getByRole("table", { name: "Identities" });
      await table
        .getByRole("link", { name: `Identity ${state.winner}` })
        .waitFor();
      await page.getByText(`match “${endpoint}”`).waitFor();
      await shot("03-identities-search");
      await page.getByLabel("Search").fill("");
      await page.waitForURL((url) => !url.searchParams.has("q"));
      await page.getByText(/^[\d,]+ canonical identities$/).waitFor();
    },
  ],
  [
    "sorting by observations puts the largest first",
    async () => {
      await page
        .getByLabel("Sort by")
        .selectOption({ label: "Most observations" });
      await page.waitForURL(/sort=observations/);
      const firstRow = page
        .getByRole("table", { name: "Identities" })
        .locator("tbody tr")
        .first();
      await firstRow
        .getByRole("link", { name: `Identity ${state.winner}` })
        .waitFor();
      check(
        (await firstRow.getByText(/CAMPAIGN ·/).count()) === 1,
        "the largest identity's row has no campaign badge",
      );
      await shot("04-identities-by-observations");
    },
  ],
  [
    "a merge made elsewhere arrives live in the list",
    async () => {
      const loserLink = page.getByRole("link", {
        name: `Identity ${state.loser}`,
      });
      await loserLink.waitFor();
      await apiCall(
        state.token,
        "POST",
        `/api/v1/identities/${state.winner}/merge`,
        { loser_uuid: state.loser, reason: "end-to-end test" },
      );
      // The browser learns of the merge only through the event stream.
      await loserLink.waitFor({ state: "detached" });
      await page.getByTestId("live-count").waitFor();
      await shot("05-identities-after-live-merge");
    },
  ],
  [
    "a merged-away identity links to its winner",
    async () => {
      await page.goto(new URL(`/identities/${state.loser}`, baseUrl).href);
      const merged = page.getByRole("link", {
        name: `Merged into identity ${state.winner}`,
      });
      await merged.waitFor();
      check(
        (await merged.textContent()).includes(
          `MERGED INTO ${state.winner.slice(0, 8)}`,
        ),
        "the merged link does not name the winner's prefix",
      );
      await shot("06-identity-merged-away");
      await merged.click();
      await page.waitForURL(`**/identities/${state.winner}`);
      await page.getByRole("table", { name: "Observations" }).waitFor();
      await page.getByRole("heading", { name: "Evidence" }).waitFor();
      // A clustered identity of two or more observations has links.
      await page.getByRole("img", { name: /Evidence graph/ }).waitFor();
      const badge = page.getByRole("link", {
        name: `Campaign ${state.campaign}`,
      });
      check(
        (await badge.textContent()).includes(
          `CAMPAIGN · ${state.campaign.slice(0, 8)}`,
        ),
        "the campaign badge does not name the campaign's prefix",
      );
      check(
        (await page.getByText(/MERGED INTO/).count()) === 0,
        "the winner still shows a merged link",
      );
      await shot("07-identity-detail");
    },
  ],
  [
    "an analyst edits the notes and they persist",
    async () => {
      const note = `Reviewed in the end-to-end test at ${new Date().toISOString()}`;
      const box = page.getByLabel("Notes on this identity");
      await box.fill(note);
      await page.getByRole("button", { name: "Save notes" }).click();
      await page.getByText("Notes saved.").waitFor();
      await page.reload();
      await page.getByLabel("Notes on this identity").waitFor();
      check(
        (await page.getByLabel("Notes on this identity").inputValue()) === note,
        "the notes did not survive a reload",
      );
    },
  ],
  [
    "cannot-link asks for confirmation, then is recorded",
    async () => {
      await page.getByLabel("Other identity uuid").fill(state.other);
      await page.getByRole("button", { name: /^Mark cannot-link/ }).click();
      const dialog = page.getByRole("alertdialog", {
        name: "Mark as different actors?",
      });
      await dialog.waitFor();
      const text = await dialog.textContent();
      check(
        text.includes(state.other.slice(0, 8)) &&
          text.includes("Nothing moves now"),
        "the confirmation does not say what will change",
      );
      await shot("07b-identity-confirm-cannot-link", { fullPage: false });
      await dialog.getByRole("button", { name: "Mark cannot-link" }).click();
      await page
        .getByRole("status")
        .getByText(/are different actors\./)
        .waitFor();
      const decisions = await apiCall(
        state.token,
        "GET",
        `/api/v1/decisions?subject=${state.winner}&kind=cannot_link`,
      );
      check(decisions.total === 1, "the cannot-link decision was not stored");
    },
  ],
  [
    "an observation opens its attacker page with the identity badge",
    async () => {
      const table = page.getByRole("table", { name: "Observations" });
      await table.locator("tbody tr a").first().click();
      await page.waitForURL("**/attackers/*");
      const attackerUuid = new URL(page.url()).pathname.split("/").pop();
      const attacker = await apiCall(
        state.token,
        "GET",
        `/api/v1/attackers/${attackerUuid}`,
      );
      check(attacker.identity_id, "the observation has no identity_id");
      check(
        attacker.canonical_identity_id === state.winner,
        "the observation does not resolve to the winner",
      );
      const badge = page.getByRole("link", {
        name: `Identity ${attacker.identity_id}`,
      });
      await badge.waitFor();
      check(
        (await badge.textContent()).includes(
          `IDENTITY · ${attacker.identity_id.slice(0, 8)}`,
        ),
        "the identity badge does not name the identity's prefix",
      );
      await page.getByRole("heading", { name: "Sessions" }).waitFor();
      check(
        (await page.getByText(/^(typed|pasted|input unknown)$/).count()) >= 1,
        "no session shows a typed, pasted or input-unknown marker",
      );
      await page.getByRole("heading", { name: "Identity history" }).waitFor();
      // The clusterer recorded at least the link to the identity.
      await page
        .getByRole("list", { name: "Identity history" })
        .getByRole("listitem")
        .first()
        .waitFor();
      await shot("08-attacker-detail");
      await badge.click();
      await page.waitForURL(`**/identities/${attacker.identity_id}`);
      await page.getByRole("heading", { name: /Identity/, level: 1 }).waitFor();
    },
  ],
  [
    "the attacker list pages on the server",
    async () => {
      await page
        .getByRole("navigation", { name: "Main" })
        .getByRole("link", { name: "Attackers" })
        .click();
      const table = page.getByRole("table", { name: "Attackers" });
      await table.waitFor();
      await page
        .getByRole("navigation", { name: "Attacker pages" })
        .getByRole("button", { name: "Next" })
        .click();
      await page.waitForURL(/offset=50/);
      await table.locator("tbody tr").first().waitFor();
      await shot("09-attackers");
    },
  ],
  [
    "the campaign list loads",
    async () => {
      await page
        .getByRole("navigation", { name: "Main" })
        .getByRole("link", { name: "Campaigns" })
        .click();
      await page.getByRole("heading", { name: "Campaigns" }).waitFor();
      await page
        .getByRole("table", { name: "Campaigns" })
        .or(page.getByText(/No campaigns yet/))
        .waitFor();
      await shot("10-campaigns");
    },
  ],
  [
    "the keyboard reaches and opens an identity",
    async () => {
      await page
        .getByRole("navigation", { name: "Main" })
        .getByRole("link", { name: "Identities" })
        .click();
      await page.getByRole("table", { name: "Identities" }).waitFor();
      // Search box, then the sort control, then the first row's link.
      await page.getByLabel("Search").focus();
      await page.keyboard.press("Tab");
      check(
        await page
          .getByLabel("Sort by")
          .evaluate((element) => element === document.activeElement),
        "Tab from the search box does not reach the sort control",
      );
      await page.keyboard.press("Tab");
      const focused = await page.evaluate(() =>
        document.activeElement?.getAttribute("aria-label"),
      );
      check(
        focused?.startsWith("Identity "),
        `Tab from the sort control reaches ${focused}, not an identity link`,
      );
      await page.keyboard.press("Enter");
      await page.waitForURL(
        `**/identities/${focused.slice("Identity ".length)}`,
      );
      await page.getByRole("heading", { name: /Identity/, level: 1 }).waitFor();
    },
  ],
  [
    "an expired session returns to the login page with a notice",
    async () => {
      // Forge an unusable token, as if the server's secret had rotated.
      await page.evaluate(() => {
        const raw = window.sessionStorage.getItem("decnet.session");
        const session = JSON.parse(raw);
        session.token = "invalid.token.value";
        window.sessionStorage.setItem(
          "decnet.session",
          JSON.stringify(session),
        );
      });
      await page.goto(new URL("/identities", baseUrl).href);
      await page
        .getByText("Your session expired. Sign in again to continue.")
        .waitFor();
      await shot("11-session-expired");
    },
  ],
];

let broken = false;
for (const [name, run] of steps) {
  if (broken) {
    skipped += 1;
    console.log(`SKIP ${name}`);
    continue;
  }
  try {
    await run();
    passed += 1;
    console.log(`PASS ${name}`);
  } catch (error) {
    failed += 1;
    broken = true;
    console.log(`FAIL ${name}: ${error.message.split("\n")[0]}`);
    // The token stays out of the log.
    const { winner, loser } = state;
    console.log(`  at ${page.url()} with ${JSON.stringify({ winner, loser })}`);
    await shot(`failure-${passed + failed}`).catch(() => {});
  }
}

if (accessibilityProblems.length > 0) {
  failed += 1;
  console.log("FAIL pages meet WCAG 2 A and AA (axe-core):");
  console.log(`  ${accessibilityProblems.join("\n  ")}`);
} else if (!broken) {
  passed += 1;
  console.log("PASS pages meet WCAG 2 A and AA (axe-core)");
}

if (consoleErrors.length > 0) {
  console.log(`browser console errors:\n  ${consoleErrors.join("\n  ")}`);
}
await context.close();
rmSync(profile, { recursive: true, force: true });
console.log(`e2e: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
