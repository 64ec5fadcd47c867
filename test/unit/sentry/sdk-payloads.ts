/**
 * Event payloads shaped like what the Sentry SDKs send (trimmed: fewer modules, integrations and
 * frames, values made up), used to pin down the mapping field by field.
 */

/** @sentry/node 8: an uncaught TypeError in an Express handler. */
export const nodeUncaught = {
  exception: {
    values: [
      {
        type: "TypeError",
        value: "Cannot read properties of undefined (reading 'id')",
        stacktrace: {
          frames: [
            {
              filename: "node:internal/process/task_queues",
              module: "task_queues",
              function: "process.processTicksAndRejections",
              lineno: 95,
              colno: 5,
              in_app: false,
            },
            {
              filename: "/srv/app/node_modules/express/lib/router/layer.js",
              module: "express.lib.router:layer",
              function: "Layer.handle [as handle_request]",
              lineno: 95,
              colno: 5,
              in_app: false,
            },
            {
              filename: "/srv/app/dist/routes/cart.js",
              module: "routes:cart",
              function: "getCart",
              lineno: 42,
              colno: 31,
              in_app: true,
              pre_context: ["export async function getCart(req, res) {"],
              context_line: "  const id = req.session.user.id;",
              post_context: ["  const cart = await carts.find(id);"],
            },
          ],
        },
        mechanism: { type: "onuncaughtexception", handled: false },
      },
    ],
  },
  event_id: "c4f1a2b3d4e5f60718293a4b5c6d7e8f",
  level: "fatal",
  platform: "node",
  contexts: {
    trace: {
      trace_id: "6a1f0c9b2e3d4c5b8a7f6e5d4c3b2a19",
      span_id: "9b8a7c6d5e4f3a2b",
      parent_span_id: "1a2b3c4d5e6f7a8b",
    },
    runtime: { name: "node", version: "v20.11.1" },
    app: { app_start_time: "2024-06-09T12:00:00.000Z", app_memory: 120586240 },
    os: { kernel_version: "6.1.0-18-amd64", name: "Linux", version: "6.1.0" },
    response: { status_code: 500 },
  },
  server_name: "shop-api-7f9c8d-xk2p",
  timestamp: 1717937020.123,
  environment: "production",
  release: "shop-api@2.4.1",
  sdk: {
    integrations: ["InboundFilters", "FunctionToString", "Http", "Express"],
    name: "sentry.javascript.node",
    version: "8.9.2",
    packages: [{ name: "npm:@sentry/node", version: "8.9.2" }],
  },
  breadcrumbs: [
    {
      timestamp: 1717937020.01,
      category: "http",
      data: { url: "http://carts.internal/7", method: "GET", status_code: 200 },
      type: "http",
    },
    { timestamp: 1717937020.1, category: "console", level: "log", message: "loading cart 7" },
  ],
  request: {
    method: "get",
    url: "https://shop.example.com/api/cart/7",
    query_string: "?currency=EUR",
    headers: { host: "shop.example.com", "user-agent": "curl/8.5.0", accept: "*/*" },
    cookies: { sid: "abc" },
  },
  transaction: "GET /api/cart/:id",
  tags: { service: "shop-api", region: "eu-west-1" },
  user: { id: "u_123", email: "alice@example.com", ip_address: "203.0.113.7" },
  modules: { express: "4.19.2" },
  extra: { cartId: 7 },
};

/** @sentry/react 8 in a browser: a linked `cause` chain, custom fingerprint, 25 breadcrumbs. */
export const browserChained = {
  exception: {
    values: [
      {
        type: "TypeError",
        value: "Failed to fetch",
        stacktrace: {
          frames: [
            {
              filename: "https://shop.example.com/assets/index-3f2a9c.js",
              function: "fetchPrices",
              in_app: true,
              lineno: 1,
              colno: 48213,
            },
          ],
        },
        mechanism: {
          type: "chained",
          handled: true,
          source: "cause",
          exception_id: 1,
          parent_id: 0,
        },
      },
      {
        type: "CheckoutError",
        value: "Checkout failed: prices unavailable",
        stacktrace: {
          frames: [
            {
              filename: "https://shop.example.com/assets/vendor-81ac0e.js",
              function: "HTMLButtonElement.o",
              in_app: true,
              lineno: 2,
              colno: 1502,
            },
            {
              filename: "https://shop.example.com/assets/index-3f2a9c.js",
              function: "submitOrder",
              in_app: true,
              lineno: 1,
              colno: 50122,
            },
          ],
        },
        mechanism: { type: "generic", handled: true, exception_id: 0 },
      },
    ],
  },
  level: "error",
  platform: "javascript",
  event_id: "0b8a5d4c3e2f41a09b8c7d6e5f4a3b2c",
  timestamp: 1717937021.5,
  environment: "production",
  release: "web@1.8.0",
  sdk: {
    integrations: ["BrowserTracing", "LinkedErrors", "Dedupe"],
    name: "sentry.javascript.react",
    version: "8.9.2",
    packages: [{ name: "npm:@sentry/react", version: "8.9.2" }],
  },
  request: {
    url: "https://shop.example.com/checkout?step=2",
    headers: {
      "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/125.0 Safari/537.36",
      Referer: "https://shop.example.com/cart",
    },
  },
  breadcrumbs: Array.from({ length: 25 }, (_, i) => ({
    timestamp: 1717937000 + i,
    category: "ui.click",
    message: `button#step-${i}`,
  })),
  contexts: {
    trace: { trace_id: "0f1e2d3c4b5a69788796a5b4c3d2e1f0", span_id: "aa11bb22cc33dd44" },
  },
  tags: {},
  user: { id: 42, ip_address: "{{auto}}" },
  fingerprint: ["{{ default }}", "checkout"],
};

