import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createSetupHandler } from "../../src/github/index.js";
import { buildServer } from "../../src/server.js";
import { createServices } from "../../src/services.js";
import { type TestDb, createTestDb } from "../helpers/db.js";

/** Faultline's own setup flow (not Probot's) through the real server and setup guard. */

const TOKEN = "0123456789abcdef0123456789abcdef";
const dir = mkdtempSync(join(tmpdir(), "faultline-setup-"));
const CREDENTIALS = [
  "APP_ID",
  "PRIVATE_KEY",
  "WEBHOOK_SECRET",
  "GITHUB_CLIENT_ID",
  "GITHUB_CLIENT_SECRET",
];
const saved = Object.fromEntries(CREDENTIALS.map((k) => [k, process.env[k]]));

let testDb: TestDb;
let app: FastifyInstance;
let envFile: string;
const logged: string[] = [];

beforeAll(async () => {
  testDb = await createTestDb();
  nock.disableNetConnect();
});

afterEach(async () => {
  await app?.close();
  nock.cleanAll();
  for (const key of CREDENTIALS) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
});

afterAll(async () => {
  nock.enableNetConnect();
  await testDb?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function server(options: { publicUrl?: string; webhookProxyUrl?: string } = {}) {
  envFile = join(dir, `${Math.random().toString(36).slice(2)}.env`);
  writeFileSync(envFile, "# kept\nPORT=3000\n");
  const setupHandler = await createSetupHandler({
    publicUrl: options.publicUrl ?? "https://errors.example.com",
    webhookProxyUrl: options.webhookProxyUrl,
    envFile,
    githubUrl: "https://github.com",
    githubApiUrl: "https://api.github.com",
    log: {
      info: (_o: unknown, msg?: string) => logged.push(msg ?? ""),
      warn: (_o: unknown, msg?: string) => logged.push(msg ?? ""),
    },
  });
  app = await buildServer({
    ...createServices({ db: testDb.db }),
    setupHandler,
    setupGuard: {
      token: TOKEN,
      credentialsExist: () => Boolean(process.env.APP_ID && process.env.PRIVATE_KEY),
    },
  });
  delete process.env.APP_ID;
  delete process.env.PRIVATE_KEY;
  return app;
}

/** The manifest the page posts to GitHub. */
function manifestOf(html: string) {
  const value = /name="manifest" value="([^"]*)"/.exec(html)?.[1] ?? "";
  const json = value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
  return JSON.parse(json);
}

