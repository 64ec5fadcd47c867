import { gzipSync } from "node:zlib";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Project } from "../../src/projects/index.js";
import { rotateIngestKey } from "../../src/projects/index.js";
import { buildTestApp } from "../helpers/app.js";
import { type TestDb, createTestDb } from "../helpers/db.js";

const NODE_STACK = `TypeError: Cannot read properties of undefined (reading 'id')
    at applyCoupon (/app/src/cart/checkout.ts:42:17)
    at CartController.checkout (/app/src/cart/controller.ts:18:5)
    at Layer.handle [as handle_request] (/app/node_modules/express/lib/router/layer.js:95:5)
    at next (/app/node_modules/express/lib/router/route.js:149:13)`;

let testDb: TestDb;
let app: FastifyInstance;
let project: Project;

async function counts() {
  const one = async (table: "bugs" | "events" | "bug_hourly") =>
    Number(
      (
        await testDb.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return { bugs: await one("bugs"), events: await one("events"), hourly: await one("bug_hourly") };
}

function report(payload: unknown, headers: Record<string, string> = {}, url = "/api/reports") {
  return app.inject({
    method: "POST",
    url,
    headers: { authorization: `Bearer ${project.ingestKey}`, ...headers },
    payload: payload as Record<string, unknown>,
  });
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
  ({ app, project } = await buildTestApp(testDb.db, { bodyLimit: 64 * 1024 }));
});

describe("POST /api/reports", () => {
  it("creates B-001 on the first report and counts the next one of the same error", async () => {
    const first = await report({ error_type: "TypeError", stack: NODE_STACK, level: "error" });
    expect(first.statusCode).toBe(202);
    const body = first.json();
    expect(body).toMatchObject({
      bug: "B-001",
      status: "open",
      known: false,
      occurrences: 1,
      issue_url: null,
    });
    expect(body.event_id).toMatch(/^[0-9a-f]{32}$/);

    // Same error from another line and another user id in the message: same bug.
    const second = await report({
      errorType: "TypeError",
      message: "Cannot read properties of undefined (reading 'id')",
      stackTrace: NODE_STACK.replace(":42:17", ":44:9"),
      userId: 42,
    });
    expect(second.statusCode).toBe(202);
    expect(second.json()).toMatchObject({ bug: "B-001", known: true, occurrences: 2 });

    const other = await report({ error_type: "RangeError", message: "Invalid array length" });
    expect(other.json()).toMatchObject({ bug: "B-002", known: false, occurrences: 1 });

    const bug = await testDb.db
      .selectFrom("bugs")
      .selectAll()
      .where("number", "=", 1)
      .executeTakeFirstOrThrow();
    expect(bug).toMatchObject({
      error_type: "TypeError",
      severity: "high",
      occurrence_count: 2,
      title: "TypeError: Cannot read properties of undefined (reading 'id')",
    });
    expect(bug.culprit).toContain("applyCoupon");
    expect(await counts()).toEqual({ bugs: 2, events: 3, hourly: 2 });
  });

  it("stores the event with its request, user id, tags and parsed frames", async () => {
    const res = await report({
      name: "TypeError",
      stack: NODE_STACK,
      service: "checkout-api",
      environment: "production",
      release: "2.4.1",
      url: "https://shop.example.com/api/carts/8812/checkout?coupon=X",
      method: "post",
      status_code: 500,
      user: { id: "u-17" },
      tags: { region: "eu-west-1", canary: true },
      context: { cart_size: 3 },
    });
    expect(res.statusCode).toBe(202);
    const event = await testDb.db.selectFrom("events").selectAll().executeTakeFirstOrThrow();
    expect(event).toMatchObject({
      event_id: res.json().event_id,
      service: "checkout-api",
      environment: "production",
      release: "2.4.1",
      method: "POST",
      status_code: 500,
      url_pattern: "/api/carts/{id}/checkout",
      user_id: "u-17",
      tags: { region: "eu-west-1", canary: "true" },
      context: { cart_size: 3 },
      source: "generic",
      level: "error",
    });
    const frames = event.stacktrace as { function?: string; inApp?: boolean }[];
    expect(frames.at(-1)).toMatchObject({ function: "applyCoupon", inApp: true });
    expect(frames[0]).toMatchObject({ inApp: false });
    const hourly = await testDb.db.selectFrom("bug_hourly").selectAll().executeTakeFirstOrThrow();
    expect(hourly).toMatchObject({ environment: "production", service: "checkout-api", count: 1 });
  });

  it("maps levels to the starting severity", async () => {
    const cases: [string, string][] = [
      ["fatal", "critical"],
      ["critical", "critical"],
      ["error", "high"],
      ["warning", "medium"],
      ["warn", "medium"],
      ["info", "low"],
      ["debug", "low"],
    ];
    for (const [level, severity] of cases) {
      const res = await report({ error_type: `E_${level}`, message: "x", level });
      expect(res.statusCode).toBe(202);
      const bug = await testDb.db
        .selectFrom("bugs")
        .select("severity")
        .where("error_type", "=", `E_${level}`)
        .executeTakeFirstOrThrow();
      expect([level, bug.severity]).toEqual([level, severity]);
    }
  });

  it("counts a retried event id once", async () => {
    const payload = {
      event_id: "1b4e28ba-2fa1-11d2-883f-0016d3cca427",
      error_type: "TypeError",
      message: "boom",
    };
    expect((await report(payload)).json()).toMatchObject({ bug: "B-001", occurrences: 1 });
    const again = await report(payload);
    expect(again.statusCode).toBe(202);
    expect(again.json()).toMatchObject({ bug: "B-001", occurrences: 1, duplicate: true });
    expect(await counts()).toEqual({ bugs: 1, events: 1, hourly: 1 });
  });

  it("honours a client fingerprint with {{ default }}", async () => {
    const a = await report({
      error_type: "DbError",
      message: "timeout",
      fingerprint: ["tenant-a"],
    });
    const b = await report({ error_type: "Other", message: "other", fingerprint: ["tenant-a"] });
    const c = await report({
      error_type: "DbError",
      message: "timeout",
      fingerprint: ["{{ default }}", "tenant-b"],
    });
    expect([a.json().bug, b.json().bug, c.json().bug]).toEqual(["B-001", "B-001", "B-002"]);
  });

  it("groups HTTP errors without a stack by URL pattern and status", async () => {
    const a = await report({ error_type: "HttpError", url: "/api/pets/123/", status_code: 502 });
    const b = await report({ error_type: "HttpError", url: "/api/pets/9/", status_code: 502 });
    const c = await report({ error_type: "HttpError", url: "/api/pets/9/", status_code: 404 });
    expect([a.json().bug, b.json().bug, c.json().bug]).toEqual(["B-001", "B-001", "B-002"]);
  });
});

describe("per-source routes", () => {
  it("accepts a Laravel (Monolog JSON) record", async () => {
    const res = await report(
      {
        message: 'Attempt to read property "id" on null',
        context: {
          exception: {
            class: "ErrorException",
            message: 'Attempt to read property "id" on null',
            code: 0,
            file: "/var/www/html/app/Http/Controllers/CartController.php:57",
            trace: [
              "/var/www/html/vendor/laravel/framework/src/Illuminate/Routing/Controller.php:54",
              "/var/www/html/vendor/laravel/framework/src/Illuminate/Routing/ControllerDispatcher.php:43",
            ],
          },
          userId: 12,
        },
        level: 400,
        level_name: "ERROR",
        channel: "production",
        datetime: "2026-11-23T08:15:02.123456+00:00",
        extra: {},
      },
      {},
      "/api/reports/laravel",
    );
    expect(res.statusCode).toBe(202);
    const event = await testDb.db.selectFrom("events").selectAll().executeTakeFirstOrThrow();
    expect(event).toMatchObject({
      error_type: "ErrorException",
      level: "error",
      environment: "production",
      source: "laravel",
    });
    const frames = event.stacktrace as { filename?: string; lineno?: number }[];
    expect(frames.at(-1)).toMatchObject({
      filename: "/var/www/html/app/Http/Controllers/CartController.php",
      lineno: 57,
    });
  });

  it("accepts a Java logstash record and a StackTraceElement array", async () => {
    const logstash = await report(
      {
        "@timestamp": "2026-11-23T08:15:02.123Z",
        message: "Checkout failed",
        logger_name: "com.acme.shop.CheckoutService",
        thread_name: "http-nio-8080-exec-3",
        level: "ERROR",
        stack_trace:
          'java.lang.NullPointerException: Cannot invoke "com.acme.shop.Cart.total()" because "cart" is null\n\tat com.acme.shop.CheckoutService.checkout(CheckoutService.java:88)\n\tat com.acme.shop.CheckoutController.post(CheckoutController.java:31)\n\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:897)\n',
      },
      {},
      "/api/reports/java",
    );
    expect(logstash.statusCode).toBe(202);
    const structured = await report(
      {
        exception: {
          className: "java.lang.IllegalStateException",
          message: "Order 991 already paid",
          stackTrace: [
            {
              className: "com.acme.shop.PaymentService",
              methodName: "pay",
              fileName: "PaymentService.java",
              lineNumber: 120,
            },
          ],
        },
        level: "ERROR",
      },
      {},
      "/api/reports/java",
    );
    expect(structured.statusCode).toBe(202);
    const events = await testDb.db
      .selectFrom("events")
      .select(["error_type", "context", "stacktrace"])
      .orderBy("id")
      .execute();
    expect(events[0]?.error_type).toBe("java.lang.NullPointerException");
    expect(events[0]?.context).toMatchObject({ logger_name: "com.acme.shop.CheckoutService" });
    expect(events[1]?.error_type).toBe("java.lang.IllegalStateException");
    expect(events[1]?.stacktrace).toEqual([
      expect.objectContaining({
        module: "com.acme.shop.PaymentService",
        function: "pay",
        lineno: 120,
      }),
    ]);
  });

  it("accepts browser window.onerror data and Flutter errors", async () => {
    const browser = await report(
      {
        message: "Uncaught TypeError: t.items is undefined",
        source: "https://shop.example.com/static/js/main.3f2a1b.js",
        lineno: 1,
        colno: 48213,
        error: {
          name: "TypeError",
          message: "t.items is undefined",
          stack:
            "renderCart@https://shop.example.com/static/js/main.3f2a1b.js:1:48213\nonClick@https://shop.example.com/static/js/main.3f2a1b.js:1:50110\n",
        },
        pageUrl: "https://shop.example.com/cart",
        userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
      },
      {},
      "/api/reports/frontend",
    );
    expect(browser.statusCode).toBe(202);
    const flutter = await report(
      {
        exception: "Bad state: No element",
        runtimeType: "StateError",
        stackTrace:
          "#0      ListMixin.first (dart:collection/list.dart:167:5)\n#1      CartService.checkout (package:shop/cart/cart_service.dart:42:7)\n#2      _CheckoutPageState.build.<anonymous closure> (package:shop/pages/checkout.dart:88:21)\n",
        platform: "android",
        appVersion: "3.2.0",
        buildNumber: 41,
        device: { model: "Pixel 8" },
      },
      {},
      "/api/reports/mobile",
    );
    expect(flutter.statusCode).toBe(202);
    const events = await testDb.db
      .selectFrom("events")
      .select(["error_type", "message", "url", "release", "context"])
      .orderBy("id")
      .execute();
    expect(events[0]).toMatchObject({
      error_type: "TypeError",
      message: "t.items is undefined",
      url: "https://shop.example.com/cart",
    });
    expect(events[1]).toMatchObject({
      error_type: "StateError",
      message: "Bad state: No element",
      release: "3.2.0+41",
      context: { device: { model: "Pixel 8" } },
    });
  });

  it("answers 404 for an unknown source", async () => {
    const res = await report({ message: "x" }, {}, "/api/reports/cobol");
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toBe("unsupported_source");
  });
});

describe("bad input writes nothing", () => {
  it("401 without a key, with a wrong key; X-Faultline-Key works", async () => {
    const none = await app.inject({
      method: "POST",
      url: "/api/reports",
      payload: { message: "x" },
    });
    expect(none.statusCode).toBe(401);
    expect(none.json()).toMatchObject({ error: "missing_key" });
    const wrong = await report({ message: "x" }, { authorization: "Bearer 0000000000000000" });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({ error: "invalid_key" });
    expect(await counts()).toEqual({ bugs: 0, events: 0, hourly: 0 });
    const viaHeader = await app.inject({
      method: "POST",
      url: "/api/reports",
      headers: { "x-faultline-key": project.ingestKey },
      payload: { message: "x" },
    });
    expect(viaHeader.statusCode).toBe(202);
  });

  it("413 over the body limit, also after gzip inflation", async () => {
    const big = { message: "x".repeat(70 * 1024) };
    const res = await report(big);
    expect(res.statusCode).toBe(413);
    expect(res.json().error).toBe("payload_too_large");
    const bomb = gzipSync(JSON.stringify({ message: "y".repeat(2 * 1024 * 1024) }));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const inflated = await report(bomb, {
      "content-type": "application/json",
      "content-encoding": "gzip",
    });
    expect(inflated.statusCode).toBe(413);
    expect(await counts()).toEqual({ bugs: 0, events: 0, hourly: 0 });
  });

  it("accepts gzip bodies and rejects corrupt ones with 400", async () => {
    const ok = await report(gzipSync(JSON.stringify({ error_type: "E", message: "zipped" })), {
      "content-type": "application/json",
      "content-encoding": "gzip",
    });
    expect(ok.statusCode).toBe(202);
    const corrupt = await report(Buffer.from("not gzip at all"), {
      "content-type": "application/json",
      "content-encoding": "gzip",
    });
    expect(corrupt.statusCode).toBe(400);
    expect(corrupt.json().error).toBe("invalid_encoding");
  });

  it("400 on invalid JSON and on schema errors, naming the field", async () => {
    const badJson = await report("{not json", { "content-type": "application/json" });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json().error).toBe("invalid_json");

    const cases: [unknown, string][] = [
      [{ error_type: "E", status_code: "abc" }, "status_code"],
      [{ error_type: "E", status_code: 99 }, "status_code"],
      [{ level: "error" }, "error_type"],
      [{ error_type: "E", tags: { a: { nested: true } } }, "tags.a"],
      [{ error_type: "E", event_id: "nope" }, "event_id"],
      [{ error_type: 42 }, "error_type"],
      [[1, 2, 3], "(body)"],
    ];
    for (const [payload, field] of cases) {
      const res = await report(payload);
      expect([field, res.statusCode]).toEqual([field, 400]);
      expect(res.json()).toMatchObject({ error: "invalid_report", field });
    }
    const textPlain = await report("hello", { "content-type": "text/csv" });
    expect(textPlain.statusCode).toBe(415);
    expect(await counts()).toEqual({ bugs: 0, events: 0, hourly: 0 });
  });
});