/** @sentry/browser 8: captureMessage of a parameterized string with attachStacktrace on. */
export const browserParameterizedMessage = {
  level: "warning",
  logentry: { message: "Slow checkout: %s took %sms", params: ["payment", 5200] },
  exception: {
    values: [
      {
        value: "Slow checkout: payment took 5200ms",
        stacktrace: {
          frames: [
            {
              filename: "https://shop.example.com/assets/index-3f2a9c.js",
              function: "reportSlow",
              in_app: true,
              lineno: 1,
              colno: 9001,
            },
          ],
        },
      },
    ],
  },
  platform: "javascript",
  event_id: "1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f",
  timestamp: 1717937022,
  sdk: { name: "sentry.javascript.browser", version: "8.9.2" },
};

/** sentry-python 2 with Django: a chained exception (`raise ... from`), ISO timestamp. */
export const pythonDjangoChained = {
  level: "error",
  exception: {
    values: [
      {
        module: null,
        type: "KeyError",
        value: "'sku'",
        mechanism: {
          type: "chained",
          handled: true,
          exception_id: 1,
          source: "__cause__",
          parent_id: 0,
        },
        stacktrace: {
          frames: [
            {
              filename: "shop/pricing.py",
              abs_path: "/srv/shop/shop/pricing.py",
              function: "price_line",
              module: "shop.pricing",
              lineno: 31,
              pre_context: ["def price_line(line):"],
              context_line: "    return PRICES[line['sku']] * line['qty']",
              post_context: [],
              vars: { line: { qty: 2 } },
              in_app: true,
            },
          ],
        },
      },
      {
        module: "shop.errors",
        type: "CartError",
        value: "could not price cart 7",
        mechanism: { type: "django", handled: false, exception_id: 0 },
        stacktrace: {
          frames: [
            {
              filename: "django/core/handlers/exception.py",
              abs_path: "/usr/local/lib/python3.12/site-packages/django/core/handlers/exception.py",
              function: "inner",
              module: "django.core.handlers.exception",
              lineno: 55,
              in_app: false,
            },
            {
              filename: "shop/views.py",
              abs_path: "/srv/shop/shop/views.py",
              function: "cart_total",
              module: "shop.views",
              lineno: 88,
              context_line: "        raise CartError(f'could not price cart {cart.id}') from e",
              vars: { cart: "<Cart: 7>" },
              in_app: true,
            },
          ],
        },
      },
    ],
  },
  event_id: "4e3d2c1b0a9f48e7b6a5c4d3e2f1a0b9",
  timestamp: "2024-06-09T12:43:40.123456Z",
  contexts: {
    trace: {
      trace_id: "a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8",
      span_id: "b1c2d3e4f5a6b7c8",
      op: "http.server",
    },
    runtime: { name: "CPython", version: "3.12.3", build: "3.12.3 (main, Apr 10 2024)" },
  },
  transaction: "/api/cart/{cart_id}/total",
  transaction_info: { source: "route" },
  breadcrumbs: {
    values: [
      {
        ty: "log",
        level: "info",
        category: "shop.cart",
        message: "pricing cart 7",
        timestamp: "2024-06-09T12:43:40.100000Z",
        data: {},
        type: "default",
      },
    ],
  },
  extra: { "sys.argv": ["manage.py", "runserver"] },
  modules: { django: "5.0.6" },
  release: "shop@3.1.0",
  environment: "production",
  server_name: "web-2",
  sdk: {
    name: "sentry.python.django",
    version: "2.5.1",
    packages: [{ name: "pypi:sentry-sdk", version: "2.5.1" }],
    integrations: ["django", "logging"],
  },
  platform: "python",
  request: {
    url: "https://shop.example.com/api/cart/7/total",
    query_string: "currency=EUR",
    method: "GET",
    env: { SERVER_NAME: "web-2", SERVER_PORT: "8000" },
    headers: { Host: "shop.example.com", "User-Agent": "curl/8.5.0", "Content-Length": "" },
    data: {},
  },
  user: { id: 7, username: "alice" },
};

