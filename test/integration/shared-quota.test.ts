import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createSharedQuota } from "../../src/ingest/admission/index.js";
import { type TestDb, createTestDb } from "../helpers/db.js";

/** The per-minute budgets shared by replicas through Postgres (ingest/admission/shared-quota.ts). */
let testDb: TestDb;
const MINUTE = Date.parse("2026-11-23T12:00:00Z");

beforeAll(async () => {
  testDb = await createTestDb({ poolSize: 6 });
});
afterAll(async () => {
  await testDb.close();
});
beforeEach(async () => {
  await testDb.truncate();
});

describe("shared per-minute quota", () => {
  it("gives out exactly the limit across replicas, then answers from memory", async () => {
    const replicas = [0, 1, 2].map(() => createSharedQuota({ db: testDb.db }));
    const now = new Date(MINUTE + 10_000);
    const keys = [{ key: "p:1", limit: 45 }];
    const taken = await Promise.all(
      Array.from({ length: 90 }, (_, i) => replicas[i % 3]?.take(keys, now)),
    );
    const granted = taken.filter(Boolean).length;
    // Each replica may hold a chunk (3 units here) it has not spent: never more than the limit.
    expect(granted).toBeLessThanOrEqual(45);
    expect(granted).toBeGreaterThanOrEqual(45 - 3 * 3);
    // Used up: decided without a query (synchronously).
    expect(replicas[0]?.take(keys, now)).toBe(false);
  });

  it("takes on both sides of a minute boundary for one key all finish", async () => {
    // A take that read the clock just before 12:01 and one just after used to replace each
    // other's budget at every refill and wait forever.
    const quota = createSharedQuota({ db: testDb.db });
    const keys = [{ key: "b:1:fp", limit: 100 }];
    const before = new Date(MINUTE + 59_999);
    const after = new Date(MINUTE + 60_000);
    const results = await Promise.race([
      Promise.all(
        Array.from({ length: 40 }, (_, i) => quota.take(keys, i % 2 === 0 ? before : after)),
      ),
      new Promise<"hung">((resolve) => setTimeout(() => resolve("hung"), 5_000)),
    ]);
    expect(results).toEqual(Array(40).fill(true));
  });

  it("takes under two limits (a config change in flight) for one key all finish", async () => {
    const quota = createSharedQuota({ db: testDb.db });
    const now = new Date(MINUTE + 30_000);
    const results = await Promise.race([
      Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          quota.take([{ key: "p:2", limit: i % 2 === 0 ? 100 : 200 }], now),
        ),
      ),
      new Promise<"hung">((resolve) => setTimeout(() => resolve("hung"), 5_000)),
    ]);
    expect(results).toEqual(Array(40).fill(true));
  });
});
