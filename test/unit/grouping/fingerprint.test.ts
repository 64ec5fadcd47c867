import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type ErrorEvent,
  FINGERPRINT_VERSION,
  type StackFrame,
  computeFingerprint,
} from "../../../src/grouping/index.js";
import { makeEvent } from "./event.js";

const nodeStack = (line: number, file = "/app/dist/cart/checkout.js") => `TypeError: x
    at applyCoupon (${file}:${line}:31)
    at CartController.post (/app/dist/http/cart-controller.js:${line + 30}:5)
    at Layer.handle (/app/node_modules/express/lib/router/layer.js:95:5)`;

const browserFrames = (hash: string, line: number): StackFrame[] => [
  {
    function: "onClick",
    filename: `https://shop.example.com/static/js/main.${hash}.js`,
    lineno: line,
    colno: 9,
  },
  {
    function: "applyCoupon",
    filename: `https://shop.example.com/static/js/main.${hash}.js`,
    lineno: line,
    colno: 4102,
  },
];

/**
 * GOLDEN TABLE. These hashes are stored in every project's database. If a change to the grouping
 * code changes any of them, existing bugs would silently split: bump FINGERPRINT_VERSION (and
 * regenerate this table) instead of editing a literal to make the test pass.
 */
const GOLDEN: { name: string; event: ErrorEvent; hash: string; parts: string[] }[] = [
  {
    name: "Node TypeError with frames",
    event: makeEvent({
      errorType: "TypeError",
      message: "Cannot read properties of undefined (reading 'id')",
      rawStacktrace: nodeStack(42),
    }),
    hash: "99418054e7bf23a35fa2d6aa181f9694",
    parts: [
      "TypeError",
      "Cannot read properties of undefined (reading 'id')",
      "dist/http/cart-controller.js:CartController.post",
      "dist/cart/checkout.js:applyCoupon",
    ],
  },
  {
    name: "Java NPE with modules",
    event: makeEvent({
      errorType: "java.lang.NullPointerException",
      message: 'Cannot invoke "Coupon.code()" because "coupon" is null',
      frames: [
        { module: "java.lang.Thread", function: "run", filename: "Thread.java", lineno: 833 },
        {
          module: "com.acme.shop.CartController",
          function: "post",
          filename: "CartController.java",
          lineno: 20,
        },
        {
          module: "com.acme.shop.CartService",
          function: "checkout",
          filename: "CartService.java",
          lineno: 87,
        },
      ],
    }),
    hash: "412d999dbb939524b79251f36c172633",
    parts: [
      "java.lang.NullPointerException",
      'Cannot invoke "Coupon.code()" because "coupon" is null',
      "com.acme.shop.CartController:post",
      "com.acme.shop.CartService:checkout",
    ],
  },
  {
    name: "message only, with data",
    event: makeEvent({ errorType: "Error", message: "User 42 (bob@example.com) not found" }),
    hash: "8fb3c055a19722cedd0d673fed6bb451",
    parts: ["Error", "User <n> (<email>) not found"],
  },
  {
    name: "message template wins over the message",
    event: makeEvent({
      errorType: "LogError",
      message: "Order 7 failed",
      messageTemplate: "Order %s failed",
    }),
    hash: "4be0202eaa829946bc0a1c55d12ddf2c",
    parts: ["LogError", "Order %s failed"],
  },
  {
    name: "HTTP error without frames",
    event: makeEvent({
      errorType: "HttpError",
      message: "Request failed: <html>...</html>",
      request: { method: "get", url: "https://api.example.com/api/pets/123/?q=1", statusCode: 502 },
    }),
    hash: "9c15401bca4f14fd3272bd79e9ec8376",
    parts: ["HttpError", "GET", "/api/pets/{id}/", "502"],
  },
  {
    name: "custom fingerprint with {{ default }}",
    event: makeEvent({
      errorType: "Error",
      message: "boom",
      fingerprint: ["checkout", "{{ default }}"],
    }),
    hash: "c5ccf9da180d65629551e0aa3824aa51",
    parts: ["checkout", "Error", "boom"],
  },
  {
    name: "custom fingerprint without default",
    event: makeEvent({
      errorType: "Error",
      message: "boom",
      fingerprint: ["payment-provider-down"],
    }),
    hash: "87d80a1b1b7f7ff1728889cec2b9b276",
    parts: ["payment-provider-down"],
  },
];

