import { describe, expect, it } from "vitest";
import { type CategoryInput, deriveCategory } from "../../../src/grouping/index.js";

// What real runtimes, drivers and SDKs report, and the category each should get.
const cases: [string, Partial<CategoryInput>, string][] = [
  // network
  [
    "node ECONNREFUSED",
    { errorType: "Error", message: "connect ECONNREFUSED 10.0.0.7:6379" },
    "network",
  ],
  ["browser fetch", { errorType: "TypeError", message: "Failed to fetch" }, "network"],
  ["safari fetch", { errorType: "TypeError", message: "Load failed" }, "network"],
  [
    "python requests",
    { errorType: "requests.exceptions.ConnectionError", message: "Max retries exceeded" },
    "network",
  ],
  [
    "java connect",
    { errorType: "java.net.ConnectException", message: "Connection refused" },
    "network",
  ],
  ["ruby", { errorType: "Errno::ECONNRESET", message: "Connection reset by peer" }, "network"],
  ["dns", { errorType: "Error", message: "getaddrinfo ENOTFOUND api.example.com" }, "network"],
  // timeout
  [
    "java socket",
    { errorType: "java.net.SocketTimeoutException", message: "Read timed out" },
    "timeout",
  ],
  [
    "python",
    { errorType: "requests.exceptions.ReadTimeout", message: "HTTPSConnectionPool" },
    "timeout",
  ],
  [
    "go",
    { errorType: "*url.Error", message: 'Get "http://x": context deadline exceeded' },
    "timeout",
  ],
  ["node", { errorType: "Error", message: "ETIMEDOUT" }, "timeout"],
  ["504", { errorType: "Error", message: "upstream said no", statusCode: 504 }, "timeout"],
  // database
  [
    "pg unique",
    {
      errorType: "error",
      message: 'duplicate key value violates unique constraint "users_email_key"',
    },
    "database",
  ],
  ["pg relation", { errorType: "error", message: 'relation "carts" does not exist' }, "database"],
  [
    "sqlalchemy",
    {
      errorType: "sqlalchemy.exc.OperationalError",
      message: "(psycopg2.OperationalError) could not connect to server",
    },
    "database",
  ],
  [
    "rails pg",
    { errorType: "ActiveRecord::StatementInvalid", message: "PG::UndefinedColumn" },
    "database",
  ],
  [
    "java",
    { errorType: "org.postgresql.util.PSQLException", message: "ERROR: deadlock detected" },
    "database",
  ],
  [
    "mongo",
    { errorType: "MongoServerError", message: "E11000 duplicate key error collection" },
    "database",
  ],
  [
    "prisma",
    { errorType: "PrismaClientKnownRequestError", message: "Unique constraint failed" },
    "database",
  ],
  [
    "raised in the driver",
    {
      errorType: "Error",
      message: "something went wrong",
      frames: [
        { filename: "src/cart.ts", function: "load", inApp: true },
        { filename: "/app/node_modules/pg/lib/client.js", function: "Client._handleErrorMessage" },
      ],
    },
    "database",
  ],
  // validation
  ["zod", { errorType: "ZodError", message: "Expected string, received number" }, "validation"],
  [
    "django",
    {
      errorType: "django.core.exceptions.ValidationError",
      message: "['Enter a valid email address.']",
    },
    "validation",
  ],
  [
    "rails",
    {
      errorType: "ActiveRecord::RecordInvalid",
      message: "Validation failed: Email can't be blank",
    },
    "validation",
  ],
  ["422", { errorType: "Error", message: "request failed", statusCode: 422 }, "validation"],
  [
    "json body",
    { errorType: "SyntaxError", message: "Unexpected token } in JSON at position 12" },
    "validation",
  ],
  // authentication
  ["jwt", { errorType: "TokenExpiredError", message: "jwt expired" }, "authentication"],
  ["401", { errorType: "Error", message: "request failed", statusCode: 401 }, "authentication"],
  [
    "message",
    { errorType: "Error", message: "Invalid credentials for user u-17" },
    "authentication",
  ],
  // authorisation
  [
    "django",
    { errorType: "django.core.exceptions.PermissionDenied", message: "" },
    "authorisation",
  ],
  ["403", { errorType: "Error", message: "x", statusCode: 403 }, "authorisation"],
  [
    "spring",
    {
      errorType: "org.springframework.security.access.AccessDeniedException",
      message: "Access is denied",
    },
    "authorisation",
  ],
  // not found
  [
    "rails",
    { errorType: "ActiveRecord::RecordNotFound", message: "Couldn't find Product with 'id'=9" },
    "not_found",
  ],
  [
    "django",
    {
      errorType: "shop.models.Product.DoesNotExist",
      message: "Product matching query does not exist.",
    },
    "not_found",
  ],
  ["404", { errorType: "Error", message: "x", statusCode: 404 }, "not_found"],
  [
    "enoent",
    { errorType: "Error", message: "ENOENT: no such file or directory, open '/data/x'" },
    "not_found",
  ],
  // configuration
  [
    "django",
    { errorType: "django.core.exceptions.ImproperlyConfigured", message: "SECRET_KEY" },
    "configuration",
  ],
  ["node module", { errorType: "Error", message: "Cannot find module 'sharp'" }, "configuration"],
  [
    "python import",
    { errorType: "ModuleNotFoundError", message: "No module named 'redis'" },
    "configuration",
  ],
  ["env", { errorType: "Error", message: "STRIPE_KEY is not set" }, "configuration"],
  // resource exhaustion
  [
    "java oom",
    { errorType: "java.lang.OutOfMemoryError", message: "Java heap space" },
    "resource_exhaustion",
  ],
  [
    "stack",
    { errorType: "RangeError", message: "Maximum call stack size exceeded" },
    "resource_exhaustion",
  ],
  [
    "emfile",
    { errorType: "Error", message: "EMFILE: too many open files, open 'x'" },
    "resource_exhaustion",
  ],
  ["429", { errorType: "Error", message: "x", statusCode: 429 }, "resource_exhaustion"],
  [
    "pool",
    {
      errorType: "sqlalchemy.exc.TimeoutError",
      message: "QueuePool limit of size 5 overflow 10 reached",
    },
    "timeout",
  ],
  [
    "pg clients",
    { errorType: "error", message: "sorry, too many clients already" },
    "resource_exhaustion",
  ],
  // external service
  [
    "stripe",
    { errorType: "Stripe::CardError", message: "Your card was declined." },
    "external_service",
  ],
  ["502", { errorType: "Error", message: "x", statusCode: 502 }, "external_service"],
  [
    "axios 503",
    { errorType: "AxiosError", message: "Request failed with status code 503" },
    "external_service",
  ],
  [
    "botocore",
    { errorType: "botocore.exceptions.ClientError", message: "An error occurred (AccessDenied)" },
    "external_service",
  ],
  // programming errors
  [
    "js",
    { errorType: "TypeError", message: "Cannot read properties of undefined (reading 'id')" },
    "programming_error",
  ],
  ["python", { errorType: "KeyError", message: "'banana'" }, "programming_error"],
  ["java", { errorType: "java.lang.NullPointerException", message: "" }, "programming_error"],
  [
    "ruby",
    { errorType: "NoMethodError", message: "undefined method `name' for nil:NilClass" },
    "programming_error",
  ],
  [
    "go panic",
    {
      errorType: "panic",
      message: "runtime error: invalid memory address or nil pointer dereference",
    },
    "programming_error",
  ],
  [
    ".net",
    { errorType: "System.NullReferenceException", message: "Object reference not set" },
    "programming_error",
  ],
  // causes
  [
    "wrapped",
    {
      errorType: "app.CheckoutFailed",
      message: "checkout failed",
      causes: [{ type: "ConnectionRefusedError", message: "[Errno 111]" }],
    },
    "network",
  ],
  [
    "raised from a mistake",
    {
      errorType: "shop.errors.CartError",
      message: "could not price cart 7",
      causes: [{ type: "KeyError", message: "'sku'" }],
    },
    "programming_error",
  ],
  // unknown
  ["nothing to go on", { errorType: "CheckoutError", message: "checkout failed" }, "unknown"],
  ["500 says nothing", { errorType: "Error", message: "x", statusCode: 500 }, "unknown"],
];

