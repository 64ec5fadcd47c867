import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { DashboardSettings } from "../../src/dashboard/index.js";
import { type Project, ensureProject } from "../../src/projects/index.js";
import { buildTestApp } from "../helpers/app.js";
import { type TestDb, createTestDb } from "../helpers/db.js";
import { pythonDjangoChained } from "../unit/sentry/sdk-payloads.js";

const WEB = "https://github.com";
const API = "https://api.github.com";
const PUBLIC_URL = "https://faultline.example";
const HOUR = 3_600_000;

const SETTINGS: DashboardSettings = {
  oauth: { clientId: "Iv1.client", clientSecret: "shh-secret" },
  githubUrl: WEB,
  githubApiUrl: API,
  publicUrl: PUBLIC_URL,
  sessionTtlMs: 8 * HOUR,
};

let testDb: TestDb;
let app: FastifyInstance;
let shop: Project;
let now: Date;

beforeAll(async () => {
  testDb = await createTestDb();
  nock.disableNetConnect();
});
afterAll(async () => {
  await app?.close();
  await testDb.close();
  nock.enableNetConnect();
});
beforeEach(async () => {
  await app?.close();
  await testDb.truncate();
  now = new Date("2026-11-23T12:30:00Z");
  ({ app, project: shop } = await buildTestApp(testDb.db, {
    clock: () => now,
    extra: { dashboard: SETTINGS },
  }));
});
afterEach(() => {
  // Every GitHub call a test set up was made, and no other.
  expect(nock.pendingMocks()).toEqual([]);
  nock.cleanAll();
});

async function report(project: Project, body: Record<string, unknown>, at: Date) {
  const saved = now;
  now = at;
  const response = await app.inject({
    method: "POST",
    url: "/api/reports",
    headers: { authorization: `Bearer ${project.ingestKey}` },
    payload: body,
  });
  now = saved;
  expect(response.statusCode).toBe(202);
  return response.json() as { bug: string };
}

async function setBug(
  project: Project,
  ref: string,
  values: { title?: string; issue_url?: string },
) {
  await testDb.db
    .updateTable("bugs")
    .set(values)
    .where("project_id", "=", project.id)
    .where("number", "=", Number(ref.slice(2)))
    .execute();
}

/** GitHub's side of one sign-in: token exchange, the user, two pages of installations. */
function nockGitHub(repos: { id: number; full_name: string }[], code = "good-code") {
  const token = "ghu_user_token";
  const auth = { reqheaders: { authorization: `Bearer ${token}` } };
  nock(WEB)
    .post("/login/oauth/access_token", (body) => {
      return (
        body.code === code &&
        body.client_id === "Iv1.client" &&
        body.client_secret === "shh-secret" &&
        body.redirect_uri === `${PUBLIC_URL}/dashboard/auth/callback`
      );
    })
    .reply(200, { access_token: token, token_type: "bearer" });
  nock(API, auth).get("/user").reply(200, { login: "octocat", id: 583231 });
  nock(API, auth)
    .get("/user/installations")
    .query({ per_page: "100" })
    .reply(
      200,
      { total_count: 2, installations: [{ id: 1 }] },
      { link: `<${API}/user/installations?per_page=100&page=2>; rel="next"` },
    );
  nock(API, auth)
    .get("/user/installations")
    .query({ per_page: "100", page: "2" })
    .reply(200, { total_count: 2, installations: [{ id: 2 }] });
  nock(API, auth)
    .get("/user/installations/1/repositories")
    .query({ per_page: "100" })
    .reply(200, { total_count: repos.length, repositories: repos });
  nock(API, auth)
    .get("/user/installations/2/repositories")
    .query({ per_page: "100" })
    .reply(200, { total_count: 0, repositories: [] });
}

