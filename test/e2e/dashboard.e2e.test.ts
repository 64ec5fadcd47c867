import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { FastifyInstance } from "fastify";
import { type BrowserContext, type Page, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Project, ensureProject } from "../../src/projects/index.js";
import { buildServer } from "../../src/server.js";
import { createServices } from "../../src/services.js";
import { type TestDb, createTestDb } from "../helpers/db.js";
import { type FakeGitHub, startFakeGitHub } from "../helpers/fake-github.js";
import { pythonDjangoChained } from "../unit/sentry/sdk-payloads.js";

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
/** A phone's width (iPhone 12–15): no page may be wider than this. */
const NARROW = 390;

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

/** A Sentry event (sentry-python, Django, a chained exception) through the store endpoint. */
async function sentryEvent(project: Project, hoursAgo: number, release: string) {
  clockOffsetMs = hoursAgo * HOUR;
  const response = await fetch(`${base}/api/${project.id}/store/`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-sentry-auth": `Sentry sentry_version=7, sentry_key=${project.ingestKey}`,
    },
    body: JSON.stringify({
      ...pythonDjangoChained,
      event_id: randomUUID().replaceAll("-", ""),
      timestamp: (Date.now() - hoursAgo * HOUR) / 1000,
      release,
      tags: {
        region: "eu-west-1",
        "browser.name": "a-tag-value-long-enough-to-wrap-on-a-phone-screen",
      },
    }),
  });
  clockOffsetMs = 0;
  expect(response.status).toBe(200);
}

/** Signs in through the fake GitHub, unless the browser's session is still on. */
async function signIn(page: Page) {
  await page.goto(`${base}/dashboard`);
  if ((await page.locator("#sign-in").count()) === 0) return;
  await page.click("#sign-in");
  await page.waitForURL(`${github.url}/login/oauth/authorize?**`);
  await page.click("#authorize");
  await page.waitForURL(`${base}/dashboard`);
}

