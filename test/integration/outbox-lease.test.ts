import { spawn } from "node:child_process";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createOutboxWorker, planGithubEffects } from "../../src/github/index.js";
import type { Project } from "../../src/projects/index.js";
import { buildTestApp } from "../helpers/app.js";
import { type TestDb, createTestDb, testDatabaseUrl } from "../helpers/db.js";
import { API, nockLabels, testOctokit } from "../helpers/github.js";

/**
 * Outbox rows are claimed with a short lease the worker renews while it works (issue #19: a 5-
 * minute lock left the rows of a dead worker waiting 5 minutes).
 */
let testDb: TestDb;
let app: FastifyInstance;
let project: Project;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const outboxRows = () => testDb.db.selectFrom("outbox").selectAll().orderBy("id").execute();

async function report(i: number) {
  const res = await app.inject({
    method: "POST",
    url: "/api/reports",
    headers: { authorization: `Bearer ${project.ingestKey}` },
    payload: { error_type: `Lease${i}Error`, message: "boom" },
  });
  expect(res.statusCode).toBe(202);
}

beforeAll(async () => {
  testDb = await createTestDb({ poolSize: 10 });
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
});
afterAll(async () => {
  await app?.close();
  await testDb.close();
  nock.enableNetConnect();
});
beforeEach(async () => {
  await app?.close();
  await testDb.truncate();
  ({ app, project } = await buildTestApp(testDb.db, {
    effects: [planGithubEffects({ threshold: 1 })],
  }));
  await testDb.db.updateTable("projects").set({ installation_id: 4242 }).execute();
});
afterEach(() => {
  nock.cleanAll();
});

describe("outbox leases", () => {
  it("a worker renews its lease while GitHub is slow: no other worker takes its row", async () => {
    await report(1);
    nockLabels("octo-org/shop", ["bug", "severity:high"]);
    let posts = 0;
    nock(API)
      .post("/repos/octo-org/shop/issues")
      .delay(1_500)
      .reply(() => {
        posts++;
        return [201, { number: 5, html_url: "u5" }];
      });
    const leaseMs = 300;
    const a = createOutboxWorker({ db: testDb.db, getOctokit: testOctokit, leaseMs });
    const b = createOutboxWorker({ db: testDb.db, getOctokit: testOctokit, leaseMs });
    const running = a.runOnce();
    // Five leases long: b would take the row after the first one without renewals.
    const taken: number[] = [];
    for (let i = 0; i < 12; i++) {
      await sleep(100);
      taken.push(await b.runOnce());
    }
    expect(await running).toBe(1);
    expect(taken.every((n) => n === 0)).toBe(true);
    expect(posts).toBe(1);
    const [row] = await outboxRows();
    expect(row).toMatchObject({ claims: 1, attempts: 0 });
    expect(row?.done_at).toBeInstanceOf(Date);
  });

  // A real process killed with SIGKILL (it holds its rows and stops renewing); Postgres only, as
  // the embedded database is one process.
  it.skipIf(!testDatabaseUrl())(
    "rows of a worker killed with SIGKILL are taken over within seconds",
    async () => {
      for (let i = 0; i < 3; i++) await report(i);
      // A GitHub that accepts connections and never answers: the child hangs holding its rows.
      const hanging: Server = createServer(() => {});
      await new Promise<void>((resolve) => hanging.listen(0, "127.0.0.1", resolve));
      const port = (hanging.address() as AddressInfo).port;
      const child = spawn(
        process.execPath,
        ["--import", "tsx", fileURLToPath(new URL("../helpers/outbox-child.ts", import.meta.url))],
        {
          env: {
            ...process.env,
            OUTBOX_CHILD_DB: testDatabaseUrl(),
            OUTBOX_CHILD_SCHEMA: testDb.schema,
            OUTBOX_CHILD_GITHUB: `http://127.0.0.1:${port}`,
          },
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const exited = new Promise((resolve) => child.on("exit", resolve));
      try {
        await new Promise<void>((resolve, reject) => {
          child.stdout.on("data", (chunk: Buffer) => {
            if (chunk.toString().includes("claimed")) resolve();
          });
          child.on("exit", (code) => reject(new Error(`child exited ${code}: ${stderr}`)));
        });
        const held = await outboxRows();
        expect(held.every((r) => r.claimed_by !== null && r.claims === 1)).toBe(true);
        child.kill("SIGKILL");
        await exited;
        const killedAt = Date.now();

        // Claimed again, so each create looks for what the dead worker may have made first.
        nock(API)
          .get(/\/repos\/octo-org\/shop\/labels\/.*/)
          .times(2)
          .reply(200, {});
        nock(API).get("/repos/octo-org/shop/issues").query(true).times(3).reply(200, []);
        nock(API)
          .get("/search/issues")
          .query(true)
          .times(3)
          .reply(200, { total_count: 0, incomplete_results: false, items: [] });
        let created = 0;
        nock(API)
          .post("/repos/octo-org/shop/issues")
          .times(3)
          .reply(() => {
            created++;
            return [201, { number: 40 + created, html_url: `u${created}` }];
          });
        const survivor = createOutboxWorker({ db: testDb.db, getOctokit: testOctokit });
        let takenAt = 0;
        while (Date.now() - killedAt < 25_000) {
          if ((await survivor.runOnce()) > 0) {
            takenAt = Date.now();
            break;
          }
          await sleep(250);
        }
        const seconds = (takenAt - killedAt) / 1000;
        console.log(
          `outbox lease: rows of a SIGKILLed worker taken over ${seconds.toFixed(1)} s after the kill (default lease 10 s, renewed every 3.3 s)`,
        );
        expect(takenAt).toBeGreaterThan(0);
        expect(seconds).toBeLessThan(12);
        const rows = await outboxRows();
        expect(rows.every((r) => r.done_at !== null && r.claims === 2)).toBe(true);
        expect(created).toBe(3);
        expect(nock.pendingMocks()).toEqual([]);
      } finally {
        child.kill("SIGKILL");
        hanging.closeAllConnections();
        hanging.close();
      }
    },
    40_000,
  );
});