describe("keys", () => {
  it("keeps the previous key working during the rotation grace period only", async () => {
    const oldKey = project.ingestKey;
    const now = new Date();
    const rotated = await rotateIngestKey(testDb.db, project.id, now, 60_000);
    expect(rotated.ingestKey).not.toBe(oldKey);
    const withNew = await report(
      { message: "a" },
      { authorization: `Bearer ${rotated.ingestKey}` },
    );
    expect(withNew.statusCode).toBe(202);
    const withOld = await report({ message: "a" }, { authorization: `Bearer ${oldKey}` });
    expect(withOld.statusCode).toBe(202);
    await rotateIngestKey(testDb.db, project.id, now, 0);
    // a fresh app: the key cache must not hide the expiry in this test
    ({ app } = await buildTestApp(testDb.db));
    const expired = await report({ message: "a" }, { authorization: `Bearer ${oldKey}` });
    expect(expired.statusCode).toBe(401);
  });
});

describe("concurrency", () => {
  it("concurrent first reports of one new error create one bug and count them all", async () => {
    const results = await Promise.all(
      Array.from({ length: 25 }, () => report({ error_type: "RaceError", message: "same" })),
    );
    expect(results.map((r) => r.statusCode)).toEqual(Array(25).fill(202));
    expect(new Set(results.map((r) => r.json().bug))).toEqual(new Set(["B-001"]));
    const bug = await testDb.db.selectFrom("bugs").selectAll().executeTakeFirstOrThrow();
    expect(bug.occurrence_count).toBe(25);
    expect(await counts()).toEqual({ bugs: 1, events: 25, hourly: 1 });
    // exactly one response saw the bug as new
    expect(results.filter((r) => r.json().known === false)).toHaveLength(1);
  });

  it("concurrent first reports of distinct errors get distinct gap-free numbers", async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        report({ error_type: `DistinctError${String.fromCharCode(65 + i)}`, message: "m" }),
      ),
    );
    const numbers = results.map((r) => r.json().bug as string).sort();
    expect(numbers).toEqual(
      Array.from({ length: 20 }, (_, i) => `B-${String(i + 1).padStart(3, "0")}`),
    );
  });
});

