import type { FastifyInstance } from "fastify";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { EnvError, loadEnv } from "../../src/config/env.js";
import { type Project, ensureProject } from "../../src/projects/index.js";
import { type ServerOptions, buildServer } from "../../src/server.js";
import { createServices } from "../../src/services.js";
import { type TestDb, createTestDb } from "../helpers/db.js";

let testDb: TestDb;
let shop: Project;
let blog: Project;
let app: FastifyInstance | undefined;

beforeAll(async () => {
  testDb = await createTestDb();
  ({ project: shop } = await ensureProject(testDb.db, { fullName: "octo-org/shop" }));
  ({ project: blog } = await ensureProject(testDb.db, { fullName: "octo-org/blog" }));
});

afterEach(async () => {
  await app?.close();
  app = undefined;
});

afterAll(async () => {
  await testDb?.close();
});

async function server(options: ServerOptions = {}) {
  app = await buildServer(createServices({ db: testDb.db }), {
    reportRateLimitPerMinute: 1,
    sentryRateLimitPerMinute: 1,
    ...options,
  });
  return app;
}

const EVENT = JSON.stringify({ exception: { values: [{ type: "Error", value: "boom" }] } });

/** An envelope whose only key is the `dsn` in its header. */
function envelopeFor(project: Project) {
  const header = JSON.stringify({
    dsn: `https://${project.ingestKey}@faultline.example/${project.id}`,
  });
  return `${header}\n{"type":"event"}\n${EVENT}\n`;
}

describe("client address", () => {
  it("ignores X-Forwarded-For by default: a client cannot pick a fresh address", async () => {
    const app = await server();
    const report = (forwardedFor: string) =>
      app.inject({
        method: "POST",
        url: "/api/reports",
        headers: { "x-forwarded-for": forwardedFor },
        payload: { message: "x" },
      });
    expect((await report("198.51.100.1")).statusCode).toBe(401);
    expect((await report("198.51.100.2")).statusCode).toBe(429);
  });

  it("believes X-Forwarded-For from TRUSTED_PROXIES", async () => {
    const app = await server({ trustedProxies: ["127.0.0.1"] });
    const report = (forwardedFor: string) =>
      app.inject({
        method: "POST",
        url: "/api/reports",
        remoteAddress: "127.0.0.1",
        headers: { "x-forwarded-for": forwardedFor },
        payload: { message: "x" },
      });
    expect((await report("198.51.100.1")).statusCode).toBe(401);
    expect((await report("198.51.100.2")).statusCode).toBe(401);
    expect((await report("198.51.100.2")).statusCode).toBe(429);
  });

  it("TRUSTED_PROXIES: addresses, ranges and names; anything else is named as bad", () => {
    expect(loadEnv({}).TRUSTED_PROXIES).toEqual([]);
    expect(
      loadEnv({ TRUSTED_PROXIES: "10.0.0.0/8, 127.0.0.1,loopback,::1" }).TRUSTED_PROXIES,
    ).toEqual(["10.0.0.0/8", "127.0.0.1", "loopback", "::1"]);
    expect(() => loadEnv({ TRUSTED_PROXIES: "true" })).toThrow(EnvError);
    expect(() => loadEnv({ TRUSTED_PROXIES: "10.0.0.0/40" })).toThrow(/TRUSTED_PROXIES/);
  });
});

describe("rate limits keyed on the key that authenticates", () => {
  it("an envelope's dsn header key gets its own allowance, not the address's", async () => {
    const app = await server();
    const send = (project: Project) =>
      app.inject({
        method: "POST",
        url: `/api/${project.id}/envelope/`,
        headers: { "content-type": "text/plain" },
        payload: envelopeFor(project),
      });
    expect((await send(shop)).statusCode).toBe(200);
    expect((await send(blog)).statusCode).toBe(200);
    const again = await send(shop);
    expect(again.statusCode).toBe(429);
    expect(again.headers["x-sentry-rate-limits"]).toBeDefined();
  });

  it("made-up keys count against the client's address", async () => {
    const app = await server();
    const report = (key: string) =>
      app.inject({
        method: "POST",
        url: "/api/reports",
        headers: { authorization: `Bearer ${key}` },
        payload: { message: "x" },
      });
    expect((await report("made-up-key-0001")).statusCode).toBe(401);
    expect((await report("made-up-key-0002")).statusCode).toBe(429);
    // A real key still has its own allowance.
    expect((await report(shop.ingestKey)).statusCode).toBe(202);
  });
});
