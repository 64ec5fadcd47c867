import { gzipSync } from "node:zlib";
import {
  BrowserClient,
  Scope as BrowserScope,
  defaultStackParser as browserStackParser,
  makeFetchTransport,
} from "@sentry/browser";
import * as Sentry from "@sentry/node";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Project, ensureProject } from "../../src/projects/index.js";
import { buildServer } from "../../src/server.js";
import { createServices } from "../../src/services.js";
import { buildTestApp } from "../helpers/app.js";
import { type TestDb, createTestDb } from "../helpers/db.js";

let testDb: TestDb;
let app: FastifyInstance;
let project: Project;

const EVENT_ID = "fc6d8c0c43fc4630ad850ee518f1b9d0";

function sentryEvent(overrides: Record<string, unknown> = {}) {
  return {
    event_id: EVENT_ID,
    platform: "javascript",
    level: "error",
    exception: {
      values: [
        {
          type: "TypeError",
          value: "Cannot read properties of undefined (reading 'id')",
          stacktrace: {
            frames: [
              { filename: "app:///src/main.ts", function: "main", lineno: 3, colno: 1 },
              {
                filename: "app:///src/cart/checkout.ts",
                function: "applyCoupon",
                lineno: 42,
                colno: 17,
                in_app: true,
              },
            ],
          },
        },
      ],
    },
    breadcrumbs: [{ category: "ui.click", message: "button#checkout", timestamp: 1700000000 }],
    ...overrides,
  };
}

function envelope(
  items: { type: string; payload: string; withLength?: boolean }[],
  header: Record<string, unknown> = {},
): string {
  const lines = [JSON.stringify(header)];
  for (const item of items) {
    const itemHeader: Record<string, unknown> = { type: item.type };
    if (item.withLength) itemHeader.length = Buffer.byteLength(item.payload);
    lines.push(JSON.stringify(itemHeader), item.payload);
  }
  return `${lines.join("\n")}\n`;
}

function authHeader(key = project.ingestKey) {
  return `Sentry sentry_version=7, sentry_client=sentry.javascript.browser/9.0.0, sentry_key=${key}`;
}

function post(
  body: string | Buffer,
  headers: Record<string, string> = {},
  url = `/api/${project.id}/envelope/`,
) {
  return app.inject({
    method: "POST",
    url,
    headers: { "content-type": "text/plain;charset=UTF-8", ...headers },
    payload: body,
  });
}

async function bugs() {
  return testDb.db
    .selectFrom("bugs")
    .select(["number", "error_type", "title", "occurrence_count"])
    .orderBy("number")
    .execute();
}

beforeAll(async () => {
  testDb = await createTestDb({ poolSize: 20 });
});
afterAll(async () => {
  await app?.close();
  await testDb.close();
});
beforeEach(async () => {
  await app?.close();
  await testDb.truncate();
  ({ app, project } = await buildTestApp(testDb.db, { bodyLimit: 256 * 1024 }));
});