describe("the setup flow", () => {
  it("posts a manifest built from PUBLIC_URL, with the dashboard's callback", async () => {
    const app = await server();
    const page = await app.inject({
      method: "GET",
      url: "/probot",
      remoteAddress: "127.0.0.1",
      headers: { host: "localhost:3000" },
    });
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-type"]).toContain("text/html");
    expect(page.body).toContain('action="https://github.com/settings/apps/new"');
    const manifest = manifestOf(page.body);
    expect(manifest.hook_attributes.url).toBe("https://errors.example.com/api/github/webhooks");
    expect(manifest.callback_urls).toEqual(["https://errors.example.com/dashboard/auth/callback"]);
    // GitHub sends this browser back where it came from, with the code.
    expect(manifest.redirect_url).toBe("http://localhost:3000/probot/setup");
    expect(manifest.default_permissions.issues).toBe("write");
    expect(page.body).toContain(
      "GitHub will send webhooks to <code>https://errors.example.com/api/github/webhooks</code>",
    );
    expect(page.body).not.toContain("GitHub cannot deliver webhooks");
  });

  it("warns on the page when GitHub cannot reach the webhook URL, and uses WEBHOOK_PROXY_URL", async () => {
    let app = await server({ publicUrl: "http://localhost:3000" });
    let page = await app.inject({ method: "GET", url: "/probot", remoteAddress: "127.0.0.1" });
    expect(page.body).toContain("GitHub cannot deliver webhooks to");
    expect(page.body).toContain("WEBHOOK_PROXY_URL");
    await app.close();

    app = await server({
      publicUrl: "http://localhost:3000",
      webhookProxyUrl: "https://smee.io/abc123",
    });
    page = await app.inject({ method: "GET", url: "/probot", remoteAddress: "127.0.0.1" });
    expect(manifestOf(page.body).hook_attributes.url).toBe("https://smee.io/abc123");
    expect(page.body).not.toContain("GitHub cannot deliver webhooks");
    const importPage = await app.inject({
      method: "GET",
      url: "/probot/import",
      remoteAddress: "127.0.0.1",
    });
    expect(importPage.statusCode).toBe(200);
    expect(importPage.body).toContain("<b>https://smee.io/abc123</b>");
  });

  it("serves the page's styles and logo to anyone, in any mode", async () => {
    const app = await server();
    const css = await app.inject({
      method: "GET",
      url: "/probot/static/primer.css",
      remoteAddress: "203.0.113.5",
    });
    expect(css.statusCode).toBe(200);
    expect(css.headers["content-type"]).toContain("text/css");
    expect(css.body).toContain(".btn-outline");
    const logo = await app.inject({ method: "GET", url: "/probot/static/robot.svg" });
    expect(logo.statusCode).toBe(200);
    expect(logo.headers["content-type"]).toBe("image/svg+xml");
    expect(logo.body).toContain("<svg");
    expect((await app.inject({ method: "GET", url: "/probot/static/other.js" })).statusCode).toBe(
      404,
    );
    expect(
      (await app.inject({ method: "GET", url: "/probot/static/..%2F..%2Fpackage.json" }))
        .statusCode,
    ).toBe(404);

    // Once configured (no setup handler at all) they are still there.
    const configured = await buildServer(createServices({ db: testDb.db }));
    const again = await configured.inject({ method: "GET", url: "/probot/static/probot-head.svg" });
    expect(again.statusCode).toBe(200);
    await configured.close();
  });

  it("exchanges GitHub's code for the App's credentials, written owner-only to ENV_FILE", async () => {
    const app = await server();
    const github = nock("https://api.github.com")
      .post("/app-manifests/c0de42/conversions")
      .reply(201, {
        id: 4242,
        slug: "faultline-test",
        html_url: "https://github.com/apps/faultline-test",
        pem: "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n",
        webhook_secret: "whsec",
        client_id: "Iv1.abc",
        client_secret: "cs123",
      });
    const back = await app.inject({
      method: "GET",
      url: "/probot/setup?code=c0de42",
      remoteAddress: "127.0.0.1",
    });
    expect(back.statusCode).toBe(302);
    expect(back.headers.location).toBe("https://github.com/apps/faultline-test/installations/new");
    expect(github.isDone()).toBe(true);
    const text = readFileSync(envFile, "utf8");
    expect(text).toMatch(/^# kept\nPORT=3000\nAPP_ID=4242\n/);
    expect(text).toContain('PRIVATE_KEY="-----BEGIN RSA PRIVATE KEY-----\\nMIIE\\n');
    expect(text).toContain(
      "WEBHOOK_SECRET=whsec\nGITHUB_CLIENT_ID=Iv1.abc\nGITHUB_CLIENT_SECRET=cs123\n",
    );
    expect(statSync(envFile).mode & 0o777).toBe(0o600);
    expect(logged.some((line) => line.includes("restart Faultline"))).toBe(true);
    // Setup closes at once: the credentials exist now.
    const after = await app.inject({ method: "GET", url: "/probot", remoteAddress: "127.0.0.1" });
    expect(after.statusCode).toBe(404);
  });

  it("answers bad input with a clear message and writes nothing", async () => {
    const app = await server();
    nock("https://api.github.com")
      .post("/app-manifests/expired/conversions")
      .reply(404, { message: "Not Found" });
    const refused = await app.inject({
      method: "GET",
      url: "/probot/setup?code=expired",
      remoteAddress: "127.0.0.1",
    });
    expect(refused.statusCode).toBe(502);
    expect(refused.body).toContain("GitHub refused the code (HTTP 404: Not Found)");
    const noCode = await app.inject({
      method: "GET",
      url: "/probot/setup?code=<script>",
      remoteAddress: "127.0.0.1",
    });
    expect(noCode.statusCode).toBe(400);
    for (const payload of ["not json", '{"appId":"x","pem":"y","webhook_secret":""}']) {
      const imported = await app.inject({
        method: "POST",
        url: "/probot/import",
        remoteAddress: "127.0.0.1",
        headers: { "content-type": "application/json" },
        payload,
      });
      expect(imported.statusCode).toBe(400);
    }
    expect(readFileSync(envFile, "utf8")).toBe("# kept\nPORT=3000\n");
    const imported = await app.inject({
      method: "POST",
      url: "/probot/import",
      remoteAddress: "127.0.0.1",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({
        appId: "77",
        pem: "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n",
        webhook_secret: "s3cret",
      }),
    });
    expect(imported.statusCode).toBe(200);
    expect(readFileSync(envFile, "utf8")).toContain("APP_ID=77\n");
  });
});
