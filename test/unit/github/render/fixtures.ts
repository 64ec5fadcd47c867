import type { IssueBugView, LatestEventView } from "../../../../src/github/render/index.js";

/** A realistic Node TypeError from an Express app: app frames, node_modules and node: internals. */
export function nodeTypeErrorEvent(): LatestEventView {
  return {
    message: "Cannot read properties of undefined (reading 'id')",
    // Sentry order: outermost first, the raising frame last.
    frames: [
      {
        filename: "node:internal/process/task_queues",
        function: "process.processTicksAndRejections",
        lineno: 95,
        colno: 5,
        inApp: false,
      },
      {
        filename: "node_modules/express/lib/router/index.js",
        function: "next",
        lineno: 280,
        colno: 10,
        inApp: false,
      },
      {
        filename: "node_modules/express/lib/router/layer.js",
        function: "Layer.handle [as handle_request]",
        lineno: 95,
        colno: 5,
        inApp: false,
      },
      {
        filename: "node_modules/express/lib/router/route.js",
        function: "Route.dispatch",
        lineno: 119,
        colno: 3,
        inApp: false,
      },
      {
        filename: "src/routes/cart.ts",
        function: "checkoutHandler",
        lineno: 88,
        colno: 22,
        inApp: true,
      },
      {
        filename: "node_modules/p-retry/index.js",
        function: "RetryOperation._fn",
        lineno: 50,
        colno: 12,
        inApp: false,
      },
      {
        filename: "src/cart/checkout.ts",
        function: "applyDiscount",
        lineno: 42,
        colno: 17,
        inApp: true,
      },
    ],
    request: {
      method: "post",
      url: "https://shop.example.com/api/cart/checkout?coupon=SPRING",
      statusCode: 500,
      headers: {
        "Content-Type": "application/json",
        "User-Agent": "Mozilla/5.0",
        Cookie: "session=abc",
        Authorization: "Bearer secret",
      },
      data: { cartId: "c_123", coupon: "SPRING" },
    },
    environment: "production",
    release: "shop@1.4.2",
    userId: "u_8841",
  };
}

export function nodeTypeErrorBug(overrides: Partial<IssueBugView> = {}): IssueBugView {
  return {
    number: 7,
    title: "TypeError: Cannot read properties of undefined (reading 'id')",
    errorType: "TypeError",
    culprit: "cart/checkout.ts",
    severity: "high",
    status: "open",
    fingerprint: "3f2a9c1e7b",
    occurrenceCount: 1234,
    firstSeen: new Date("2024-05-01T10:00:00.123Z"),
    lastSeen: new Date("2024-05-03T16:42:07Z"),
    environments: ["production", "staging"],
    releases: ["shop@1.4.1", "shop@1.4.2"],
    services: ["api"],
    regressionCount: 1,
    appUrl: "https://faultline.example.com/acme/shop/bugs/B-007",
    ...overrides,
  };
}
