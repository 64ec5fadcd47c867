import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { FastifyInstance } from "fastify";
import { type BrowserContext, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Project, ensureProject } from "../../src/projects/index.js";
import { buildServer } from "../../src/server.js";
import { createServices } from "../../src/services.js";
import { type TestDb, createTestDb } from "../helpers/db.js";
import { type FakeGitHub, startFakeGitHub } from "../helpers/fake-github.js";

/**
 * The dashboard in real headless Chromium: the real server on a loopback port with seeded data,
 * a fake GitHub for the sign-in, and a browser that goes through the whole flow with JavaScript
 * off (the page must work without it).
 */

const CHROMIUM = "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(
    `dashboard e2e skipped: ${CHROMIUM} not found (Debian/Ubuntu: apt-get install -y chromium)`,
  );
}

const HOUR = 3_600_000;
const SCREENSHOT = resolve("test-output/dashboard.png");

let testDb: TestDb;
let app: FastifyInstance;
let github: FakeGitHub;
let context: BrowserContext;
let profileDir: string;
let base: string;
let shop: Project;
let clockOffsetMs = 0;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  if (!address || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** One report through the real HTTP endpoint, `hoursAgo` in the past by the server's clock. */
async function report(project: Project, body: Record<string, unknown>, hoursAgo: number) {
  clockOffsetMs = hoursAgo * HOUR;
  const response = await fetch(`${base}/api/reports`, {
    method: "POST",
    headers: { authorization: `Bearer ${project.ingestKey}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  clockOffsetMs = 0;
  expect(response.status).toBe(202);
}

async function setIssue(project: Project, number: number, values: Record<string, string>) {
  await testDb.db
    .updateTable("bugs")
    .set(values)
    .where("project_id", "=", project.id)
    .where("number", "=", number)
    .execute();
}

describe.skipIf(!hasChromium)("dashboard in Chromium", () => {
  beforeAll(async () => {
    testDb = await createTestDb();
    ({ project: shop } = await ensureProject(testDb.db, { fullName: "octo-org/shop", repoId: 10 }));
    const { project: secret } = await ensureProject(testDb.db, {
      fullName: "octo-org/secret",
      repoId: 20,
    });
    github = await startFakeGitHub({
      clientId: "Iv1.e2e",
      clientSecret: "e2e-secret",
      user: { login: "octocat", id: 583231 },
      // Two installations, one repository per page: the sign-in must follow every Link.
      installations: {
        1: [{ id: 10, full_name: "octo-org/shop" }],
        2: [
          { id: 30, full_name: "octo-org/docs" },
          { id: 31, full_name: "octo-org/site" },
        ],
      },
    });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const services = createServices({
      db: testDb.db,
      clock: () => new Date(Date.now() - clockOffsetMs),
    });
    app = await buildServer({
      ...services,
      dashboard: {
        oauth: { clientId: "Iv1.e2e", clientSecret: "e2e-secret" },
        githubUrl: github.url,
        githubApiUrl: github.apiUrl,
        publicUrl: base,
        sessionTtlMs: HOUR,
      },
    });
    await app.listen({ port, host: "127.0.0.1" });

    // A trend over several hours, an issue link, a bug titled like an attack, another repo's bug.
    for (const hoursAgo of [0, 1, 1, 1, 2, 5, 5, 9, 20]) {
      await report(shop, { error_type: "TypeError", message: "cart is undefined" }, hoursAgo);
    }
    await report(shop, { error_type: "RangeError", message: "bad quantity" }, 3);
    await report(shop, { error_type: "XssError", message: "x" }, 4);
    await report(secret, { error_type: "SecretError", message: "private matter" }, 1);
    await setIssue(shop, 1, { issue_url: `${github.url}/octo-org/shop/issues/42` });
    await setIssue(shop, 3, {
      title: `<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">`,
    });

    profileDir = mkdtempSync(join(tmpdir(), "faultline-e2e-"));
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      javaScriptEnabled: false,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
      viewport: { width: 1200, height: 900 },
    });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
    await app?.close();
    await github?.close();
    await testDb?.close();
  });

  it("signs in through GitHub and shows the chart, the top bugs and their issue links", async () => {
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });

    await page.goto(`${base}/dashboard`);
    await page.click("#sign-in");
    await page.waitForURL(`${github.url}/login/oauth/authorize?**`);
    await page.click("#authorize");
    await page.waitForURL(`${base}/dashboard`);
    expect(await page.textContent("header")).toContain("Signed in as octocat");
    expect(github.requests.filter((r) => r.startsWith("GET /api/v3/user/installations"))).toEqual(
      expect.arrayContaining([
        "GET /api/v3/user/installations?per_page=100&page=2",
        "GET /api/v3/user/installations/2/repositories?per_page=100&page=2",
      ]),
    );

    // The picker lists the readable project only; choose it with the form (no script).
    const options = await page.locator("#repo option").allTextContents();
    expect(options).toEqual(["All repositories (1)", "octo-org/shop"]);
    await page.selectOption("#repo", "octo-org/shop");
    await page.click("form.filters button");
    await page.waitForURL(/repo=octo-org%2Fshop/);

    const chart = page.locator("svg.trend");
    await expect.poll(() => chart.isVisible()).toBe(true);
    expect(await chart.locator("title#trend-title").textContent()).toBe(
      "Errors per hour in octo-org/shop, last 24h",
    );
    expect(await chart.locator("desc").textContent()).toMatch(/^11 errors over 24 hours; peak 3/);
    expect(await chart.locator("rect.bar").count()).toBe(24);
    const drawn = await chart.locator("rect.bar").evaluateAll((bars) =>
      bars.map((bar) => ({
        count: Number(bar.getAttribute("data-count")),
        height: bar.getBoundingClientRect().height,
      })),
    );
    expect(drawn.reduce((sum, b) => sum + b.count, 0)).toBe(11);
    for (const bar of drawn) expect(bar.height > 0).toBe(bar.count > 0);

    const rows = page.locator("#top-bugs tbody tr");
    expect(await rows.count()).toBe(3);
    const first = rows.nth(0);
    expect(await first.locator("td").nth(0).textContent()).toBe("B-001");
    expect(await first.locator("td.num").nth(0).textContent()).toBe("9");
    const link = first.locator("td").last().locator("a");
    expect(await link.textContent()).toBe("#42");
    expect(await link.getAttribute("href")).toBe(`${github.url}/octo-org/shop/issues/42`);
    // The attack title is shown as text, and ran nothing.
    expect(await page.locator("#top-bugs").textContent()).toContain(
      `<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">`,
    );
    expect(await page.locator("#top-bugs img").count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(await page.locator("#by-severity tbody tr").count()).toBe(4);
    expect(await page.locator("#by-status").textContent()).toContain("open");

    mkdirSync("test-output", { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    console.log(`dashboard screenshot: ${SCREENSHOT}`);

    // The bug's own page, and back (plain links).
    await first.locator("td").nth(0).locator("a").click();
    await page.waitForURL(/\/dashboard\/bug\?repo=octo-org%2Fshop&bug=B-001/);
    expect(await page.textContent("#bug-title")).toContain("TypeError: cart is undefined");
    expect(await page.locator("#events tbody tr").count()).toBe(9);
    await page.click("text=← octo-org/shop");
    await page.waitForURL(/\/dashboard\?repo=octo-org%2Fshop$/);

    await page.selectOption("#range", "7d");
    await page.click("form.filters button");
    await page.waitForURL(/range=7d/);
    expect(await page.locator("svg.trend rect.bar").count()).toBe(7 * 24);

    // Another repository's page: 404, none of its data.
    const hidden = await page.goto(`${base}/dashboard?repo=octo-org/secret`);
    expect(hidden?.status()).toBe(404);
    expect(await page.content()).not.toContain("private matter");

    await page.goto(`${base}/dashboard`);
    await page.click("header button");
    await page.waitForURL(`${base}/dashboard`);
    expect(await page.locator("#sign-in").isVisible()).toBe(true);
    await page.close();
  }, 120_000);
});
