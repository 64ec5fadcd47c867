import { describe, expect, it } from "vitest";
import { SentryEventError, mapSentryEvent } from "../../../src/ingest/sentry/index.js";
import {
  browserChained,
  browserParameterizedMessage,
  javaCrashedThread,
  javaSpringLogback,
  nodeUncaught,
  pythonDjangoChained,
  pythonLoggingMessage,
} from "./sdk-payloads.js";

const receivedAt = new Date("2024-06-09T13:00:00.000Z");
const map = (json: unknown) => mapSentryEvent(json, { receivedAt });

describe("mapSentryEvent: SDK payloads", () => {
  it("maps a Node uncaught exception field by field", () => {
    expect(map(nodeUncaught)).toStrictEqual({
      eventId: "c4f1a2b3d4e5f60718293a4b5c6d7e8f",
      timestamp: new Date("2024-06-09T12:43:40.123Z"),
      level: "fatal",
      errorType: "TypeError",
      message: "Cannot read properties of undefined (reading 'id')",
      frames: [
        {
          filename: "node:internal/process/task_queues",
          module: "task_queues",
          function: "process.processTicksAndRejections",
          lineno: 95,
          colno: 5,
          inApp: false,
        },
        {
          filename: "/srv/app/node_modules/express/lib/router/layer.js",
          module: "express.lib.router:layer",
          function: "Layer.handle [as handle_request]",
          lineno: 95,
          colno: 5,
          inApp: false,
        },
        {
          filename: "/srv/app/dist/routes/cart.js",
          module: "routes:cart",
          function: "getCart",
          lineno: 42,
          colno: 31,
          contextLine: "  const id = req.session.user.id;",
          inApp: true,
        },
      ],
      source: "sentry",
      platform: "node",
      service: "shop-api",
      environment: "production",
      release: "shop-api@2.4.1",
      serverName: "shop-api-7f9c8d-xk2p",
      request: {
        url: "https://shop.example.com/api/cart/7",
        method: "GET",
        statusCode: 500,
        headers: { host: "shop.example.com", "user-agent": "curl/8.5.0", accept: "*/*" },
        query: "currency=EUR",
      },
      userId: "u_123",
      tags: { service: "shop-api", region: "eu-west-1" },
      context: {
        mechanism: { type: "onuncaughtexception", handled: false },
        contexts: nodeUncaught.contexts,
        extra: { cartId: 7 },
        breadcrumbs: nodeUncaught.breadcrumbs,
        sdk: { name: "sentry.javascript.node", version: "8.9.2" },
        transaction: "GET /api/cart/:id",
      },
    });
  });

  it("takes the last (raised) exception of a browser cause chain, keeps the custom fingerprint", () => {
    const event = map(browserChained);
    expect(event.errorType).toBe("CheckoutError");
    expect(event.message).toBe("Checkout failed: prices unavailable");
    expect(event.frames).toEqual([
      {
        filename: "https://shop.example.com/assets/vendor-81ac0e.js",
        function: "HTMLButtonElement.o",
        inApp: true,
        lineno: 2,
        colno: 1502,
      },
      {
        filename: "https://shop.example.com/assets/index-3f2a9c.js",
        function: "submitOrder",
        inApp: true,
        lineno: 1,
        colno: 50122,
      },
    ]);
    expect(event.fingerprint).toEqual(["{{ default }}", "checkout"]);
    expect(event.userId).toBe("42");
    expect(event.level).toBe("error");
    expect(event.timestamp).toEqual(new Date("2024-06-09T12:43:41.500Z"));
    expect(event.request).toEqual({
      url: "https://shop.example.com/checkout?step=2",
      headers: browserChained.request.headers,
    });
    expect(event.tags).toEqual({});
    expect(event.service).toBeUndefined();
    expect(event.context.mechanism).toEqual({ type: "generic", handled: true });
    expect(event.context.causes).toEqual([{ type: "TypeError", value: "Failed to fetch" }]);
    const crumbs = event.context.breadcrumbs as { message: string }[];
    expect(crumbs).toHaveLength(20);
    expect(crumbs[0]?.message).toBe("button#step-5");
    expect(crumbs[19]?.message).toBe("button#step-24");
    expect(event.context.sdk).toEqual({ name: "sentry.javascript.react", version: "8.9.2" });
  });

  it("maps a browser parameterized captureMessage to a Message with template and stack", () => {
    expect(map(browserParameterizedMessage)).toStrictEqual({
      eventId: "1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f",
      timestamp: new Date("2024-06-09T12:43:42.000Z"),
      level: "warning",
      errorType: "Message",
      message: "Slow checkout: payment took 5200ms",
      messageTemplate: "Slow checkout: %s took %sms",
      frames: [
        {
          filename: "https://shop.example.com/assets/index-3f2a9c.js",
          function: "reportSlow",
          inApp: true,
          lineno: 1,
          colno: 9001,
        },
      ],
      source: "sentry",
      platform: "javascript",
      tags: {},
      context: { sdk: { name: "sentry.javascript.browser", version: "8.9.2" } },
    });
  });

  it("maps a Python/Django chained exception with module-qualified type", () => {
    expect(map(pythonDjangoChained)).toStrictEqual({
      eventId: "4e3d2c1b0a9f48e7b6a5c4d3e2f1a0b9",
      timestamp: new Date("2024-06-09T12:43:40.123Z"),
      level: "error",
      errorType: "shop.errors.CartError",
      message: "could not price cart 7",
      frames: [
        {
          filename: "django/core/handlers/exception.py",
          absPath: "/usr/local/lib/python3.12/site-packages/django/core/handlers/exception.py",
          module: "django.core.handlers.exception",
          function: "inner",
          lineno: 55,
          inApp: false,
        },
        {
          filename: "shop/views.py",
          absPath: "/srv/shop/shop/views.py",
          module: "shop.views",
          function: "cart_total",
          lineno: 88,
          contextLine: "        raise CartError(f'could not price cart {cart.id}') from e",
          inApp: true,
        },
      ],
      causes: [{ type: "KeyError", message: "'sku'" }],
      source: "sentry",
      platform: "python",
      environment: "production",
      release: "shop@3.1.0",
      serverName: "web-2",
      request: {
        url: "https://shop.example.com/api/cart/7/total",
        method: "GET",
        headers: { Host: "shop.example.com", "User-Agent": "curl/8.5.0", "Content-Length": "" },
        query: "currency=EUR",
        data: {},
      },
      userId: "7",
      tags: {},
      context: {
        mechanism: { type: "django", handled: false },
        causes: [{ type: "KeyError", value: "'sku'" }],
        contexts: pythonDjangoChained.contexts,
        extra: { "sys.argv": ["manage.py", "runserver"] },
        breadcrumbs: pythonDjangoChained.breadcrumbs.values,
        sdk: { name: "sentry.python.django", version: "2.5.1" },
        transaction: "/api/cart/{cart_id}/total",
      },
    });
  });

  it("maps a Python logging warning: template, thread stack, tag pairs, fingerprint", () => {
    expect(map(pythonLoggingMessage)).toStrictEqual({
      eventId: "7f6e5d4c3b2a41908f7e6d5c4b3a2918",
      timestamp: new Date("2024-06-09T12:44:00.000Z"),
      level: "warning",
      errorType: "Message",
      message: "Payment for order A-1009 declined: insufficient_funds",
      messageTemplate: "Payment for order %s declined: %s",
      frames: [
        {
          filename: "shop/payments.py",
          absPath: "/srv/shop/shop/payments.py",
          module: "shop.payments",
          function: "charge",
          lineno: 120,
          inApp: true,
        },
      ],
      source: "sentry",
      platform: "python",
      service: "payments",
      serverName: "worker-1",
      tags: { service: "payments", queue: "charges" },
      fingerprint: ["payment-declined", "{{ default }}"],
      context: {
        extra: { order_total: "99.00" },
        sdk: { name: "sentry.python", version: "2.5.1" },
        logger: "shop.payments",
      },
    });
  });

  it("maps a Java Logback event: exception wins over the message, java module qualifies", () => {
    const event = map(javaSpringLogback);
    expect(event.errorType).toBe(
      "org.springframework.transaction.CannotCreateTransactionException",
    );
    expect(event.message).toBe("Could not open JPA EntityManager for transaction");
    expect(event.messageTemplate).toBeUndefined();
    expect(event.timestamp).toEqual(new Date("2024-06-09T12:43:40.123Z"));
    expect(event.frames).toEqual([
      {
        filename: "Thread.java",
        function: "run",
        module: "java.lang.Thread",
        lineno: 1583,
        inApp: false,
      },
      {
        filename: "CartController.java",
        function: "getCart",
        module: "com.acme.shop.CartController",
        lineno: 57,
        inApp: true,
      },
    ]);
    expect(event.userId).toBe("alice");
    expect(event.service).toBe("shop-service");
    expect(event.request).toEqual({
      url: "https://shop.example.com/api/cart/7",
      method: "GET",
      headers: { Host: "shop.example.com", Accept: "application/json" },
      query: "currency=EUR",
    });
    expect(event.context).toStrictEqual({
      causes: [
        {
          type: "SQLTransientConnectionException",
          value: "HikariPool-1 - Connection is not available, request timed out after 30000ms.",
        },
      ],
      contexts: javaSpringLogback.contexts,
      breadcrumbs: javaSpringLogback.breadcrumbs,
      sdk: { name: "sentry.java.spring-boot.jakarta", version: "7.10.0" },
      logger: "com.acme.shop.CartController",
    });
  });

  it("maps a Java message object without exception to its formatted text and template", () => {
    const { exception: _omit, ...messageOnly } = javaSpringLogback;
    const event = map(messageOnly);
    expect(event.errorType).toBe("Message");
    expect(event.message).toBe("Failed to load cart 7 for user 42");
    expect(event.messageTemplate).toBe("Failed to load cart {} for user {}");
    expect(event.frames).toEqual([]);
  });

  it("takes the crashed thread's stack when the exception has none; dashed UUID ids", () => {
    const event = map(javaCrashedThread);
    expect(event.eventId).toBe("a1b2c3d4e5f64789a0b1c2d3e4f5a6b7");
    expect(event.errorType).toBe("java.lang.NullPointerException");
    expect(event.level).toBe("fatal");
    expect(event.timestamp).toEqual(new Date("2024-06-09T12:45:00.000Z"));
    expect(event.frames).toEqual([
      { filename: "Main.java", function: "main", module: "com.acme.shop.Main", lineno: 12 },
      {
        filename: "Checkout.java",
        function: "pay",
        module: "com.acme.shop.Checkout",
        lineno: 40,
        inApp: true,
      },
    ]);
    expect(event.context).toEqual({
      mechanism: { type: "UncaughtExceptionHandler", handled: false },
      sdk: { name: "sentry.java", version: "7.10.0" },
    });
  });
});