describe("deriveCategory", () => {
  it.each(cases)("%s: %j -> %s", (_name, input, expected) => {
    const derived = deriveCategory({ errorType: "Error", message: "", ...input });
    expect(derived.category).toBe(expected);
    expect(derived.reason.length).toBeGreaterThan(0);
  });

  it("says why", () => {
    expect(deriveCategory({ errorType: "Error", message: "x", statusCode: 404 })).toEqual({
      category: "not_found",
      reason: "status 404",
    });
    expect(
      deriveCategory({ errorType: "java.net.SocketTimeoutException", message: "Read timed out" }),
    ).toEqual({ category: "timeout", reason: 'type matches "Timeout"' });
    expect(deriveCategory({ errorType: "Error", message: "connect ECONNREFUSED 1.2.3.4" })).toEqual(
      { category: "network", reason: 'message matches "ECONNREFUSED"' },
    );
    expect(deriveCategory({ errorType: "Oops", message: "" })).toEqual({
      category: "unknown",
      reason: "no built-in rule matched",
    });
  });

  it("stays linear on hostile text (8 KiB messages, the ingest limit)", () => {
    const hostile = [
      `relation "${"a".repeat(8000)}`,
      `database "${'"'.repeat(8000)}`,
      "must be ".repeat(1000),
      `Unexpected token ${"x ".repeat(4000)}`,
      `object of type ${"x".repeat(8000)}`,
      "timed ".repeat(1300),
      `${"a".repeat(8180)}!`,
    ];
    const started = performance.now();
    for (const message of hostile) {
      for (const errorType of ["Error", "x".repeat(512)]) {
        deriveCategory({
          errorType,
          message,
          causes: Array.from({ length: 10 }, () => ({ type: "x".repeat(512), message })),
          frames: Array.from({ length: 250 }, () => ({ filename: "y".repeat(1024) })),
        });
      }
    }
    // 14 events of worst-case input: a backtracking pattern would take seconds here.
    expect(performance.now() - started).toBeLessThan(250);
  });
});
