import { describe, expect, it } from "vitest";
import {
  type ErrorEvent,
  type StackFrame,
  computePreviousFingerprint,
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
 * VERSION 1 GOLDEN TABLE, frozen. Bugs created before grouping version 2 carry these hashes; a
 * grouping transition finds them by recomputing an event's version-1 hash. If any of these
 * changes, those bugs can no longer be found and their events open new bugs and issues.
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

describe("computePreviousFingerprint: version 1, frozen", () => {
  it.each(GOLDEN)("$name", ({ event, hash }) => {
    expect(computePreviousFingerprint(event)).toBe(hash);
  });

  it("still groups by message under version 1 (the reason for version 2)", () => {
    const event = (message: string) =>
      makeEvent({ errorType: "KeyError", message, rawStacktrace: nodeStack(42) });
    expect(computePreviousFingerprint(event("'banana'"))).not.toBe(
      computePreviousFingerprint(event("'sku-1521'")),
    );
  });
});