describe("POST /api/:projectId/envelope/", () => {
  it("stores an event sent as text/plain with X-Sentry-Auth, items with and without length", async () => {
    const body = envelope(
      [
        { type: "event", payload: JSON.stringify(sentryEvent()), withLength: true },
        { type: "client_report", payload: JSON.stringify({ discarded_events: [] }) },
      ],
      { event_id: EVENT_ID, sent_at: new Date().toISOString() },
    );
    const res = await post(body, { "x-sentry-auth": authHeader() });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ id: EVENT_ID });

    const implicit = envelope([
      {
        type: "event",
        payload: JSON.stringify(sentryEvent({ event_id: "aa6d8c0c43fc4630ad850ee518f1b9d0" })),
      },
    ]);
    const second = await post(implicit, { "x-sentry-auth": authHeader() });
    expect(second.statusCode).toBe(200);
    expect(second.json()).toEqual({ id: "aa6d8c0c43fc4630ad850ee518f1b9d0" });

    expect(await bugs()).toMatchObject([{ error_type: "TypeError", occurrence_count: 2 }]);
    const stored = await testDb.db.selectFrom("events").select(["event_id", "context"]).execute();
    expect(stored.map((e) => e.event_id).sort()).toEqual([
      "aa6d8c0c43fc4630ad850ee518f1b9d0",
      EVENT_ID,
    ]);
    expect(stored[0]?.context.breadcrumbs).toMatchObject([{ message: "button#checkout" }]);
  });

  it("accepts the other envelope content types, no trailing slash and a gzip body", async () => {
    const body = envelope([{ type: "event", payload: JSON.stringify(sentryEvent()) }]);
    const res = await post(
      gzipSync(Buffer.from(body)),
      {
        "content-type": "application/x-sentry-envelope",
        "content-encoding": "gzip",
        "x-sentry-auth": authHeader(),
      },
      `/api/${project.id}/envelope`,
    );
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ id: EVENT_ID });

    const octet = envelope([
      {
        type: "event",
        payload: JSON.stringify(sentryEvent({ event_id: "bb6d8c0c43fc4630ad850ee518f1b9d0" })),
      },
    ]);
    const res2 = await post(octet, {
      "content-type": "application/octet-stream",
      "x-sentry-auth": authHeader(),
    });
    expect(res2.statusCode).toBe(200);
    expect(await bugs()).toMatchObject([{ occurrence_count: 2 }]);
  });

  it("takes the key from the query string or from the envelope's dsn header", async () => {
    const body = envelope([{ type: "event", payload: JSON.stringify(sentryEvent()) }]);
    const viaQuery = await post(
      body,
      {},
      `/api/${project.id}/envelope/?sentry_key=${project.ingestKey}&sentry_version=7`,
    );
    expect(viaQuery.statusCode).toBe(200);

    const dsnBody = envelope(
      [
        {
          type: "event",
          payload: JSON.stringify(sentryEvent({ event_id: "cc6d8c0c43fc4630ad850ee518f1b9d0" })),
        },
      ],
      { dsn: `https://${project.ingestKey}@faultline.example/${project.id}` },
    );
    const viaDsn = await post(dsnBody);
    expect(viaDsn.statusCode).toBe(200);
    expect(viaDsn.json()).toEqual({ id: "cc6d8c0c43fc4630ad850ee518f1b9d0" });
    expect(await bugs()).toMatchObject([{ occurrence_count: 2 }]);
  });

  it("refuses a wrong key, and a compressed body whose key is only inside it, before inflating", async () => {
    const body = gzipSync(
      Buffer.from(
        envelope([{ type: "event", payload: JSON.stringify(sentryEvent()) }], {
          dsn: `https://${project.ingestKey}@faultline.example/${project.id}`,
        }),
      ),
    );
    const keyInside = await post(body, { "content-encoding": "gzip" });
    expect(keyInside.statusCode).toBe(401);
    expect(keyInside.json().error).toBe("missing_key");
    const wrongKey = await post(body, {
      "content-encoding": "gzip",
      "x-sentry-auth": authHeader("wrong-key-0123456789"),
    });
    expect(wrongKey.statusCode).toBe(401);
    expect(wrongKey.json().error).toBe("invalid_key");
    // Another project's key: refused before the body is read, as in the handler.
    const other = await ensureProject(testDb.db, { fullName: "octo-org/other" });
    const otherKey = await post(body, {
      "content-encoding": "gzip",
      "x-sentry-auth": authHeader(other.project.ingestKey),
    });
    expect(otherKey.statusCode).toBe(401);
    expect(await bugs()).toEqual([]);
  });

  it("keeps the good event when another item is bad; all bad is a 400", async () => {
    const body = envelope([
      { type: "event", payload: "{not json" },
      { type: "event", payload: JSON.stringify(sentryEvent()) },
    ]);
    const res = await post(body, { "x-sentry-auth": authHeader() });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ id: EVENT_ID });
    expect(await bugs()).toHaveLength(1);

    const allBad = await post(envelope([{ type: "event", payload: "[1,2]" }]), {
      "x-sentry-auth": authHeader(),
    });
    expect(allBad.statusCode).toBe(400);
    expect(allBad.json()).toMatchObject({ error: "invalid_event" });
    expect(allBad.json().message).toMatch(/not a JSON object/);
  });

  it("answers 200 for an envelope without event items", async () => {
    const body = envelope(
      [{ type: "session", payload: JSON.stringify({ sid: "x", status: "ok" }) }],
      { sent_at: new Date().toISOString() },
    );
    const res = await post(body, { "x-sentry-auth": authHeader() });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({});
    expect(await bugs()).toHaveLength(0);
  });

  it("rejects a malformed envelope with 400 invalid_envelope", async () => {
    const res = await post('{"event_id": "x"}\n{"no_type": true}\n{}\n', {
      "x-sentry-auth": authHeader(),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: "invalid_envelope" });
    expect(res.json().message).toMatch(/type/);

    const garbage = await post("this is not an envelope", { "x-sentry-auth": authHeader() });
    expect(garbage.statusCode).toBe(400);
    expect(garbage.json().error).toBe("invalid_envelope");
  });

  it("answers 401 for a wrong project id, an unknown key or no key", async () => {
    const body = envelope([{ type: "event", payload: JSON.stringify(sentryEvent()) }]);
    const wrongProject = await post(
      body,
      { "x-sentry-auth": authHeader() },
      `/api/${project.id + 1}/envelope/`,
    );
    expect(wrongProject.statusCode).toBe(401);
    expect(wrongProject.json()).toMatchObject({ error: "invalid_key" });
    expect(wrongProject.json().message).toMatch(/project/);

    const unknown = await post(body, { "x-sentry-auth": authHeader("0".repeat(32)) });
    expect(unknown.statusCode).toBe(401);
    const none = await post(body);
    expect(none.statusCode).toBe(401);
    expect(none.json()).toMatchObject({ error: "missing_key" });
    expect(await bugs()).toHaveLength(0);
  });

  it("answers a CORS preflight and adds CORS headers to the POST", async () => {
    const preflight = await app.inject({
      method: "OPTIONS",
      url: `/api/${project.id}/envelope/?sentry_key=${project.ingestKey}`,
      headers: {
        origin: "https://shop.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type,x-sentry-auth",
      },
    });
    expect(preflight.statusCode).toBeLessThan(300);
    expect(preflight.headers["access-control-allow-origin"]).toBe("https://shop.example");
    expect(String(preflight.headers["access-control-allow-headers"])).toMatch(/x-sentry-auth/);
    expect(String(preflight.headers["access-control-allow-methods"])).toMatch(/POST/);

    const res = await post(
      envelope([{ type: "event", payload: JSON.stringify(sentryEvent()) }]),
      { origin: "https://shop.example" },
      `/api/${project.id}/envelope/?sentry_key=${project.ingestKey}`,
    );
    expect(res.statusCode).toBe(200);
    expect(res.headers["access-control-allow-origin"]).toBe("https://shop.example");
    expect(String(res.headers["access-control-expose-headers"])).toMatch(/x-sentry-rate-limits/);
  });
});