/** sentry-python logging integration: a warning with a template and a custom fingerprint. */
export const pythonLoggingMessage = {
  level: "warning",
  logger: "shop.payments",
  logentry: {
    message: "Payment for order %s declined: %s",
    params: ["A-1009", "insufficient_funds"],
    formatted: "Payment for order A-1009 declined: insufficient_funds",
  },
  fingerprint: ["payment-declined", "{{ default }}"],
  event_id: "7f6e5d4c3b2a41908f7e6d5c4b3a2918",
  timestamp: "2024-06-09T12:44:00.000001Z",
  threads: {
    values: [
      {
        stacktrace: {
          frames: [
            {
              filename: "shop/payments.py",
              abs_path: "/srv/shop/shop/payments.py",
              function: "charge",
              module: "shop.payments",
              lineno: 120,
              in_app: true,
            },
          ],
        },
        current: true,
      },
    ],
  },
  extra: { order_total: "99.00" },
  platform: "python",
  sdk: { name: "sentry.python", version: "2.5.1" },
  server_name: "worker-1",
  tags: [
    ["service", "payments"],
    ["queue", "charges"],
  ],
};

/** sentry-java 7 with Spring Boot and Logback: `message` object with `{}` params, two causes. */
export const javaSpringLogback = {
  event_id: "5b2f8c1d9e4a47b6a3c2d1e0f9a8b7c6",
  timestamp: "2024-06-09T12:43:40.123Z",
  message: {
    formatted: "Failed to load cart 7 for user 42",
    message: "Failed to load cart {} for user {}",
    params: ["7", "42"],
  },
  logger: "com.acme.shop.CartController",
  level: "error",
  platform: "java",
  exception: {
    values: [
      {
        type: "SQLTransientConnectionException",
        value: "HikariPool-1 - Connection is not available, request timed out after 30000ms.",
        module: "java.sql",
        thread_id: 54,
        stacktrace: {
          frames: [
            {
              filename: "HikariPool.java",
              function: "getConnection",
              module: "com.zaxxer.hikari.pool.HikariPool",
              lineno: 181,
              in_app: false,
              native: false,
            },
          ],
        },
      },
      {
        type: "CannotCreateTransactionException",
        value: "Could not open JPA EntityManager for transaction",
        module: "org.springframework.transaction",
        thread_id: 54,
        stacktrace: {
          frames: [
            {
              filename: "Thread.java",
              function: "run",
              module: "java.lang.Thread",
              lineno: 1583,
              in_app: false,
              native: false,
            },
            {
              filename: "CartController.java",
              function: "getCart",
              module: "com.acme.shop.CartController",
              lineno: 57,
              in_app: true,
              native: false,
            },
          ],
          snapshot: false,
        },
      },
    ],
  },
  threads: {
    values: [
      {
        id: 54,
        name: "http-nio-8080-exec-1",
        state: "RUNNABLE",
        crashed: false,
        current: true,
        daemon: true,
        main: false,
      },
    ],
  },
  contexts: {
    runtime: { name: "Eclipse Adoptium", version: "21.0.3" },
    os: { name: "Linux", version: "6.1.0-18-amd64" },
    trace: { trace_id: "c0ffee00c0ffee00c0ffee00c0ffee00", span_id: "deadbeefdeadbeef" },
  },
  request: {
    url: "https://shop.example.com/api/cart/7",
    method: "GET",
    query_string: "currency=EUR",
    headers: { Host: "shop.example.com", Accept: "application/json" },
  },
  user: { username: "alice", email: "alice@example.com" },
  sdk: {
    name: "sentry.java.spring-boot.jakarta",
    version: "7.10.0",
    packages: [{ name: "maven:io.sentry:sentry-spring-boot-starter-jakarta", version: "7.10.0" }],
  },
  environment: "production",
  release: "shop-service@4.0.2",
  server_name: "shop-service-5c7d9",
  tags: { service: "shop-service" },
  breadcrumbs: [
    {
      timestamp: "2024-06-09T12:43:10.001Z",
      message: "Fetching cart 7",
      category: "com.acme.shop.CartService",
      level: "info",
    },
  ],
};

/** sentry-java: an uncaught NPE whose stack is on the crashed thread only. */
export const javaCrashedThread = {
  event_id: "a1b2c3d4-e5f6-4789-a0b1-c2d3e4f5a6b7",
  timestamp: "2024-06-09T12:45:00Z",
  level: "fatal",
  platform: "java",
  exception: {
    values: [
      {
        type: "NullPointerException",
        value: 'Cannot invoke "com.acme.shop.Cart.total()" because "cart" is null',
        module: "java.lang",
        thread_id: 1,
        mechanism: { type: "UncaughtExceptionHandler", handled: false },
      },
    ],
  },
  threads: {
    values: [
      { id: 2, name: "Finalizer", crashed: false, stacktrace: { frames: [{ function: "wait" }] } },
      {
        id: 1,
        name: "main",
        crashed: true,
        current: true,
        stacktrace: {
          frames: [
            { filename: "Main.java", function: "main", module: "com.acme.shop.Main", lineno: 12 },
            {
              filename: "Checkout.java",
              function: "pay",
              module: "com.acme.shop.Checkout",
              lineno: 40,
              in_app: true,
            },
          ],
        },
      },
    ],
  },
  sdk: { name: "sentry.java", version: "7.10.0" },
};