/** How wide the page is laid out (its scroll width), and its narrowest bug title cell. */
async function layoutWidths(
  page: Page,
): Promise<{ page: number; narrowestTitle: number | null; sticking: string[] }> {
  // A string: this runs in the page, whose DOM types this Node project does not load.
  return page.evaluate(`(() => {
    const titles = [...document.querySelectorAll("td.title")].map(
      (cell) => cell.getBoundingClientRect().width,
    );
    // What sticks out, for the failure message: elements past the right edge of the window.
    const sticking = [...document.querySelectorAll("body *")]
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5)
      .filter((el) => !el.closest(".scroll, pre, svg"))
      .slice(0, 5)
      .map((el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
        (el.className && typeof el.className === "string" ? "." + el.className.split(" ").join(".") : ""));
    return {
      page: document.documentElement.scrollWidth,
      narrowestTitle: titles.length > 0 ? Math.min(...titles) : null,
      sticking,
    };
  })()`);
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
    // B-004: a full Sentry event, twice (two releases), outside the busiest hour.
    await sentryEvent(shop, 12, "shop@3.0.9");
    await sentryEvent(shop, 6, "shop@3.1.0");
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

    await signIn(page);
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
    expect(await chart.locator("desc").textContent()).toMatch(/^13 errors over 24 hours; peak 3/);
    expect(await chart.locator("rect.bar").count()).toBe(24);
    const drawn = await chart.locator("rect.bar").evaluateAll((bars) =>
      bars.map((bar) => ({
        count: Number(bar.getAttribute("data-count")),
        height: bar.getBoundingClientRect().height,
      })),
    );
    expect(drawn.reduce((sum, b) => sum + b.count, 0)).toBe(13);
    for (const bar of drawn) expect(bar.height > 0).toBe(bar.count > 0);

    const rows = page.locator("#top-bugs tbody tr");
    expect(await rows.count()).toBe(4);
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
    // 30 days by the day.
    await page.selectOption("#range", "30d");
    await page.click("form.filters button");
    await page.waitForURL(/range=30d/);
    expect(await page.locator("svg.trend rect.bar").count()).toBe(30);
    expect(await page.locator("svg.trend title#trend-title").textContent()).toBe(
      "Errors per day in octo-org/shop, last 30d",
    );

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

  it("finds a bug in the list, reads its latest event in full and pages to an older one", async () => {
    const page = await context.newPage();
    await signIn(page);
    await page.goto(`${base}/dashboard/bugs?repo=octo-org/shop`);
    expect(await page.locator("#bugs tbody tr").count()).toBe(4);
    // The filter form, without script.
    await page.selectOption("#filter-category", "programming_error");
    await page.fill("#filter-q", "CartError");
    await page.click("#bug-filters button");
    await page.waitForURL(/category=programming_error/);
    const found = page.locator("#bugs tbody tr");
    expect(await found.count()).toBe(1);
    expect(await found.locator("td").nth(0).textContent()).toBe("B-004");

    await found.locator("td a").first().click();
    await page.waitForURL(/\/dashboard\/bug\?repo=octo-org%2Fshop&bug=B-004/);
    expect(await page.textContent("#bug-category")).toBe("programming error");
    expect(await page.textContent("#exception")).toContain(
      "raised from (nearest first):KeyError: 'sku'",
    );
    expect(await page.locator("#stack li.app").count()).toBe(1);
    // Library frames are folded; a click on the summary opens them (no script needed).
    const folded = page.locator("#stack details");
    expect(await folded.getAttribute("open")).toBeNull();
    expect(await page.locator("#stack li.lib").first().isVisible()).toBe(false);
    await folded.locator("summary").click();
    expect(await page.locator("#stack li.lib").first().isVisible()).toBe(true);
    expect(await page.textContent("#request")).toContain(
      "https://shop.example.com/api/cart/7/total",
    );
    expect(await page.textContent("#tags")).toContain("eu-west-1");
    expect(await page.textContent("#breadcrumbs")).toContain("pricing cart 7");
    expect(await page.textContent("#bug-facts")).toContain("shop@3.0.9");
    expect(await page.locator("svg title#bug-trend-title").count()).toBe(1);

    await page.screenshot({ path: resolve("test-output/bug.png"), fullPage: true });
    await page.click("#event-nav a[rel=next]");
    await page.waitForURL(/event=\d+/);
    expect(await page.textContent("#event-facts")).toContain("shop@3.0.9");
    expect(await page.locator("#event-nav a[rel=next]").count()).toBe(0);

    await page.click(".ranges a:text-is('30d')");
    await page.waitForURL(/range=30d/);
    expect(await page.locator("svg.trend rect.bar").count()).toBe(30);
    await page.close();
  }, 120_000);

  it(`lays every page out within ${NARROW} px, titles on whole words`, async () => {
    const page = await context.newPage();
    await page.setViewportSize({ width: NARROW, height: 844 });
    await signIn(page);
    mkdirSync("test-output", { recursive: true });
    const pages = {
      overview: "/dashboard?repo=octo-org/shop",
      "overview-30d": "/dashboard?repo=octo-org/shop&range=30d",
      bugs: "/dashboard/bugs?repo=octo-org/shop",
      bug: "/dashboard/bug?repo=octo-org/shop&bug=B-004",
      "bug-xss": "/dashboard/bug?repo=octo-org/shop&bug=B-003",
    };
    const measured: Record<string, unknown> = {};
    for (const [name, path] of Object.entries(pages)) {
      await page.goto(`${base}${path}`);
      const widths = await layoutWidths(page);
      measured[name] = widths;
      expect({ name, width: widths.page, sticking: widths.sticking }).toEqual({
        name,
        width: NARROW,
        sticking: [],
      });
      // A title cell narrower than this breaks words into syllables, one per line.
      if (widths.narrowestTitle !== null) expect(widths.narrowestTitle).toBeGreaterThanOrEqual(150);
      await page.screenshot({ path: resolve(`test-output/${name}-${NARROW}.png`), fullPage: true });
    }
    console.log(`widths at ${NARROW} px: ${JSON.stringify(measured)}`);
    // The bug's title runs the width of the page, not a narrow column.
    await page.goto(`${base}${pages.bug}`);
    const title = await page.locator("#bug-title .title").boundingBox();
    expect(title?.width ?? 0).toBeGreaterThan(250);
    await page.close();
  }, 120_000);
});