describe("computeFingerprint: golden table", () => {
  it("is at version 1", () => {
    expect(FINGERPRINT_VERSION).toBe(1);
  });

  it.each(GOLDEN)("$name", ({ event, hash, parts }) => {
    const fingerprint = computeFingerprint(event);
    expect(fingerprint.parts).toEqual(parts);
    expect(fingerprint.hash).toBe(hash);
    expect(fingerprint.version).toBe(FINGERPRINT_VERSION);
  });
});

const hashOf = (event: ErrorEvent) => computeFingerprint(event).hash;

describe("computeFingerprint: same bug, same fingerprint", () => {
  const base = {
    errorType: "TypeError",
    message: "Cannot read properties of undefined (reading 'id')",
  };

  it("ignores line numbers", () => {
    expect(hashOf(makeEvent({ ...base, rawStacktrace: nodeStack(42) }))).toBe(
      hashOf(makeEvent({ ...base, rawStacktrace: nodeStack(97) })),
    );
  });

  it("ignores ids, e-mails and timestamps in the message", () => {
    const a = makeEvent({
      errorType: "NotFound",
      message: "User 17 (ann@x.io) not found at 2024-01-15T10:00:00Z",
    });
    const b = makeEvent({
      errorType: "NotFound",
      message: "User 923 (bob@y.com) not found at 2024-02-01T23:59:59Z",
    });
    expect(hashOf(a)).toBe(hashOf(b));
  });

  it("ignores build hashes, hosts and query strings of bundles", () => {
    const a = makeEvent({ ...base, frames: browserFrames("3f2a1b9c", 2) });
    const b = makeEvent({ ...base, frames: browserFrames("8d7e6f5a", 3) });
    const c = makeEvent({
      ...base,
      frames: browserFrames("8d7e6f5a", 3).map((f) => ({
        ...f,
        filename: `${f.filename?.replace("shop.example.com", "cdn.example.net")}?v=9`,
      })),
    });
    expect(hashOf(a)).toBe(hashOf(b));
    expect(hashOf(b)).toBe(hashOf(c));
  });

  it("ignores the deploy root and release directory", () => {
    const frames = (root: string): StackFrame[] => [
      { function: "checkout", filename: `${root}app/models/cart.rb`, lineno: 4 },
    ];
    const a = makeEvent({ ...base, frames: frames("/home/deploy/shop/releases/20240115102345/") });
    const b = makeEvent({ ...base, frames: frames("/home/deploy/shop/releases/20240203081500/") });
    expect(hashOf(a)).toBe(hashOf(b));
  });

  it("ignores recursion depth and Spring proxy hashes", () => {
    const recurse = (depth: number): StackFrame[] => [
      { module: "com.acme.Main", function: "main", filename: "Main.java" },
      ...Array.from({ length: depth }, () => ({
        module: "com.acme.Tree",
        function: "walk",
        filename: "Tree.java",
      })),
    ];
    expect(hashOf(makeEvent({ frames: recurse(3) }))).toBe(
      hashOf(makeEvent({ frames: recurse(40) })),
    );
    const proxy = (hash: string): StackFrame[] => [
      {
        module: `com.acme.CartService$$EnhancerBySpringCGLIB$$${hash}`,
        function: "checkout",
        inApp: true,
      },
    ];
    expect(hashOf(makeEvent({ frames: proxy("5f2c1a7b") }))).toBe(
      hashOf(makeEvent({ frames: proxy("9e8d7c6b") })),
    );
  });

  it("holds for any line numbers and numeric ids (property)", () => {
    fc.assert(
      fc.property(fc.nat(100_000), fc.nat(100_000), fc.nat(), fc.nat(), (l1, l2, id1, id2) => {
        const a = makeEvent({
          errorType: "KeyError",
          message: `missing ${id1}`,
          rawStacktrace: nodeStack(l1 + 1),
        });
        const b = makeEvent({
          errorType: "KeyError",
          message: `missing ${id2}`,
          rawStacktrace: nodeStack(l2 + 1),
        });
        expect(hashOf(a)).toBe(hashOf(b));
      }),
    );
  });

  it("is deterministic", () => {
    const event = makeEvent({ ...base, rawStacktrace: nodeStack(42) });
    expect(computeFingerprint(event)).toEqual(computeFingerprint(structuredClone(event)));
  });
});