describe("POST /api/:projectId/store/", () => {
  it("stores a JSON event, with or without the trailing slash", async () => {
    const res = await post(
      JSON.stringify(sentryEvent()),
      { "content-type": "application/json", "x-sentry-auth": authHeader() },
      `/api/${project.id}/store/`,
    );
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ id: EVENT_ID });

    const res2 = await post(
      JSON.stringify(sentryEvent({ event_id: "dd6d8c0c43fc4630ad850ee518f1b9d0" })),
      { "content-type": "text/plain" },
      `/api/${project.id}/store?sentry_key=${project.ingestKey}`,
    );
    expect(res2.statusCode).toBe(200);
    expect(await bugs()).toMatchObject([{ occurrence_count: 2 }]);

    const bad = await post(
      "{nope",
      { "content-type": "application/json", "x-sentry-auth": authHeader() },
      `/api/${project.id}/store/`,
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: "invalid_json" });
  });
});

describe("rate limiting", () => {
  it("answers 429 with Retry-After and X-Sentry-Rate-Limits past the per-key limit", async () => {
    await app.close();
    const services = createServices({ db: testDb.db });
    app = await buildServer(services, { sentryRateLimitPerMinute: 2 });
    const body = envelope([{ type: "event", payload: JSON.stringify(sentryEvent()) }]);
    const send = () => post(body, { "x-sentry-auth": authHeader() });
    expect((await send()).statusCode).toBe(200);
    expect((await send()).statusCode).toBe(200);
    const limited = await send();
    expect(limited.statusCode).toBe(429);
    expect(limited.headers["x-sentry-rate-limits"]).toMatch(/^\d+::project$/);
    expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
    expect(limited.json()).toMatchObject({ error: "rate_limited" });
    expect(limited.json().reason).toMatch(/rate limit/);

    // Another key (here: none, so the client address) has its own budget; the generic
    // report route is not limited by the Sentry limiter.
    const other = await post(body, {}, `/api/${project.id}/envelope/`);
    expect(other.statusCode).toBe(401);
    const reports = await app.inject({
      method: "POST",
      url: "/api/reports",
      headers: { authorization: `Bearer ${project.ingestKey}` },
      payload: { error_type: "RangeError", message: "x" },
    });
    expect(reports.statusCode).toBe(202);
  });
});

