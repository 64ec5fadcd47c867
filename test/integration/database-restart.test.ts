import { randomBytes } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DbHandle, createDb } from "../../src/db/index.js";
import { type Project, ensureProject } from "../../src/projects/index.js";
import { buildServer } from "../../src/server.js";
import { type Services, createServices } from "../../src/services.js";
import { type TestDb, createTestDb, testDatabaseUrl } from "../helpers/db.js";
import { type TcpProxy, startTcpProxy } from "../helpers/tcp-proxy.js";

/**
 * Postgres restarting under load, between the server and a Postgres it reaches through a TCP
 * proxy this test controls (the shared cluster is never stopped): the proxy stops accepting
 * connections, the server's sessions are terminated with pg_terminate_backend (57P01, what a
 * `pg_ctl stop -m fast` or a failover sends to each session), every socket is closed, and 3 s
 * later the proxy listens again. Clients retry a 503 with the same event id, as SDKs do.
 */
const url = testDatabaseUrl();
const DOWN_MS = 3_000;
const CLIENTS = 16;

let testDb: TestDb;
let proxy: TcpProxy;
let handle: DbHandle;
let services: Services;
let app: FastifyInstance;
let project: Project;
let base: string;
const appName = `fl_restart_${randomBytes(4).toString("hex")}`;
let connectionErrors = 0;

beforeAll(async () => {
  if (!url) return;
  testDb = await createTestDb({ poolSize: 2 });
  const target = new URL(url);
  proxy = await startTcpProxy({
    host: target.hostname === "localhost" ? "127.0.0.1" : target.hostname,
    port: Number(target.port || 5432),
  });
  const proxied = new URL(url);
  proxied.hostname = "127.0.0.1";
  proxied.port = String(proxy.port);
  proxied.searchParams.set("application_name", appName);
  handle = await createDb({
    databaseUrl: proxied.href,
    schema: testDb.schema,
    poolSize: 10,
    onConnectionError: () => {
      connectionErrors++;
    },
  });
  services = createServices({ db: handle.db });
  app = await buildServer(services, { reportRateLimitPerMinute: 1_000_000_000 });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  if (!address || typeof address === "string") throw new Error("no TCP address");
  base = `http://127.0.0.1:${address.port}`;
  ({ project } = await ensureProject(handle.db, { fullName: "octo-org/restart" }));
  // Every acknowledged report stores its event row: the per-minute limits would only count them.
  await services.projectConfigs.save(
    project.id,
    { rate_limits: { per_bug_per_minute: 1_000_000, per_project_per_minute: 1_000_000 } },
    new Date(),
  );
});

