import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Project } from "../../src/projects/index.js";
import type { Services } from "../../src/services.js";
import { buildTestApp } from "../helpers/app.js";
import { type TestDb, createTestDb } from "../helpers/db.js";

/** `grouping:` in .github/faultline.yml, applied at ingestion through the real route. */
let testDb: TestDb;
let app: FastifyInstance;
let services: Services;
let project: Project;

beforeAll(async () => {
  testDb = await createTestDb();
});
afterAll(async () => {
  await app?.close();
  await testDb.close();
});
beforeEach(async () => {
  await app?.close();
  await testDb.truncate();
  ({ app, services, project } = await buildTestApp(testDb.db));
});

const report = async (payload: Record<string, unknown>) => {
  const response = await app.inject({
    method: "POST",
    url: "/api/reports",
    headers: { authorization: `Bearer ${project.ingestKey}` },
    payload,
  });
  expect(response.statusCode).toBe(202);
  return response.json() as { bug: string };
};

const frames = (inner: string) => [
  { filename: "src/app/checkout.js", function: "checkout", lineno: 3 },
  { filename: `src/thirdparty/payments/${inner}.js`, function: inner, lineno: 9 },
];

describe("grouping rules from the repository's config", () => {
  it("applies in-app and fingerprint rules to new reports", async () => {
    // Without rules: the third-party frames are the app's, so two of its functions are two bugs.
    expect((await report({ error_type: "PaymentError", stack_trace: frames("charge") })).bug).toBe(
      "B-001",
    );
    expect((await report({ error_type: "PaymentError", stack_trace: frames("refund") })).bug).toBe(
      "B-002",
    );

    await services.projectConfigs.save(
      project.id,
      {
        grouping: {
          in_app: [{ path: "**/thirdparty/**", app: false }],
          fingerprints: [
            {
              match: { type: "ConnectionError", message: "*timed out*" },
              fingerprint: ["db-timeouts"],
            },
          ],
        },
      },
      new Date(),
    );
    // The third-party frames no longer count: both land on one (new) bug, whose culprit is ours.
    const charge = await report({ error_type: "PaymentError", stack_trace: frames("charge") });
    const refund = await report({ error_type: "PaymentError", stack_trace: frames("refund") });
    expect(charge.bug).toBe("B-003");
    expect(refund.bug).toBe("B-003");
    // Every timed-out connection is one bug, whatever its frames or message.
    const a = await report({
      error_type: "ConnectionError",
      message: "connect timed out after 3s",
    });
    const b = await report({
      error_type: "ConnectionError",
      message: "read TIMED OUT",
      stack_trace: frames("query"),
    });
    expect(a.bug).toBe("B-004");
    expect(b.bug).toBe("B-004");

    const bugs = await testDb.db
      .selectFrom("bugs")
      .select(["number", "culprit", "grouping"])
      .orderBy("number")
      .execute();
    expect(bugs[2]).toMatchObject({
      culprit: "src/app/checkout.js in checkout",
      grouping: {
        basis: "stacktrace",
        parts: ["type: PaymentError", "frame: src/app/checkout.js in checkout"],
      },
    });
    expect(bugs[3]?.grouping).toEqual({
      version: 2,
      basis: "rule",
      rule: 1,
      parts: ["db-timeouts"],
    });
  });
});