describe("the real @sentry/node SDK", () => {
  it("groups exceptions and messages, honours fingerprints and sends breadcrumbs", async () => {
    await app.listen({ port: 0, host: "127.0.0.1" });
    const address = app.server.address();
    if (!address || typeof address === "string") throw new Error("no port");
    const { project: p } = await ensureProject(testDb.db, { fullName: "octo-org/shop" });
    // Sampling keeps half of the warnings by default; this test counts every event.
    await testDb.db
      .updateTable("projects")
      .set({ config: JSON.stringify({ sampling: { warning: 1 } }) })
      .where("id", "=", p.id)
      .execute();
    Sentry.init({
      dsn: `http://${p.ingestKey}@127.0.0.1:${address.port}/${p.id}`,
      defaultIntegrations: false,
      tracesSampleRate: 0,
      skipOpenTelemetrySetup: true,
      release: "shop@1.2.3",
      environment: "test",
    });
    try {
      const fail = (n: number) => {
        try {
          // biome-ignore lint/suspicious/noExplicitAny: provoking a real TypeError
          (undefined as any).id;
        } catch (error) {
          Sentry.addBreadcrumb({ category: "cart", message: `attempt ${n}`, level: "info" });
          Sentry.captureException(error);
        }
      };
      fail(1);
      fail(2);
      Sentry.captureMessage("payment provider slow", "warning");
      Sentry.withScope((scope) => {
        scope.setFingerprint(["{{ default }}", "tenant-a"]);
        fail(3);
      });
      expect(await Sentry.flush(5000)).toBe(true);
    } finally {
      await Sentry.close(2000);
    }

    const rows = await bugs();
    expect(rows).toHaveLength(3);
    const typeErrors = rows.filter((b) => b.error_type === "TypeError");
    expect(typeErrors.map((b) => b.occurrence_count).sort()).toEqual([1, 2]);
    const message = rows.find((b) => b.error_type !== "TypeError");
    expect(message).toMatchObject({ occurrence_count: 1 });
    expect(message?.title).toMatch(/payment provider slow/);

    const events = await testDb.db
      .selectFrom("events")
      .select(["release", "environment", "context", "source"])
      .execute();
    expect(events).toHaveLength(4);
    expect(events[0]).toMatchObject({ release: "shop@1.2.3", environment: "test" });
    const withCrumbs = events.filter((e) =>
      JSON.stringify(e.context.breadcrumbs ?? []).includes("attempt 2"),
    );
    expect(withCrumbs.length).toBeGreaterThan(0);
  });
});

describe("the real @sentry/browser client and fetch transport", () => {
  it("delivers a browser exception through the envelope endpoint", async () => {
    await app.listen({ port: 0, host: "127.0.0.1" });
    const address = app.server.address();
    if (!address || typeof address === "string") throw new Error("no port");
    const { project: p } = await ensureProject(testDb.db, { fullName: "octo-org/shop" });
    const client = new BrowserClient({
      dsn: `http://${p.ingestKey}@127.0.0.1:${address.port}/${p.id}`,
      transport: makeFetchTransport,
      stackParser: browserStackParser,
      integrations: [],
      environment: "browser-test",
    });
    const scope = new BrowserScope();
    scope.setClient(client);
    client.init();
    const error = new TypeError("t.items is undefined");
    error.stack =
      "TypeError: t.items is undefined\n    at renderCart (https://shop.example.com/static/js/main.3f2a1b.js:1:48213)";
    scope.captureException(error);
    expect(await client.flush(5000)).toBe(true);

    const rows = await bugs();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ error_type: "TypeError", occurrence_count: 1 });
    const event = await testDb.db.selectFrom("events").selectAll().executeTakeFirstOrThrow();
    expect(event).toMatchObject({ environment: "browser-test", message: "t.items is undefined" });
  });
});
