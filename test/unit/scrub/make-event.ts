import type { ErrorEvent } from "../../../src/grouping/index.js";

/** A realistic event; tests override the parts they are about. */
export function makeEvent(overrides: Partial<ErrorEvent> = {}): ErrorEvent {
  return {
    eventId: "9f1c2b7a4e6d4c3b8a0f1e2d3c4b5a69",
    timestamp: new Date("2025-03-14T09:26:53.000Z"),
    level: "error",
    errorType: "TypeError",
    message: "Cannot read properties of undefined (reading 'id')",
    frames: [
      {
        filename: "webpack:///src/cart/checkout.ts",
        absPath: "https://shop.example.com/static/js/main.4f2a.js?v=12",
        function: "submitOrder",
        module: "cart/checkout",
        lineno: 42,
        colno: 17,
        inApp: true,
      },
    ],
    source: "frontend",
    platform: "javascript",
    environment: "production",
    release: "shop@2.14.0",
    serverName: "web-3",
    userId: "user_8812",
    tags: { browser: "Firefox 124", route: "/checkout" },
    context: { cartItems: 3 },
    ...overrides,
  };
}