describe("health", () => {
  it("healthz and readyz answer", async () => {
    expect((await app.inject({ url: "/healthz" })).json()).toEqual({ status: "ok" });
    const ready = await app.inject({ url: "/readyz" });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: "ok", database: "ok" });
  });
});

describe("content encodings", () => {
  it("answers 415 for an unknown Content-Encoding", async () => {
    const res = await report(Buffer.from("{}"), {
      "content-type": "application/json",
      "content-encoding": "compress",
    });
    expect(res.statusCode).toBe(415);
    expect(res.json().error).toBe("unsupported_encoding");
  });
});

describe("scrubbing", () => {
  it("stores no secrets: sensitive keys, bearer tokens and card numbers are filtered", async () => {
    const res = await report({
      error_type: "PaymentError",
      message: "charge failed for card 4111 1111 1111 1111 (order 12345)",
      request: {
        url: "https://shop.example.com/pay?access_token=abc123secret&page=2",
        method: "POST",
        headers: {
          Authorization: "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig",
          Accept: "*/*",
        },
        data: { password: "hunter2", amount: 10 },
      },
      context: { api_key: "sk_live_51Habc", note: "ok" },
    });
    expect(res.statusCode).toBe(202);
    const event = await testDb.db.selectFrom("events").selectAll().executeTakeFirstOrThrow();
    const stored = JSON.stringify(event);
    for (const secret of [
      "4111 1111 1111 1111",
      "abc123secret",
      "hunter2",
      "sk_live_51Habc",
      "eyJzdWIiOiIxIn0",
    ]) {
      expect(stored).not.toContain(secret);
    }
    expect(event.message).toBe("charge failed for card [Filtered] (order 12345)");
    expect(event.context).toEqual({ api_key: "[Filtered]", note: "ok" });
    expect(stored).toContain("page=2");
  });
});