describe("computeFingerprint: different bugs, different fingerprints", () => {
  const base = makeEvent({
    errorType: "TypeError",
    message: "Cannot read properties of undefined (reading 'id')",
    rawStacktrace: nodeStack(42),
  });

  it("splits on error type", () => {
    expect(hashOf({ ...base, errorType: "RangeError" })).not.toBe(hashOf(base));
  });

  it("splits on the in-app function", () => {
    const other = { ...base, rawStacktrace: nodeStack(42).replace("applyCoupon", "removeCoupon") };
    expect(hashOf(other)).not.toBe(hashOf(base));
  });

  it("splits on the distinguishing quoted identifier", () => {
    const other = { ...base, message: "Cannot read properties of undefined (reading 'name')" };
    expect(hashOf(other)).not.toBe(hashOf(base));
  });

  it("splits HTTP errors on status and route", () => {
    const http = (statusCode: number, url: string) =>
      hashOf(makeEvent({ errorType: "HttpError", request: { method: "GET", url, statusCode } }));
    expect(http(502, "/api/pets/1")).toBe(http(502, "/api/pets/2"));
    expect(http(502, "/api/pets/1")).not.toBe(http(404, "/api/pets/1"));
    expect(http(502, "/api/pets/1")).not.toBe(http(502, "/api/owners/1"));
  });

  it("ignores library frames when app frames exist, and uses them when none do", () => {
    const libraryOnly = (fn: string) =>
      hashOf(
        makeEvent({ frames: [{ function: fn, filename: "/app/node_modules/pg/lib/client.js" }] }),
      );
    expect(libraryOnly("query")).not.toBe(libraryOnly("connect"));
    const withApp = (fn: string) =>
      hashOf(
        makeEvent({
          frames: [
            { function: "save", filename: "/app/dist/repo.js" },
            { function: fn, filename: "/app/node_modules/pg/lib/client.js" },
          ],
        }),
      );
    expect(withApp("query")).toBe(withApp("connect"));
  });
});

describe("computeFingerprint: custom fingerprints", () => {
  const event = makeEvent({ errorType: "Error", message: "boom" });
  const defaultHash = hashOf(event);

  it("expands {{ default }} with any spacing", () => {
    for (const placeholder of [
      "{{ default }}",
      "{{default}}",
      "{{  default  }}",
      " {{ DEFAULT }} ",
    ]) {
      expect(computeFingerprint({ ...event, fingerprint: [placeholder] }).parts).toEqual([
        "Error",
        "boom",
      ]);
    }
    expect(hashOf({ ...event, fingerprint: ["{{ default }}"] })).toBe(defaultHash);
  });

  it("without {{ default }} ignores the event's own type and message", () => {
    const a = hashOf({ ...event, fingerprint: ["db-down"] });
    const b = hashOf(
      makeEvent({ errorType: "Other", message: "different", fingerprint: ["db-down"] }),
    );
    expect(a).toBe(b);
    expect(a).not.toBe(defaultHash);
  });

  it("treats an empty fingerprint as none", () => {
    expect(hashOf({ ...event, fingerprint: [] })).toBe(defaultHash);
  });

  it("cannot be confused by the separator", () => {
    expect(hashOf({ ...event, fingerprint: ["a\u0000b"] })).not.toBe(
      hashOf({ ...event, fingerprint: ["a", "b"] }),
    );
  });
});
