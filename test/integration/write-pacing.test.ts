import type { FastifyInstance } from "fastify";
import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createOutboxWorker, planGithubEffects } from "../../src/github/index.js";
import {
  GITHUB_WRITE_LIMITS,
  PacedOut,
  createWritePacer,
} from "../../src/github/outbox/write-pacing.js";
import type { Project } from "../../src/projects/index.js";
import { buildTestApp } from "../helpers/app.js";
import { type TestDb, createTestDb } from "../helpers/db.js";
import { API, nockLabels, testOctokit } from "../helpers/github.js";

/**
 * GitHub writes paced by GitHub's documented secondary limits (80 content-creating requests a
 * minute, 500 an hour), shared by replicas through Postgres. A fake clock that the pacer's sleep
 * moves forward: no test waits for real.
 */
let testDb: TestDb;
let now: number;
const START = Date.parse("2026-11-23T10:00:00Z");
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function pacer(maxWaitMs = 15_000) {
  return createWritePacer({
    db: testDb.db,
    clock: () => new Date(now),
    sleep: async (ms) => {
      now += ms;
    },
    maxWaitMs,
  });
}

beforeAll(async () => {
  testDb = await createTestDb({ poolSize: 6 });
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
});
afterAll(async () => {
  await testDb.close();
  nock.enableNetConnect();
});
beforeEach(async () => {
  await testDb.truncate();
  now = START;
});
afterEach(() => {
  nock.cleanAll();
});

describe("GitHub write pacing", () => {
  it("spaces one installation's writes 750 ms apart across two replicas: 80 a minute", async () => {
    const replicas = [pacer(), pacer()];
    const times: number[] = [];
    for (let i = 0; i < 160; i++) {
      await (replicas[i % 2] as ReturnType<typeof pacer>).take(7);
      times.push(now);
    }
    const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
    expect(Math.min(...gaps)).toBe(750);
    expect(Math.max(...gaps)).toBe(750);
    const inFirstMinute = times.filter((t) => t < START + MINUTE).length;
    expect(inFirstMinute).toBe(GITHUB_WRITE_LIMITS.perMinute);
    // Another installation has its own budget.
    const before = now;
    await replicas[0]?.take(8);
    expect(now).toBe(before);
  });

  it("holds the 501st write of an hour until the first is an hour old", async () => {
    const p = pacer();
    for (let i = 0; i < GITHUB_WRITE_LIMITS.perHour; i++) await p.take(7);
    // 500 writes 750 ms apart took 374 s; the next would wait ~54 minutes: the worker gives
    // the row back (PacedOut) rather than hold it.
    expect(now).toBe(START + 499 * 750);
    const refused = await p.take(7).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(PacedOut);
    const waitMs = (refused as PacedOut).waitMs;
    expect(now + waitMs).toBe(START + HOUR + 1);
    now += waitMs;
    await p.take(7);
    expect(now).toBe(START + HOUR + 1);
    // The budget frees up as the hour slides: the next goes 750 ms later, not an hour.
    await p.take(7);
    expect(now).toBe(START + HOUR + 1 + 750);
  }, 60_000);
});

describe("the outbox worker's GitHub writes", () => {
  let app: FastifyInstance;
  let project: Project;
  afterAll(async () => {
    await app?.close();
  });

  it("are paced, and labels known to exist are not read or created again", async () => {
    ({ app, project } = await buildTestApp(testDb.db, {
      clock: () => new Date(now),
      effects: [planGithubEffects({ threshold: 1 })],
    }));
    await testDb.db.updateTable("projects").set({ installation_id: 4242 }).execute();
    for (let i = 0; i < 4; i++) {
      const res = await app.inject({
        method: "POST",
        url: "/api/reports",
        headers: { authorization: `Bearer ${project.ingestKey}` },
        payload: { error_type: `Paced${i}Error`, message: "boom" },
      });
      expect(res.statusCode).toBe(202);
    }
    // One label missing: created once (a write, paced too), then known.
    const createdLabels = nockLabels("octo-org/shop", ["severity:high"], ["bug"]);
    const posted: number[] = [];
    nock(API)
      .post("/repos/octo-org/shop/issues")
      .times(4)
      .reply(() => {
        posted.push(now);
        return [201, { number: 10 + posted.length, html_url: `u${posted.length}` }];
      });
    const worker = createOutboxWorker({
      db: testDb.db,
      getOctokit: testOctokit,
      clock: () => new Date(now),
      pacer: pacer(),
    });
    expect(await worker.runOnce()).toBe(4);
    expect(createdLabels).toEqual([{ name: "bug", color: "d73a4a" }]);
    // The label create went first (at START), then one issue every 750 ms.
    expect(posted).toEqual([START + 750, START + 1500, START + 2250, START + 3000]);
    expect(nock.pendingMocks()).toEqual([]);
    const slots = await testDb.db.selectFrom("github_write_slots").selectAll().execute();
    expect(slots).toHaveLength(5);
    expect(new Set(slots.map((s) => Number(s.installation_id)))).toEqual(new Set([4242]));
  });
});
