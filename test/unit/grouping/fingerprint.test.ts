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

/** A frame as Sentry SDKs send it, with the source line. */
const frame = (fn: string, contextLine: string, extra: Partial<StackFrame> = {}): StackFrame => ({
  filename: "shop/sites.py",
  absPath: "/srv/shop/shop/sites.py",
  module: "shop.sites",
  function: fn,
  lineno: 40,
  contextLine,
  inApp: true,
  ...extra,
});

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
 * GOLDEN TABLE of grouping version 2. These hashes are stored in every project's database. If a
 * change to the grouping code changes any of them, existing bugs would silently split: bump
 * FINGERPRINT_VERSION, keep this version computable for the transition (legacy/), and start a
 * new table, instead of editing a literal to make the test pass.
 */
const GOLDEN: { name: string; event: ErrorEvent; hash: string; parts: string[] }[] = [
  {
    name: "Node TypeError with frames: type and frames, no message",
    event: makeEvent({
      errorType: "TypeError",
      message: "Cannot read properties of undefined (reading 'id')",
      rawStacktrace: nodeStack(42),
    }),
    hash: "7f34d981c647042ab2a7408384d95d0f",
    parts: [
      "type: TypeError",
      "frame: dist/http/cart-controller.js in CartController.post",
      "frame: dist/cart/checkout.js in applyCoupon",
    ],
  },
  {
    name: "Python chained exception with source lines",
    event: makeEvent({
      errorType: "shop.sites.ShippingError",
      message: "cannot ship order ord_89941",
      causes: [{ type: "KeyError", message: "'address'" }],
      frames: [
        frame("main", "run()", { module: "__main__", filename: "main.py" }),
        frame("ship", 'raise ShippingError("cannot ship order %s" % order["id"]) from error'),
      ],
    }),
    hash: "94fd9b2e6b73a7ebce62c1251bf8a554",
    parts: [
      "type: shop.sites.ShippingError",
      "cause: KeyError",
      "frame: __main__ in main",
      'frame: shop.sites in ship | raise ShippingError("cannot ship order %s" % order["id"]) from error',
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
    hash: "ebd51f7f477d727dc51342c3cf6f274d",
    parts: [
      "type: java.lang.NullPointerException",
      "frame: com.acme.shop.CartController in post",
      "frame: com.acme.shop.CartService in checkout",
    ],
  },
  {
    name: "message only, with data",
    event: makeEvent({ errorType: "Error", message: "User 42 (bob@example.com) not found" }),
    hash: "52e1ff4449180f9d75d83ec9d8a40222",
    parts: ["type: Error", "message: User <n> (<email>) not found"],
  },
  {
    name: "message template wins over the message",
    event: makeEvent({
      errorType: "LogError",
      message: "Order 7 failed",
      messageTemplate: "Order %s failed",
    }),
    hash: "36cb1f60a0b63ea3db5fb6ef544c75e9",
    parts: ["type: LogError", "message: Order %s failed"],
  },
  {
    name: "HTTP error without frames",
    event: makeEvent({
      errorType: "HttpError",
      message: "Request failed: <html>...</html>",
      request: { method: "get", url: "https://api.example.com/api/pets/123/?q=1", statusCode: 502 },
    }),
    hash: "01f64100192a103e3e31d0cd151452e0",
    parts: ["type: HttpError", "request: GET /api/pets/{id}/ 502"],
  },
  {
    name: "custom fingerprint with {{ default }}",
    event: makeEvent({
      errorType: "Error",
      message: "boom",
      fingerprint: ["checkout", "{{ default }}"],
    }),
    hash: "9cc1fe66b547440272b920b6e8106a8b",
    parts: ["checkout", "type: Error", "message: boom"],
  },
  {
    name: "custom fingerprint without default",
    event: makeEvent({
      errorType: "Error",
      message: "boom",
      fingerprint: ["payment-provider-down"],
    }),
    hash: "fe36d32cc9e14458fd353bd2bbe3472f",
    parts: ["payment-provider-down"],
  },
];

describe("computeFingerprint: golden table", () => {
  it("is at version 2", () => {
    expect(FINGERPRINT_VERSION).toBe(2);
  });

  it.each(GOLDEN)("$name", ({ event, hash, parts }) => {
    const fingerprint = computeFingerprint(event);
    expect(fingerprint.parts).toEqual(parts);
    expect(fingerprint.hash).toBe(hash);
    expect(fingerprint.version).toBe(FINGERPRINT_VERSION);
  });
});

const hashOf = (event: ErrorEvent) => computeFingerprint(event).hash;

describe("computeFingerprint: the message does not count when frames do", () => {
  const keyError = (key: string) =>
    makeEvent({
      errorType: "KeyError",
      message: `'${key}'`,
      frames: [frame("lookup_price", "return PRICES[sku]")],
    });

  it("groups values the normaliser cannot know (keys, tokens, parser wordings)", () => {
    expect(hashOf(keyError("banana"))).toBe(hashOf(keyError("sku-1521")));
    const json = (message: string) =>
      makeEvent({
        errorType: "json.decoder.JSONDecodeError",
        message,
        frames: [
          frame("load_cart", "return json.loads(payload)"),
          frame("raw_decode", 'raise JSONDecodeError("Expecting value", s, err.value) from None', {
            absPath: "/usr/lib/python3.11/json/decoder.py",
            filename: "json/decoder.py",
            module: "json.decoder",
          }),
        ],
      });
    expect(hashOf(json("Expecting value: line 1 column 1 (char 0)"))).toBe(
      hashOf(json("Extra data: line 1 column 10 (char 9)")),
    );
  });

  it("says what it was made of", () => {
    expect(computeFingerprint(keyError("x")).basis).toBe("stacktrace");
    expect(computeFingerprint(makeEvent({ message: "boom" })).basis).toBe("message");
  });

  it("holds for any line numbers and values (property)", () => {
    fc.assert(
      fc.property(fc.nat(100_000), fc.nat(100_000), fc.string(), fc.string(), (l1, l2, m1, m2) => {
        const a = makeEvent({
          errorType: "KeyError",
          message: m1,
          rawStacktrace: nodeStack(l1 + 1),
        });
        const b = makeEvent({
          errorType: "KeyError",
          message: m2,
          rawStacktrace: nodeStack(l2 + 1),
        });
        expect(hashOf(a)).toBe(hashOf(b));
      }),
    );
  });
});

describe("computeFingerprint: frames", () => {
  it("tells two raise sites of one function apart by their source lines", () => {
    const site = (line: string) =>
      makeEvent({ errorType: "ValueError", frames: [frame("validate", line)] });
    expect(hashOf(site('raise ValueError("bad quantity %d" % qty)'))).not.toBe(
      hashOf(site('raise ValueError("bad price %s" % price)')),
    );
    // Indentation and spacing are not code.
    expect(hashOf(site("  return  PRICES[sku]"))).toBe(hashOf(site("return PRICES[sku]\n")));
  });

  it("ignores line numbers when a function name or source line identifies the frame", () => {
    const at = (lineno: number) =>
      makeEvent({
        errorType: "KeyError",
        frames: [frame("lookup_price", "return PRICES[sku]", { lineno })],
      });
    expect(hashOf(at(10))).toBe(hashOf(at(99)));
  });

  it("keeps two functions of a minified bundle apart by position", () => {
    const minified = (colno: number): StackFrame[] => [
      {
        function: "HTMLButtonElement.<anonymous>",
        filename: "https://shop.example.com/app.min.js",
        lineno: 1,
        colno: 900,
      },
      { function: "n", filename: "https://shop.example.com/app.min.js", lineno: 1, colno },
    ];
    const a = makeEvent({
      errorType: "TypeError",
      message: "list is empty",
      frames: minified(1200),
    });
    const b = makeEvent({
      errorType: "TypeError",
      message: "list is empty",
      frames: minified(2400),
    });
    expect(hashOf(a)).not.toBe(hashOf(b));
    expect(hashOf(a)).toBe(hashOf({ ...a, message: "list is empty!" }));
  });

  it("uses the source line for anonymous functions, and ignores build hashes and hosts", () => {
    const anon = (fn: string): StackFrame => ({
      function: fn,
      filename: "/app/src/cart.js",
      module: "cart",
      lineno: 7,
      contextLine: "items.map((item) => check(item))",
      inApp: true,
    });
    expect(computeFingerprint(makeEvent({ frames: [anon("Object.?")] })).parts).toContain(
      "frame: cart | items.map((item) => check(item))",
    );
    const a = makeEvent({ errorType: "TypeError", frames: browserFrames("3f2a1b9c", 2) });
    const b = makeEvent({ errorType: "TypeError", frames: browserFrames("8d7e6f5a", 3) });
    expect(hashOf(a)).toBe(hashOf(b));
  });

  it("uses the three in-app frames nearest the raise: outer frames may differ", () => {
    const inner = [
      frame("run", "await site.run()"),
      frame("lambda", "run: () => x()"),
      frame("x", "throw e"),
    ];
    const sync = makeEvent({ frames: [frame("<module>", "main()"), ...inner] });
    const later = makeEvent({ frames: inner });
    expect(hashOf(sync)).toBe(hashOf(later));
    const otherCaller = makeEvent({ frames: [frame("refund", "x()"), inner[2] as StackFrame] });
    expect(hashOf(otherCaller)).not.toBe(hashOf(later));
  });

  it("does not take the client's in_app for dependencies and the runtime", () => {
    // python-sentry-sdk 1.x marks every frame in-app, the standard library's included.
    const withStdlib = (fn: string, line: string) =>
      makeEvent({
        errorType: "json.decoder.JSONDecodeError",
        frames: [
          frame("load_cart", "return json.loads(payload)"),
          frame(fn, line, {
            absPath: "/usr/lib/python3.11/json/decoder.py",
            module: "json.decoder",
          }),
        ],
      });
    expect(hashOf(withStdlib("raw_decode", "raise JSONDecodeError(1)"))).toBe(
      hashOf(withStdlib("decode", "raise JSONDecodeError(2)")),
    );
  });

  it("adds the causes' types", () => {
    const chained = (cause: string) =>
      makeEvent({
        errorType: "ShippingError",
        causes: [{ type: cause }],
        frames: [frame("ship", "raise ShippingError() from e")],
      });
    expect(hashOf(chained("KeyError"))).not.toBe(hashOf(chained("TypeError")));
  });

  it("normalises Ruby blocks and collapses recursion", () => {
    const ruby = (fn: string) => makeEvent({ frames: [frame(fn, "items.each do |i|")] });
    expect(hashOf(ruby("block (2 levels) in checkout"))).toBe(hashOf(ruby("block in checkout")));
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

  it("is deterministic", () => {
    const event = makeEvent({ rawStacktrace: nodeStack(42) });
    expect(computeFingerprint(event)).toEqual(computeFingerprint(structuredClone(event)));
  });
});

describe("computeFingerprint: without frames", () => {
  it("parameterises the message", () => {
    const a = makeEvent({
      errorType: "NotFound",
      message: "User 17 (ann@x.io) not found at 2024-01-15T10:00:00Z",
    });
    const b = makeEvent({
      errorType: "NotFound",
      message: "User 923 (bob@y.com) not found at 2024-02-01T23:59:59Z",
    });
    expect(hashOf(a)).toBe(hashOf(b));
    expect(hashOf(a)).not.toBe(hashOf({ ...a, message: "User 17 locked" }));
  });

  it("splits HTTP errors on status and route", () => {
    const http = (statusCode: number, url: string) =>
      hashOf(makeEvent({ errorType: "HttpError", request: { method: "GET", url, statusCode } }));
    expect(http(502, "/api/pets/1")).toBe(http(502, "/api/pets/2"));
    expect(http(502, "/api/pets/1")).not.toBe(http(404, "/api/pets/1"));
    expect(http(502, "/api/pets/1")).not.toBe(http(502, "/api/owners/1"));
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
        "type: Error",
        "message: boom",
      ]);
    }
    expect(hashOf({ ...event, fingerprint: ["{{ default }}"] })).toBe(defaultHash);
  });

  it("without {{ default }} ignores the event's own type and message, and the version", () => {
    const a = computeFingerprint({ ...event, fingerprint: ["db-down"] });
    const b = computeFingerprint(
      makeEvent({ errorType: "Other", message: "different", fingerprint: ["db-down"] }),
    );
    expect(a.hash).toBe(b.hash);
    expect(a.hash).not.toBe(defaultHash);
    expect(a.basis).toBe("client");
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