describe("mapSentryEvent: fields one by one", () => {
  it("refuses non-objects with SentryEventError", () => {
    for (const bad of [null, undefined, 42, "event", [], [{}], true]) {
      expect(() => map(bad)).toThrow(SentryEventError);
    }
    try {
      map([]);
    } catch (error) {
      expect((error as SentryEventError).reason).toBe("event is not a JSON object");
      expect((error as SentryEventError).code).toBe("invalid_event");
    }
  });

  it("fills the bare minimum: random id, receivedAt, error level, Message type", () => {
    const event = map({});
    expect(event).toStrictEqual({
      eventId: event.eventId,
      timestamp: receivedAt,
      level: "error",
      errorType: "Message",
      message: "",
      frames: [],
      source: "sentry",
      tags: {},
      context: {},
    });
    expect(event.eventId).toMatch(/^[0-9a-f]{32}$/);
    expect(map({}).eventId).not.toBe(event.eventId);
  });

  it("normalises event ids", () => {
    expect(map({ event_id: "ABCDEF0123456789ABCDEF0123456789" }).eventId).toBe(
      "abcdef0123456789abcdef0123456789",
    );
    for (const bad of ["xyz", "abcdef0123456789abcdef012345678", 12, null]) {
      expect(map({ event_id: bad }).eventId).toMatch(/^[0-9a-f]{32}$/);
    }
  });

  it("reads float seconds and ISO strings, falls back to receivedAt", () => {
    const at = (timestamp: unknown) => map({ timestamp }).timestamp.toISOString();
    expect(at(1717937020.5)).toBe("2024-06-09T12:43:40.500Z");
    expect(at("1717937020.25")).toBe("2024-06-09T12:43:40.250Z");
    expect(at("2024-06-09T12:43:40Z")).toBe("2024-06-09T12:43:40.000Z");
    expect(at("2024-06-09T12:43:40.654321")).toBe("2024-06-09T12:43:40.654Z");
    expect(at("2024-06-09T14:43:40+02:00")).toBe("2024-06-09T12:43:40.000Z");
    for (const bad of ["yesterday", "1", -5, 0, 1e300, Number.NaN, {}, "2024-13-45T99:99:99Z"]) {
      expect(at(bad)).toBe(receivedAt.toISOString());
    }
  });

  it("replaces implausible timestamps (Relay's window: 30 days back, clock skew ahead)", () => {
    const at = (timestamp: unknown) => map({ timestamp }).timestamp.toISOString();
    expect(at("2024-05-11T13:00:00Z")).toBe("2024-05-11T13:00:00.000Z");
    expect(at("2024-05-10T12:59:59Z")).toBe(receivedAt.toISOString());
    expect(at("2024-06-09T13:30:00Z")).toBe("2024-06-09T13:30:00.000Z");
    expect(at("2024-06-09T14:30:00Z")).toBe(receivedAt.toISOString());
    // Milliseconds sent where seconds belong.
    expect(at(1717937020123)).toBe(receivedAt.toISOString());
  });

  it("folds levels", () => {
    const level = (l: unknown) => map({ level: l }).level;
    expect(
      ["fatal", "error", "warning", "warn", "info", "log", "debug", "critical"].map(level),
    ).toEqual(["fatal", "error", "warning", "warning", "info", "info", "debug", "critical"]);
    expect(level("WARNING")).toBe("warning");
    expect(level("verbose")).toBe("error");
    expect(level(3)).toBe("error");
  });

  it("accepts exception as a bare array and as a legacy single object", () => {
    expect(map({ exception: [{ type: "ValueError", value: "bad" }] }).errorType).toBe("ValueError");
    expect(map({ exception: { type: "ValueError", value: "bad" } }).message).toBe("bad");
  });

  it("names an untyped exception without a message 'Error'", () => {
    const event = map({ exception: { values: [{ value: "boom" }] } });
    expect([event.errorType, event.message]).toEqual(["Error", "boom"]);
  });

  it("falls back to the log message when the exception has no value", () => {
    const event = map({
      exception: { values: [{ type: "KeyError" }] },
      logentry: { message: "lookup of %s failed", params: ["sku"] },
    });
    expect(event).toMatchObject({
      errorType: "KeyError",
      message: "lookup of sku failed",
      messageTemplate: "lookup of %s failed",
    });
  });

  it("does not module-qualify .NET or Ruby types", () => {
    const dotnet = map({
      exception: {
        values: [
          {
            type: "System.InvalidOperationException",
            module: "System.Private.CoreLib, Version=8.0.0.0, Culture=neutral",
          },
        ],
      },
    });
    expect(dotnet.errorType).toBe("System.InvalidOperationException");
    const ruby = map({
      exception: { values: [{ type: "ActiveRecord::RecordNotFound", module: "ActiveRecord" }] },
    });
    expect(ruby.errorType).toBe("ActiveRecord::RecordNotFound");
  });

  it("reads message as a plain string or object, substituting params itself", () => {
    expect(map({ message: "plain text" })).toMatchObject({
      errorType: "Message",
      message: "plain text",
    });
    expect(map({ message: "plain text" }).messageTemplate).toBeUndefined();
    expect(
      map({ message: { message: "user {} not found in {}", params: ["42", "eu"] } }),
    ).toMatchObject({
      message: "user 42 not found in eu",
      messageTemplate: "user {} not found in {}",
    });
    expect(
      map({ logentry: { message: "order %(id)s at %(pct).1f%%", params: { id: "A-1", pct: 9.5 } } })
        .message,
    ).toBe("order A-1 at 9.5%");
    expect(map({ logentry: { message: "100%% sure" } }).message).toBe("100%% sure");
    expect(map({ logentry: { message: "only %s", params: [] } }).message).toBe("only %s");
  });

  it("ignores wrong-typed optional fields instead of failing the event", () => {
    const event = map({
      release: 3,
      environment: ["prod"],
      server_name: {},
      platform: null,
      transaction: 7,
      user: "alice",
      sdk: "x",
      request: "GET /",
      contexts: [],
      extra: "x",
      breadcrumbs: 5,
      fingerprint: "nope",
      tags: "nope",
      exception: { values: [{ type: 5, value: {}, mechanism: "x", stacktrace: { frames: "x" } }] },
    });
    expect(event).toStrictEqual({
      eventId: event.eventId,
      timestamp: receivedAt,
      level: "error",
      errorType: "Error",
      message: "",
      frames: [],
      source: "sentry",
      tags: {},
      context: {},
    });
  });

  it("keeps what is valid in frames and drops junk frames", () => {
    const event = map({
      exception: {
        values: [
          {
            type: "E",
            stacktrace: {
              frames: [null, "x", { function: "f", lineno: -1, colno: 1.5, in_app: "yes" }, {}],
            },
          },
        ],
      },
    });
    expect(event.frames).toEqual([{ function: "f" }, {}]);
  });

  it("keeps at most 250 frames: 50 outermost and 200 innermost", () => {
    const frames = Array.from({ length: 1000 }, (_, i) => ({ function: `f${i}` }));
    const event = map({
      exception: { values: [{ type: "RecursionError", stacktrace: { frames } }] },
    });
    expect(event.frames).toHaveLength(250);
    expect(event.frames[0]?.function).toBe("f0");
    expect(event.frames[49]?.function).toBe("f49");
    expect(event.frames[50]?.function).toBe("f800");
    expect(event.frames[249]?.function).toBe("f999");
    expect(event.context.framesOmitted).toBe(750);
  });

  it("stringifies scalar tags, drops the rest and __proto__", () => {
    const tags = JSON.parse('{"a":"x","n":1,"b":true,"o":{},"z":null,"__proto__":"p"}');
    expect(map({ tags }).tags).toStrictEqual({ a: "x", n: "1", b: "true" });
  });

  it("reads request headers and query as pairs, status code from contexts.response", () => {
    const event = map({
      request: {
        method: "post",
        headers: [
          ["Content-Type", "application/json"],
          ["X-Count", 3],
        ],
        query_string: [
          ["page", "2"],
          ["q", "shoes"],
        ],
        data: { sku: "A-1" },
      },
      contexts: { response: { status_code: 502 } },
    });
    expect(event.request).toStrictEqual({
      method: "POST",
      statusCode: 502,
      headers: { "Content-Type": "application/json", "X-Count": "3" },
      query: { page: "2", q: "shoes" },
      data: { sku: "A-1" },
    });
    expect(map({ contexts: { response: { status_code: "oops" } } }).request).toBeUndefined();
  });

  it("prefers user id to username and never keeps email", () => {
    expect(map({ user: { id: "", username: "bob", email: "b@x" } }).userId).toBe("bob");
    expect(map({ user: { email: "b@x", ip_address: "1.2.3.4" } }).userId).toBeUndefined();
  });

  it("keeps fingerprint parts as strings", () => {
    expect(map({ fingerprint: ["{{ default }}", 404, null, { a: 1 }] }).fingerprint).toEqual([
      "{{ default }}",
      "404",
    ]);
    expect(map({ fingerprint: [] }).fingerprint).toBeUndefined();
  });

  it("throws only SentryEventError, even for hostile objects", () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error("boom");
        },
      },
    );
    expect(() => map(hostile)).toThrow(SentryEventError);
  });
});