/** Starts sign-in; returns GitHub's authorize URL and the state cookie. */
async function startLogin(next = "/dashboard") {
  const response = await app.inject({
    method: "GET",
    url: `/dashboard/login?next=${encodeURIComponent(next)}`,
  });
  expect(response.statusCode).toBe(302);
  const location = new URL(String(response.headers.location));
  const cookie = response.cookies.find((c) => c.name === "faultline_oauth_state");
  expect(cookie).toBeDefined();
  return { location, response, stateCookie: cookie?.value ?? "" };
}

async function signIn(repos: { id: number; full_name: string }[]) {
  const { location, stateCookie } = await startLogin();
  nockGitHub(repos);
  const response = await app.inject({
    method: "GET",
    url: `/dashboard/auth/callback?code=good-code&state=${location.searchParams.get("state")}`,
    cookies: { faultline_oauth_state: stateCookie },
  });
  expect(response.statusCode).toBe(303);
  const session = response.cookies.find((c) => c.name === "faultline_session");
  expect(session?.value).toBeTruthy();
  return { response, session: session?.value ?? "" };
}

function dashboard(session: string, query = "") {
  return app.inject({
    method: "GET",
    url: `/dashboard${query}`,
    cookies: { faultline_session: session },
  });
}

describe("/dashboard sign-in", () => {
  it("explains the setup when the App has no OAuth credentials", async () => {
    const bare = await buildTestApp(testDb.db, { extra: {} });
    const response = await bare.app.inject({ method: "GET", url: "/dashboard" });
    await bare.app.close();
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toMatch(/text\/html/);
    expect(response.body).toContain("GITHUB_CLIENT_ID");
    expect(response.body).toContain("GITHUB_CLIENT_SECRET");
    expect(response.body).toContain("/dashboard/auth/callback");
  });

  it("shows a sign-in link to a visitor without a session", async () => {
    const response = await app.inject({ method: "GET", url: "/dashboard?range=7d" });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('href="/dashboard/login?next=%2Fdashboard%3Frange%3D7d"');
    expect(response.headers["content-security-policy"]).toContain("default-src 'none'");
  });

  it("redirects to GitHub's authorize page with a fresh state kept in an HttpOnly cookie", async () => {
    const first = await startLogin();
    const second = await startLogin();
    const { location, stateCookie } = first;
    expect(location.origin + location.pathname).toBe(`${WEB}/login/oauth/authorize`);
    expect(location.searchParams.get("client_id")).toBe("Iv1.client");
    expect(location.searchParams.get("redirect_uri")).toBe(`${PUBLIC_URL}/dashboard/auth/callback`);
    const state = location.searchParams.get("state") ?? "";
    expect(state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(second.location.searchParams.get("state")).not.toBe(state);
    expect(stateCookie.startsWith(`${state}.`)).toBe(true);
    const cookie = first.response.cookies.find((c) => c.name === "faultline_oauth_state");
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax", secure: true });
  });

  it("rejects a callback whose state does not match, without calling GitHub", async () => {
    const { stateCookie } = await startLogin();
    const forged = await app.inject({
      method: "GET",
      url: "/dashboard/auth/callback?code=good-code&state=forged",
      cookies: { faultline_oauth_state: stateCookie },
    });
    expect(forged.statusCode).toBe(400);
    expect(forged.body).toContain("Sign in again");
    const noCookie = await app.inject({
      method: "GET",
      url: `/dashboard/auth/callback?code=good-code&state=${stateCookie.split(".")[0]}`,
    });
    expect(noCookie.statusCode).toBe(400);
    const sessions = await testDb.db.selectFrom("dashboard_sessions").selectAll().execute();
    expect(sessions).toEqual([]);
  });

  it("signs in: a Secure HttpOnly Lax session cookie, a session row without the GitHub token", async () => {
    const other = await ensureProject(testDb.db, { fullName: "octo-org/secret", repoId: 99 });
    const { response, session } = await signIn([{ id: 10, full_name: "Octo-Org/Shop" }]);
    expect(response.headers.location).toBe("/dashboard");
    const cookie = response.cookies.find((c) => c.name === "faultline_session");
    expect(cookie).toMatchObject({
      httpOnly: true,
      sameSite: "Lax",
      secure: true,
      path: "/dashboard",
      maxAge: 8 * 3600,
    });
    const rows = await testDb.db.selectFrom("dashboard_sessions").selectAll().execute();
    expect(rows).toHaveLength(1);
    const row = rows[0];
    expect(row?.github_login).toBe("octocat");
    expect(row?.project_ids).toEqual([shop.id]);
    expect(row?.project_ids).not.toContain(other.project.id);
    expect(row?.expires_at.toISOString()).toBe("2026-11-23T20:30:00.000Z");
    expect(JSON.stringify(row)).not.toContain(session);
    expect(JSON.stringify(row)).not.toContain("ghu_user_token");

    const page = await dashboard(session);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("Signed in as <strong>octocat</strong>");
  });

  it("matches projects that know their repository id by id, not by a reused name", async () => {
    const renamed = await ensureProject(testDb.db, { fullName: "octo-org/old-name", repoId: 11 });
    await ensureProject(testDb.db, { fullName: "octo-org/taken", repoId: 12 });
    await signIn([
      { id: 11, full_name: "octo-org/new-name" },
      // A new repository under the name of project "taken", whose repository id is 12.
      { id: 13, full_name: "octo-org/taken" },
    ]);
    const row = await testDb.db
      .selectFrom("dashboard_sessions")
      .select("project_ids")
      .executeTakeFirstOrThrow();
    expect(row.project_ids).toEqual([renamed.project.id]);
  });

  it("answers a sign-in GitHub refuses (bad code) with a page, not a crash", async () => {
    const { location, stateCookie } = await startLogin();
    nock(WEB)
      .post("/login/oauth/access_token")
      .reply(200, { error: "bad_verification_code", error_description: "expired" });
    const response = await app.inject({
      method: "GET",
      url: `/dashboard/auth/callback?code=old&state=${location.searchParams.get("state")}`,
      cookies: { faultline_oauth_state: stateCookie },
    });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain("Sign-in failed");
  });

  it("answers 502 with a readable page when GitHub's API fails during sign-in", async () => {
    const { location, stateCookie } = await startLogin();
    nock(WEB).post("/login/oauth/access_token").reply(200, { access_token: "ghu_x" });
    nock(API).get("/user").reply(503, { message: "Service Unavailable" });
    const response = await app.inject({
      method: "GET",
      url: `/dashboard/auth/callback?code=c&state=${location.searchParams.get("state")}`,
      cookies: { faultline_oauth_state: stateCookie },
    });
    expect(response.statusCode).toBe(502);
    expect(response.body).toContain("GitHub answered 503 to GET /user");
    expect(await testDb.db.selectFrom("dashboard_sessions").selectAll().execute()).toEqual([]);
  });

  it("replaces the browser's previous session when it signs in again", async () => {
    const first = await signIn([{ id: 10, full_name: "octo-org/shop" }]);
    const { location, stateCookie } = await startLogin();
    nockGitHub([{ id: 10, full_name: "octo-org/shop" }]);
    const again = await app.inject({
      method: "GET",
      url: `/dashboard/auth/callback?code=good-code&state=${location.searchParams.get("state")}`,
      cookies: { faultline_oauth_state: stateCookie, faultline_session: first.session },
    });
    expect(again.statusCode).toBe(303);
    expect(await testDb.db.selectFrom("dashboard_sessions").selectAll().execute()).toHaveLength(1);
    expect((await dashboard(first.session)).body).toContain("Sign in with GitHub");
  });

  it("returns to the page the visitor asked for, never to another site", async () => {
    const { stateCookie, location } = await startLogin("/dashboard?range=30d");
    nockGitHub([]);
    const response = await app.inject({
      method: "GET",
      url: `/dashboard/auth/callback?code=good-code&state=${location.searchParams.get("state")}`,
      cookies: { faultline_oauth_state: stateCookie },
    });
    expect(response.headers.location).toBe("/dashboard?range=30d");
    const evil = await startLogin("https://evil.example/dashboard");
    expect(Buffer.from(evil.stateCookie.split(".")[1] ?? "", "base64url").toString()).toBe(
      "/dashboard",
    );
  });

  it("signs out: the row is deleted and the cookie cleared", async () => {
    const { session } = await signIn([{ id: 10, full_name: "octo-org/shop" }]);
    const response = await app.inject({
      method: "POST",
      url: "/dashboard/logout",
      cookies: { faultline_session: session },
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: "",
    });
    expect(response.statusCode).toBe(303);
    const cleared = response.cookies.find((c) => c.name === "faultline_session");
    expect(cleared?.value).toBe("");
    expect(await testDb.db.selectFrom("dashboard_sessions").selectAll().execute()).toEqual([]);
    const after = await dashboard(session);
    expect(after.body).toContain("Sign in with GitHub");
  });

  it("ends a session when it expires", async () => {
    const { session } = await signIn([{ id: 10, full_name: "octo-org/shop" }]);
    now = new Date(now.getTime() + 8 * HOUR + 1);
    const response = await dashboard(session);
    expect(response.body).toContain("Sign in with GitHub");
    expect(response.body).not.toContain("octocat");
  });
});

describe("/dashboard page", () => {
  let secret: Project;
  let session: string;

  beforeEach(async () => {
    ({ project: secret } = await ensureProject(testDb.db, { fullName: "octo-org/secret" }));
    const at = (h: number) => new Date(now.getTime() - h * HOUR);
    await report(shop, { error_type: "TypeError", message: "cart is undefined" }, at(1));
    await report(shop, { error_type: "TypeError", message: "cart is undefined" }, at(1));
    await report(shop, { error_type: "TypeError", message: "cart is undefined" }, at(3));
    await report(shop, { error_type: "XssError", message: "evil" }, at(2));
    await setBug(shop, "B-001", { issue_url: "https://github.com/octo-org/shop/issues/42" });
    await setBug(shop, "B-002", {
      title: `<script>alert("x")</script><img src=x onerror=alert(1)>`,
      issue_url: "javascript:alert(1)",
    });
    await report(secret, { error_type: "SecretError", message: "private matter" }, at(1));
    ({ session } = await signIn([{ id: 10, full_name: "octo-org/shop" }]));
  });

  it("shows the readable repository's figures: chart, top bugs with issue links, breakdowns", async () => {
    const response = await dashboard(session, "?repo=octo-org/shop&range=24h");
    expect(response.statusCode).toBe(200);
    const body = response.body;
    expect(body).toMatch(/<svg class="trend" role="img" aria-labelledby="trend-title trend-desc"/);
    expect(body).toContain('<title id="trend-title">Errors per hour in octo-org/shop, last 24h');
    expect(body).toContain("4 errors over 24 hours; peak 2 in the hour starting 2026-11-23 11:00");
    expect(body.match(/<rect class="bar"/g)).toHaveLength(24);
    expect(body).toContain('<a href="https://github.com/octo-org/shop/issues/42">#42</a>');
    expect(body).toMatch(/id="top-bugs"[\s\S]*B-001[\s\S]*B-002/);
    expect(body).toMatch(/id="by-severity"/);
    expect(body).toMatch(/id="by-status"[\s\S]*open<\/td><td class="num">4<\/td><td class="num">2/);
    expect(body).toMatch(/id="new-bugs"/);
    expect(body).not.toContain("private matter");
    expect(body).not.toContain("SecretError");
  });

  it("escapes bug titles and never links a non-http issue URL", async () => {
    const response = await dashboard(session, "?repo=octo-org/shop");
    expect(response.body).toContain(
      "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;",
    );
    expect(response.body).not.toMatch(/<script/i);
    expect(response.body).not.toContain("<img");
    expect(response.body).not.toContain("javascript:");
    expect(response.headers["content-security-policy"]).toContain("default-src 'none'");
  });

  it("answers 404 for a repository the user cannot read, the same as for one that does not exist", async () => {
    const hidden = await dashboard(session, "?repo=octo-org/secret");
    const missing = await dashboard(session, "?repo=octo-org/nothing");
    expect(hidden.statusCode).toBe(404);
    expect(missing.statusCode).toBe(404);
    expect(hidden.body).not.toContain("private matter");
    expect(hidden.body.replaceAll("secret", "nothing")).toBe(missing.body);
    const all = await dashboard(session);
    expect(all.statusCode).toBe(200);
    expect(all.body).not.toContain("octo-org/secret");
    expect(all.body).not.toContain("SecretError");
    expect(all.body).toContain("4 errors over 24 hours");
  });

  it("links each bug to its own page, with its latest events, escaped", async () => {
    const list = await dashboard(session, "?repo=octo-org/shop");
    expect(list.body).toContain('href="/dashboard/bug?repo=octo-org%2Fshop&amp;bug=B-002"');
    const bug = await app.inject({
      method: "GET",
      url: "/dashboard/bug?repo=octo-org%2Fshop&bug=B-002",
      cookies: { faultline_session: session },
    });
    expect(bug.statusCode).toBe(200);
    expect(bug.body).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(bug.body).not.toMatch(/<script/i);
    const events = bug.body.match(/<table id="events">[\s\S]*?<\/table>/)?.[0] ?? "";
    expect(events.match(/<tbody>[\s\S]*<\/tbody>/)?.[0].match(/<tr[ >]/g)).toHaveLength(1);
    expect(bug.body).toContain("evil");
  });

  it("shows the pull requests that fix a bug and its suspect commit, escaped", async () => {
    const shop = await testDb.db
      .selectFrom("projects")
      .select("id")
      .where("full_name_lower", "=", "octo-org/shop")
      .executeTakeFirstOrThrow();
    const b2 = await testDb.db
      .selectFrom("bugs")
      .select("id")
      .where("project_id", "=", shop.id)
      .where("number", "=", 2)
      .executeTakeFirstOrThrow();
    await testDb.db
      .insertInto("bug_pull_requests")
      .values({
        bug_id: b2.id,
        project_id: shop.id,
        number: 7,
        url: "https://github.com/octo-org/shop/pull/7",
        title: "<img src=x onerror=alert(1)> guard",
        state: "merged",
        via: "body",
        merge_commit_sha: "6dcb09b5b57875f334f61aebed695e2e4193db5e",
      })
      .execute();
    await testDb.db
      .updateTable("bugs")
      .set({
        suspect: JSON.stringify({
          path: "src/cart/checkout.ts",
          line: 42,
          revision: "HEAD",
          commit: {
            oid: "0123456789abcdef0123456789abcdef01234567",
            url: "javascript:alert(1)",
            headline: "Refactor <coupons>",
            authorName: "Bob",
            authorLogin: "bob",
          },
          pullRequest: null,
        }),
      })
      .where("id", "=", b2.id)
      .execute();
    const bug = await app.inject({
      method: "GET",
      url: "/dashboard/bug?repo=octo-org%2Fshop&bug=B-002",
      cookies: { faultline_session: session },
    });
    expect(bug.statusCode).toBe(200);
    expect(bug.body).toContain('<a href="https://github.com/octo-org/shop/pull/7">#7</a>');
    expect(bug.body).toContain("&lt;img src=x onerror=alert(1)&gt; guard");
    expect(bug.body).toContain("(merged, 6dcb09b)");
    expect(bug.body).toContain("Suspect commit: 0123456 Refactor &lt;coupons&gt;");
    expect(bug.body).not.toContain("<img");
    expect(bug.body).not.toContain("javascript:");
  });

  it("answers 404 for a bug of an unreadable repository or a missing bug", async () => {
    const get = (url: string) =>
      app.inject({ method: "GET", url, cookies: { faultline_session: session } });
    const hidden = await get("/dashboard/bug?repo=octo-org%2Fsecret&bug=B-001");
    expect(hidden.statusCode).toBe(404);
    expect(hidden.body).not.toContain("private matter");
    expect((await get("/dashboard/bug?repo=octo-org%2Fshop&bug=B-99")).statusCode).toBe(404);
    expect((await get("/dashboard/bug?repo=octo-org%2Fshop&bug=nope")).statusCode).toBe(400);
  });

  it("rejects an unknown range with 400", async () => {
    const response = await dashboard(session, "?range=1y");
    expect(response.statusCode).toBe(400);
    const week = await dashboard(session, "?range=7d");
    expect(week.body.match(/<rect class="bar"/g)).toHaveLength(7 * 24);
  });
});

describe("/dashboard bug page and bug list", () => {
  let session: string;
  const get = (url: string) =>
    app.inject({ method: "GET", url, cookies: { faultline_session: session } });

  /** A Sentry event (sentry-python with Django: a chained exception), `hoursAgo` before now. */
  async function sentryEvent(hoursAgo: number, changes: Record<string, unknown> = {}) {
    const saved = now;
    now = new Date(saved.getTime() - hoursAgo * HOUR);
    const response = await app.inject({
      method: "POST",
      url: `/api/${shop.id}/store/`,
      headers: {
        "content-type": "application/json",
        "x-sentry-auth": `Sentry sentry_version=7, sentry_key=${shop.ingestKey}`,
      },
      payload: JSON.stringify({
        ...structuredClone(pythonDjangoChained),
        event_id: randomUUID().replaceAll("-", ""),
        timestamp: now.getTime() / 1000,
        tags: { region: "eu-west-1" },
        ...changes,
      }),
    });
    now = saved;
    expect(response.statusCode).toBe(200);
  }

  beforeEach(async () => {
    await sentryEvent(30, { release: "shop@3.0.9" });
    await sentryEvent(2, {
      request: { ...pythonDjangoChained.request, headers: { Cookie: "sid=1", Accept: "*/*" } },
    });
    ({ session } = await signIn([{ id: 10, full_name: "octo-org/shop" }]));
  });

  it("shows the latest event in full: chain, stack with library frames folded, request, tags, contexts, breadcrumbs", async () => {
    const response = await get("/dashboard/bug?repo=octo-org%2Fshop&bug=B-001");
    expect(response.statusCode).toBe(200);
    const body = response.body;
    const section = (id: string) =>
      body.match(new RegExp(`<section id="${id}">[\\s\\S]*?</section>`))?.[0] ?? "";
    expect(body).toContain('<span class="cat" id="bug-category">programming error</span>');
    expect(body).toMatch(/First release<\/th><td>shop@3\.0\.9/);
    expect(body).toMatch(/Last release<\/th><td>shop@3\.1\.0/);
    expect(section("exception")).toContain(
      "<strong>shop.errors.CartError</strong>: could not price cart 7",
    );
    expect(section("exception")).toMatch(
      /raised from[\s\S]*<strong>KeyError<\/strong>: &#39;sku&#39;/,
    );
    // The raising frame first, marked as the app's; the Django frame folded away.
    const stack = section("stack");
    expect(stack.indexOf("cart_total")).toBeLessThan(stack.indexOf("inner"));
    expect(stack).toMatch(/<li class="app">[\s\S]*cart_total/);
    expect(stack).toMatch(
      /<details><summary>1 library frame<\/summary>[\s\S]*django\/core\/handlers\/exception\.py/,
    );
    expect(stack).toContain("raise CartError(f&#39;could not price cart {cart.id}&#39;) from e");
    const request = section("request");
    expect(request).toContain("https://shop.example.com/api/cart/7/total");
    expect(request).toContain("Accept");
    expect(request).not.toContain("sid=1");
    expect(request).toContain("1 credential header (cookies, authorization) not shown.");
    expect(section("tags")).toContain("eu-west-1");
    expect(section("contexts")).toMatch(/<h4>runtime<\/h4>[\s\S]*CPython/);
    expect(section("breadcrumbs")).toContain("pricing cart 7");
    expect(section("context")).toContain("manage.py");
    // The chart of the bug's own occurrences: a week by the hour by default.
    expect(body).toContain('<title id="bug-trend-title">Occurrences of B-001 per hour, last 7d');
    expect(body.match(/<svg[\s\S]*?<\/svg>/)?.[0].match(/<rect class="bar"/g)).toHaveLength(168);
    expect(body).toContain("<summary>Why these events are one bug</summary>");
    expect(body).not.toMatch(/<script/i);
  });

  it("pages to older events and draws 30 days by the day", async () => {
    const latest = await get("/dashboard/bug?repo=octo-org%2Fshop&bug=B-001");
    const older = latest.body.match(/href="([^"]+)" rel="next">Older event →/)?.[1];
    expect(older).toMatch(/event=\d+/);
    const page = await get(older?.replaceAll("&amp;", "&") ?? "");
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("Event of 2026-11-22 06:30:00 (UTC)");
    expect(page.body).toMatch(/Release<\/th><td>shop@3\.0\.9/);
    expect(page.body).toContain('rel="prev">← Newer event');
    expect(page.body).toContain('<span class="muted">Older event →</span>');

    const month = await get("/dashboard/bug?repo=octo-org%2Fshop&bug=B-001&range=30d");
    expect(month.body).toContain("Occurrences of B-001 per day, last 30d");
    expect(month.body.match(/<svg[\s\S]*?<\/svg>/)?.[0].match(/<rect class="bar"/g)).toHaveLength(
      30,
    );

    expect((await get("/dashboard/bug?repo=octo-org%2Fshop&bug=B-001&event=999")).statusCode).toBe(
      404,
    );
    expect((await get("/dashboard/bug?repo=octo-org%2Fshop&bug=B-001&event=x")).statusCode).toBe(
      400,
    );
    expect((await get("/dashboard/bug?repo=octo-org%2Fshop&bug=B-001&range=1y")).statusCode).toBe(
      400,
    );
  });

  it("finds the bug by its number, not by a text search", async () => {
    // 201 newer bugs whose titles say "B-1": a text search for the ref found only the 200 newest.
    const values = Array.from({ length: 201 }, (_, i) => ({
      project_id: shop.id,
      number: i + 2,
      fingerprint: `fp-${i}`,
      fingerprint_version: 2,
      title: "Error: see B-1 first",
      error_type: "Error",
      culprit: null,
      severity: "low" as const,
      first_seen: now,
      last_seen: now,
      escalation_started_at: now,
    }));
    await testDb.db.insertInto("bugs").values(values).execute();
    const response = await get("/dashboard/bug?repo=octo-org%2Fshop&bug=B-1");
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain("shop.errors.CartError");
  });

  it("lists bugs with filters, search and keyset pages", async () => {
    for (let i = 0; i < 3; i++) {
      await report(
        shop,
        {
          error_type: "Error",
          message: `connect ECONNREFUSED 10.0.0.${i}`,
          environment: "staging",
        },
        now,
      );
    }
    await report(
      shop,
      { error_type: "Error", message: "no cart", status_code: 404, url: "/c", release: "9.9" },
      now,
    );
    const list = await get("/dashboard/bugs?repo=octo-org%2Fshop");
    expect(list.statusCode).toBe(200);
    const refs = (body: string) =>
      [
        ...(body.match(/<table id="bugs">[\s\S]*?<\/table>/)?.[0] ?? "").matchAll(/>(B-\d{3})</g),
      ].map((m) => m[1]);
    expect(refs(list.body)).toEqual(["B-003", "B-002", "B-001"]);
    expect(list.body).toContain(
      '<form class="filters" method="get" action="/dashboard/bugs" id="bug-filters">',
    );

    // ECONNREFUSED groups by message: one bug of three reports (network), one not found.
    expect(refs((await get("/dashboard/bugs?repo=octo-org%2Fshop&category=network")).body)).toEqual(
      ["B-002"],
    );
    expect(
      refs((await get("/dashboard/bugs?repo=octo-org%2Fshop&environment=staging")).body),
    ).toEqual(["B-002"]);
    expect(refs((await get("/dashboard/bugs?repo=octo-org%2Fshop&release=9.9")).body)).toEqual([
      "B-003",
    ]);
    expect(refs((await get("/dashboard/bugs?repo=octo-org%2Fshop&q=cartError")).body)).toEqual([
      "B-001",
    ]);
    expect(refs((await get("/dashboard/bugs?severity=high&status=open&category=")).body)).toEqual([
      "B-003",
      "B-002",
      "B-001",
    ]);
    const none = await get("/dashboard/bugs?repo=octo-org%2Fshop&category=timeout");
    expect(none.body).toContain("No bug matches these filters.");
    expect(none.body).toMatch(/<option value="timeout" selected>timeout<\/option>/);

    // 55 more bugs: pages of 50, newest first, the filters kept in the page links.
    const more = Array.from({ length: 55 }, (_, i) => ({
      project_id: shop.id,
      number: 100 + i,
      fingerprint: `more-${i}`,
      fingerprint_version: 2,
      title: `Error: more ${i}`,
      error_type: "Error",
      culprit: null,
      severity: "low" as const,
      first_seen: now,
      last_seen: now,
      escalation_started_at: now,
    }));
    await testDb.db.insertInto("bugs").values(more).execute();
    const first = await get("/dashboard/bugs?repo=octo-org%2Fshop&severity=low");
    expect(refs(first.body)).toHaveLength(50);
    expect(refs(first.body)[0]).toBe("B-154");
    const next = first.body
      .match(/href="([^"]+)" rel="next" id="next-page"/)?.[1]
      ?.replaceAll("&amp;", "&");
    expect(next).toMatch(/severity=low&cursor=/);
    const second = await get(next ?? "");
    expect(refs(second.body)).toEqual(["B-104", "B-103", "B-102", "B-101", "B-100"]);
    expect(second.body).not.toContain('id="next-page"');
    expect(second.body).toContain('id="first-page"');

    expect((await get("/dashboard/bugs?category=kaput")).statusCode).toBe(400);
    expect((await get("/dashboard/bugs?status=closed")).statusCode).toBe(400);
    expect((await get("/dashboard/bugs?cursor=garbage")).statusCode).toBe(400);
    expect((await get("/dashboard/bugs?repo=octo-org%2Fsecret")).statusCode).toBe(404);
  });

  it("charts 30 days by the day and filters the figures by category", async () => {
    await report(shop, { error_type: "Error", message: "connect ECONNREFUSED 10.0.0.1" }, now);
    const month = await dashboard(session, "?repo=octo-org/shop&range=30d");
    expect(month.body).toContain(
      '<title id="trend-title">Errors per day in octo-org/shop, last 30d',
    );
    expect(month.body.match(/<rect class="bar"/g)).toHaveLength(30);
    expect(month.body).toMatch(/id="by-category"[\s\S]*network<\/a><\/td><td class="num">1</);
    const network = await dashboard(session, "?repo=octo-org/shop&range=24h&category=network");
    expect(network.body).toContain("network errors per hour in octo-org/shop");
    expect(network.body).toMatch(/id="top-bugs"[\s\S]*B-002/);
    expect(network.body).not.toMatch(/id="top-bugs"[\s\S]*B-001[\s\S]*id="all-bugs"/);
    expect((await dashboard(session, "?category=kaput")).statusCode).toBe(400);
  });
});
