import { describe, expect, it } from "vitest";
import { culprit, normaliseFilename, titleFor } from "../../../src/grouping/index.js";
import { makeEvent } from "./event.js";

describe("titleFor", () => {
  it("joins type and the message's first line", () => {
    const event = makeEvent({
      errorType: "TypeError",
      message: "Cannot read properties of undefined (reading 'id')\n    at applyCoupon (x.js:1:1)",
    });
    expect(titleFor(event)).toBe("TypeError: Cannot read properties of undefined (reading 'id')");
  });

  it("does not repeat a type the message already starts with", () => {
    expect(titleFor(makeEvent({ errorType: "ValueError", message: "ValueError: bad" }))).toBe(
      "ValueError: bad",
    );
  });

  it("falls back to the type, and cuts long titles with an ellipsis", () => {
    expect(titleFor(makeEvent({ errorType: "NullPointerException", message: "  \n" }))).toBe(
      "NullPointerException",
    );
    const long = titleFor(makeEvent({ errorType: "Error", message: "x".repeat(500) }));
    expect(long).toHaveLength(120);
    expect(long.endsWith("…")).toBe(true);
  });
});

describe("normaliseFilename", () => {
  it.each([
    ["webpack:///./src/cart/checkout.ts", "src/cart/checkout.ts"],
    ["https://shop.example.com/static/js/main.3f2a1b9c.js?v=2", "static/js/main.js"],
    ["https://shop.example.com/assets/index-BxHgT5kz.js", "assets/index.js"],
    ["/static/js/812.4f3a2b1c.chunk.js", "static/js/chunk.js"],
    ["https://x.com/assets/Checkout-settings.js", "assets/Checkout-settings.js"],
    [
      "/var/www/app/app/Http/Controllers/CartController.php",
      "app/Http/Controllers/CartController.php",
    ],
    ["/home/deploy/shop/releases/20240115102345/app/models/cart.rb", "app/models/cart.rb"],
    ["/app/src/cart.ts", "src/cart.ts"],
    ["/usr/src/app/dist/index.js", "dist/index.js"],
    ["/srv/a/node_modules/express/lib/router/layer.js", "node_modules/express/lib/router/layer.js"],
    ["package:shop/cart.dart", "package:shop/cart.dart"],
  ])("%j -> %j", (input, expected) => {
    expect(normaliseFilename(input)).toBe(expected);
  });
});

describe("culprit", () => {
  it("names the raising-most in-app frame, without host or build hash", () => {
    const event = makeEvent({
      frames: [
        { function: "onClick", filename: "https://shop.example.com/static/js/main.3f2a1b9c.js" },
        { function: "applyCoupon", filename: "webpack:///./src/cart/checkout.ts", lineno: 42 },
        { function: "get", filename: "https://shop.example.com/static/js/vendors~main.8c1d.js" },
      ],
    });
    expect(culprit(event)).toBe("src/cart/checkout.ts in applyCoupon");
  });

  it("uses the module for JVM frames and honours an explicit inApp", () => {
    const event = makeEvent({
      frames: [
        { module: "com.acme.shop.CartService", function: "checkout", filename: "CartService.java" },
        { module: "com.acme.shop.Money", function: "add", filename: "Money.java", inApp: false },
      ],
    });
    expect(culprit(event)).toBe("com.acme.shop.CartService in checkout");
  });

  it("parses rawStacktrace when the adapter sent no frames", () => {
    const event = makeEvent({
      rawStacktrace: `Traceback (most recent call last):
  File "/app/shop/views.py", line 54, in checkout
ValueError: bad`,
    });
    expect(culprit(event)).toBe("shop/views.py in checkout");
  });

  it("falls back to the request, then to any frame, then undefined", () => {
    const request = { method: "post", url: "https://api.example.com/api/pets/123/?x=1" };
    expect(culprit(makeEvent({ request }))).toBe("POST /api/pets/{id}/");
    expect(
      culprit(
        makeEvent({ frames: [{ function: "handle", filename: "/app/node_modules/x/y.js" }] }),
      ),
    ).toBe("node_modules/x/y.js in handle");
    expect(culprit(makeEvent())).toBeUndefined();
  });
});