afterAll(async () => {
  if (!url) return;
  await app?.close();
  await services?.reportService.close();
  await handle?.close();
  await proxy?.close();
  await testDb?.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!url)("a Postgres restart under load", () => {
  it("answers 503 + Retry-After while down, resumes by itself, and stores every acked report", async () => {
    const acked = new Set<string>();
    const statuses = new Map<number, number>();
    const problems: string[] = [];
    let downAt = 0;
    let restoredAt = 0;
    let firstAckAfterRestore = 0;
    let refusedWhileDown = 0;
    let issuing = true;
    let sent = 0;

    async function send(eventId: string): Promise<void> {
      for (;;) {
        let response: Response;
        try {
          response = await fetch(`${base}/api/reports`, {
            method: "POST",
            headers: {
              "content-type": "application/json",
              authorization: `Bearer ${project.ingestKey}`,
            },
            body: JSON.stringify({
              error_type: "TypeError",
              message: "Cannot read properties of undefined (reading 'id')",
              event_id: eventId,
              service: "restart-test",
            }),
          });
        } catch (error) {
          problems.push(`request failed: ${(error as Error).message}`);
          return;
        }
        const text = await response.text();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        if (response.status === 202) {
          acked.add(eventId);
          if (restoredAt > 0 && firstAckAfterRestore === 0) firstAckAfterRestore = Date.now();
          return;
        }
        if (response.status !== 503) {
          problems.push(`${response.status} ${text}`);
          return;
        }
        if (!response.headers.get("retry-after")) problems.push(`503 without Retry-After: ${text}`);
        if (downAt > 0 && restoredAt === 0) refusedWhileDown++;
        // SDKs wait Retry-After (1 s); 100 ms keeps the test short and the load on.
        await sleep(100);
      }
    }

    async function client() {
      while (issuing) {
        sent++;
        await send(randomBytes(16).toString("hex"));
      }
    }

    const clients = Array.from({ length: CLIENTS }, () => client());
    await sleep(1_500);
    const ackedBefore = acked.size;

    // The restart: no new connections, every session of ours terminated (57P01), sockets closed.
    await proxy.refuseNew();
    downAt = Date.now();
    const admin = await createDb({ databaseUrl: url, poolSize: 1 });
    const terminated = await sql<{ n: number }>`
      SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
      WHERE application_name = ${appName}`.execute(admin.db);
    await admin.close();
    await proxy.cut();

    await sleep(DOWN_MS / 2);
    const readyWhileDown = await fetch(`${base}/readyz`);
    expect(readyWhileDown.status).toBe(503);
    const healthWhileDown = await fetch(`${base}/healthz`);
    expect(healthWhileDown.status).toBe(200);
    await sleep(DOWN_MS / 2);

    await proxy.restore();
    restoredAt = Date.now();
    await sleep(1_500);
    issuing = false;
    await Promise.all(clients);
    await services.reportService.flush();

    const recoveryMs = firstAckAfterRestore - restoredAt;
    const stored = await handle.db
      .selectFrom("events")
      .select("event_id")
      .where("project_id", "=", project.id)
      .execute();
    const counted = await handle.db
      .selectFrom("bugs")
      .select((eb) => eb.fn.sum<number>("occurrence_count").as("n"))
      .where("project_id", "=", project.id)
      .executeTakeFirstOrThrow();
    console.log(
      `postgres restart: ${acked.size} acked / ${stored.length} stored / ${Number(counted.n)} counted; ` +
        `${Number(terminated.rows[0]?.n)} sessions terminated, ${connectionErrors} connection errors ` +
        `survived, ${refusedWhileDown} answers 503 while down (${DOWN_MS} ms), 202s resumed ` +
        `${recoveryMs} ms after Postgres came back; statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
    );

    expect(problems.slice(0, 20)).toEqual([]);
    expect(ackedBefore).toBeGreaterThan(0);
    expect(Number(terminated.rows[0]?.n)).toBeGreaterThan(0);
    expect(refusedWhileDown).toBeGreaterThan(0);
    expect(acked.size).toBe(sent);
    expect(stored.length).toBe(acked.size);
    expect(new Set(stored.map((r) => r.event_id))).toEqual(acked);
    expect(Number(counted.n)).toBe(acked.size);
    expect(firstAckAfterRestore).toBeGreaterThan(0);
    // Issue #19 asks for "within a second"; the bound is looser for a loaded CI machine, the log
    // line above has the measured figure.
    expect(recoveryMs).toBeLessThan(3_000);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);

    // Idle: the pool's connections are terminated between requests (they used to crash the
    // process with an unhandled 'error' event too); the next report simply gets a new one.
    const errorsBefore = connectionErrors;
    const admin2 = await createDb({ databaseUrl: url, poolSize: 1 });
    const idle = await sql<{ n: number }>`
      SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
      WHERE application_name = ${appName}`.execute(admin2.db);
    await admin2.close();
    expect(Number(idle.rows[0]?.n)).toBeGreaterThan(0);
    await sleep(200);
    // Each idle connection told its error (57P01) to the listener instead of crashing.
    expect(connectionErrors).toBeGreaterThan(errorsBefore);
    await send(randomBytes(16).toString("hex"));
    expect(problems).toEqual([]);
    expect(acked.size).toBe(sent + 1);
  });
});
