import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Project, ensureProject } from "../../src/projects/index.js";
import type { Services } from "../../src/services.js";
import { buildTestApp } from "../helpers/app.js";
import { type TestDb, createTestDb } from "../helpers/db.js";

// The `scrub` section of .github/faultline.yml, applied at ingestion to what is stored.
const NOW = new Date("2026-11-23T12:00:10.000Z");

let testDb: TestDb;
let app: FastifyInstance;
let project: Project;
let services: Services;

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
  ({ app, project, services } = await buildTestApp(testDb.db, { clock: () => NOW }));
});

const REPORT = {
  error_type: "PaymentError",
  message: "charge failed for order_ref=A-1234 from 203.0.113.7",
  tags: { tenant_code: "acme-42", region: "eu" },
  context: { order: { tenant_code: "acme-42", order_ref: "order_ref=B-77", items: 3 } },
};

async function reportAndRead(payload: unknown = REPORT, to: Project = project) {
  const res = await app.inject({
    method: "POST",
    url: "/api/reports",
    headers: { authorization: `Bearer ${to.ingestKey}` },
    payload: payload as Record<string, unknown>,
  });
  expect(res.statusCode, res.body).toBe(202);
  const row = await testDb.db
    .selectFrom("events")
    .select(["message", "tags", "context"])
    .where("event_id", "=", res.json().event_id)
    .executeTakeFirstOrThrow();
  return row as {
    message: string;
    tags: Record<string, string>;
    context: { order: Record<string, unknown> };
  };
}

describe("repo config scrub settings", () => {
  it("stores what the default rules leave when the repo config has no scrub section", async () => {
    const row = await reportAndRead();
    expect(row.message).toBe("charge failed for order_ref=A-1234 from 203.0.113.7");
    expect(row.tags.tenant_code).toBe("acme-42");
    expect(row.context.order.order_ref).toBe("order_ref=B-77");
  });

  it("filters extra keys, extra patterns and IP addresses of the project's config", async () => {
    await services.projectConfigs.save(
      project.id,
      {
        scrub: {
          extra_keys: ["tenant_code"],
          extra_patterns: ["(?<=order_ref=)[\\w-]+"],
          ip_addresses: true,
        },
      },
      NOW,
    );
    const row = await reportAndRead();
    expect(row.message).toBe("charge failed for order_ref=[Filtered] from [Filtered]");
    expect(row.tags).toMatchObject({ tenant_code: "[Filtered]", region: "eu" });
    expect(row.context.order).toEqual({
      tenant_code: "[Filtered]",
      order_ref: "order_ref=[Filtered]",
      items: 3,
    });
  });

  it("keeps a project's settings to that project", async () => {
    await services.projectConfigs.save(project.id, { scrub: { extra_keys: ["tenant_code"] } }, NOW);
    const { project: other } = await ensureProject(testDb.db, { fullName: "octo-org/other" });
    expect((await reportAndRead(REPORT, project)).tags.tenant_code).toBe("[Filtered]");
    expect((await reportAndRead(REPORT, other)).tags.tenant_code).toBe("acme-42");
  });

  it("reports a pattern that matches the empty string and applies the others", async () => {
    const loaded = await services.projectConfigs.save(
      project.id,
      { scrub: { extra_patterns: ["x*", "(?<=order_ref=)[\\w-]+"] } },
      NOW,
    );
    expect(loaded.errors.join("\n")).toMatch(/matches the empty string/);
    const row = await reportAndRead();
    expect(row.message).toBe("charge failed for order_ref=[Filtered] from 203.0.113.7");
  });
});
