// Time the dashboard's identity list in headless Debian Chromium.
//
// Environment: BENCH_BASE_URL, BENCH_USER, BENCH_PASSWORD, BENCH_RUNS
// (page loads per case, default 10), BENCH_SEARCHES (JSON list of
// [case name, search text]), CHROMIUM (default /usr/bin/chromium).
// Prints one JSON line per case: the page address, its median and worst
// time from navigation to the table's rows on screen, the DOM element
// count, and the JS heap in use.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const baseUrl = process.env.BENCH_BASE_URL;
const runs = Number(process.env.BENCH_RUNS ?? 10);
const profile = mkdtempSync(join(tmpdir(), "decnet-bench-profile-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  viewport: { width: 1440, height: 900 },
  args: [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-precise-memory-info",
  ],
});
const page = await context.newPage();

await page.goto(new URL("/login", baseUrl).href);
await page.getByLabel("User name").fill(process.env.BENCH_USER);
await page.getByLabel("Password").fill(process.env.BENCH_PASSWORD);
await page.getByRole("button", { name: "Sign in" }).click();
const rows = page
  .getByRole("table", { name: "Identities" })
  .locator("tbody tr");
await rows.first().waitFor({ timeout: 60_000 });
const total = Number(
  (await page.getByText(/canonical identities/).textContent()).replace(
    /[^0-9]/g,
    "",
  ),
);

const lastOffset = Math.floor((total - 1) / 50) * 50;
const cases = [
  ["first page", "/identities"],
  ["middle page", `/identities?offset=${Math.floor(total / 100) * 50}`],
  ["last page", `/identities?offset=${lastOffset}`],
  ["most observations, first page", "/identities?sort=observations"],
  ["last seen, last page", `/identities?sort=last_seen&offset=${lastOffset}`],
];
for (const [name, text] of JSON.parse(process.env.BENCH_SEARCHES ?? "[]")) {
  cases.push([name, `/identities?q=${encodeURIComponent(text)}`]);
}

for (const [name, address] of cases) {
  const times = [];
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    await page.goto(new URL(address, baseUrl).href);
    await rows.first().waitFor({ timeout: 60_000 });
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const dom = await page.evaluate(() => ({
    elements: document.getElementsByTagName("*").length,
    rows: document.querySelectorAll("tbody tr").length,
    heapMb: performance.memory
      ? performance.memory.usedJSHeapSize / 2 ** 20
      : null,
  }));
  console.log(
    JSON.stringify({
      case: name,
      address,
      total,
      runs,
      median_ms: times[Math.floor(times.length / 2)],
      max_ms: times[times.length - 1],
      ...dom,
    }),
  );
}

await context.close();
rmSync(profile, { recursive: true, force: true });
