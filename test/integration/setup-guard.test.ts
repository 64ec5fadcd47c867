import type { IncomingMessage, ServerResponse } from "node:http";
import type { FastifyInstance } from "fastify";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildServer } from "../../src/server.js";
import { createServices } from "../../src/services.js";
import { type TestDb, createTestDb } from "../helpers/db.js";

const TOKEN = "0123456789abcdef0123456789abcdef";
const REMOTE = "203.0.113.5";

let testDb: TestDb;
let app: FastifyInstance | undefined;
let served: string[];
let credentials: boolean;

beforeAll(async () => {
  testDb = await createTestDb();
});

afterEach(async () => {
  await app?.close();
  app = undefined;
});

afterAll(async () => {
  await testDb?.close();
});

/** Stands in for Probot's setup handler: records what it was asked to serve. */
async function setupHandler(req: IncomingMessage, res: ServerResponse) {
  served.push(`${req.method} ${req.url}`);
  res.writeHead(200, { "content-type": "text/plain" }).end("setup");
  return true;
}

async function server() {
  served = [];
  credentials = false;
  app = await buildServer({
    ...createServices({ db: testDb.db }),
    setupHandler,
    setupGuard: { token: TOKEN, credentialsExist: () => credentials },
  });
  return app;
}

const importBody = {
  appId: "666",
  pem: "-----BEGIN RSA PRIVATE KEY-----x",
  webhook_secret: "evil",
};

describe("Probot's setup routes", () => {
  it("refuse a remote client: no page, and POST /probot/import writes nothing", async () => {
    const app = await server();
    const page = await app.inject({ method: "GET", url: "/probot", remoteAddress: REMOTE });
    expect(page.statusCode).toBe(403);
    expect(page.json().error).toBe("setup_forbidden");
    const imported = await app.inject({
      method: "POST",
      url: "/probot/import",
      remoteAddress: REMOTE,
      payload: importBody,
    });
    expect(imported.statusCode).toBe(403);
    expect(served).toEqual([]);
  });

  it("are served to a direct loopback connection, not to one relayed by a proxy", async () => {
    const app = await server();
    expect(
      (await app.inject({ method: "GET", url: "/probot", remoteAddress: "127.0.0.1" })).statusCode,
    ).toBe(200);
    expect(
      (await app.inject({ method: "GET", url: "/probot", remoteAddress: "::1" })).statusCode,
    ).toBe(200);
    const proxied = await app.inject({
      method: "GET",
      url: "/probot",
      remoteAddress: "127.0.0.1",
      headers: { "x-forwarded-for": REMOTE },
    });
    expect(proxied.statusCode).toBe(403);
    expect(served).toEqual(["GET /probot", "GET /probot"]);
  });

  it("are served with the token printed at start, kept in a cookie for GitHub's redirect back", async () => {
    const app = await server();
    const wrong = await app.inject({
      method: "GET",
      url: "/probot?setup_token=nope",
      remoteAddress: REMOTE,
    });
    expect(wrong.statusCode).toBe(403);
    const first = await app.inject({
      method: "GET",
      url: `/probot?setup_token=${TOKEN}`,
      remoteAddress: REMOTE,
    });
    expect(first.statusCode).toBe(200);
    const cookie = String(first.headers["set-cookie"]);
    expect(cookie).toMatch(/^faultline_setup=.*HttpOnly; SameSite=Lax/);
    const back = await app.inject({
      method: "GET",
      url: "/probot/setup?code=abc",
      remoteAddress: REMOTE,
      headers: { cookie: cookie.split(";")[0] ?? "" },
    });
    expect(back.statusCode).toBe(200);
    expect(served).toEqual([`GET /probot?setup_token=${TOKEN}`, "GET /probot/setup?code=abc"]);
  });

  it("are closed once credentials exist, token or not", async () => {
    const app = await server();
    credentials = true;
    for (const url of ["/probot", `/probot?setup_token=${TOKEN}`]) {
      const res = await app.inject({ method: "GET", url, remoteAddress: "127.0.0.1" });
      expect(res.statusCode).toBe(404);
      expect(res.json().error).toBe("setup_closed");
    }
    const imported = await app.inject({
      method: "POST",
      url: "/probot/import",
      payload: importBody,
    });
    expect(imported.statusCode).toBe(404);
    expect(served).toEqual([]);
  });
});

describe("webhooks before the App's credentials exist", () => {
  it("are refused (503): nothing is verified against a made-up secret", async () => {
    const app = await server();
    const res = await app.inject({
      method: "POST",
      url: "/api/github/webhooks",
      headers: {
        "content-type": "application/json",
        "x-github-event": "issue_comment",
        "x-github-delivery": "d-1",
        "x-hub-signature-256": "sha256=00",
      },
      payload: "{}",
    });
    expect(res.statusCode).toBe(503);
    expect(res.json().error).toBe("not_configured");
  });
});
