/**
 * The real server on a throwaway Postgres schema, listening on loopback, for the benchmarks.
 * Counts the 2xx answers it sends, so that a benchmark can check them against the stored counts.
 */
import type { FastifyInstance } from "fastify";
import { type Kysely, sql } from "kysely";
import pino from "pino";
import { type Database, type DbHandle, createDb, migrateToLatest } from "../src/db/index.js";
import { planGithubEffects, planSuspectLookups } from "../src/github/index.js";
import { planNotifications } from "../src/notifications/index.js";
import { type Project, ensureProject } from "../src/projects/index.js";
import { buildServer } from "../src/server.js";
import { type Services, createServices } from "../src/services.js";

export const DEFAULT_BENCH_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/test";

export interface BenchServer {
  db: Kysely<Database>;
  services: Services;
  app: FastifyInstance;
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  project: Project;
  /** 2xx answers sent since the last reset. */
  answered(): number;
  resetAnswered(): void;
  /**
   * Milliseconds from each request's headers read (onRequest) to its answer written (onResponse),
   * since measureLatencies: the server's own share of the latency the load generator measures.
   */
  latencies(): number[];
  /** Starts (or restarts) keeping latencies; none are kept before (bench:memory never does). */
  measureLatencies(): void;
  /** Sum of the bugs' occurrence counts, once every queued report is committed. */
  storedOccurrences(): Promise<number>;
  /** Empties bugs, events and rollups (the project stays). */
  truncate(): Promise<void>;
  /** Statistics of the ingestion tables, as autovacuum keeps them on a server that runs on. */
  analyze(): Promise<void>;
  close(): Promise<void>;
}

export function benchDatabaseUrl(): string {
  return process.env.BENCH_DATABASE_URL?.trim() || DEFAULT_BENCH_DATABASE_URL;
}

export async function startBenchServer(poolSize = 20): Promise<BenchServer> {
  const url = benchDatabaseUrl();
  const schema = `bench_${process.pid}`;
  const admin = await createDb({ databaseUrl: url, poolSize: 1 });
  await sql`CREATE SCHEMA ${sql.id(schema)}`.execute(admin.db);
  let handle: DbHandle | undefined;
  try {
    handle = await createDb({ databaseUrl: url, schema, poolSize });
    await migrateToLatest(handle.db, schema);
    const db = handle.db;
    // BENCH_IN_FLIGHT: group-commit transactions in flight (default: the service's own).
    const inFlight = Number(process.env.BENCH_IN_FLIGHT ?? 0);
    // The effects main.ts wires, on a project installed as a GitHub App (below): each group
    // plans its outbox rows (open_issue per new bug) as in production. No worker runs them.
    const services = createServices({
      db,
      effects: [planSuspectLookups(), planGithubEffects(), planNotifications()],
      ...(inFlight > 0 ? { groupCommit: { maxInFlight: inFlight } } : {}),
    });
    // No per-key rate limits: the benchmark is the only client.
    // BENCH_LOG=info: a pino logger at that level, as main.ts builds it, writing to /dev/null
    // (synchronously, like pino's default stdout): what production logging costs per report.
    const logLevel = process.env.BENCH_LOG?.trim();
    const app = await buildServer(services, {
      ...(logLevel
        ? { logger: pino({ level: logLevel }, pino.destination({ dest: "/dev/null", sync: true })) }
        : {}),
      sentryRateLimitPerMinute: 1_000_000_000,
      reportRateLimitPerMinute: 1_000_000_000,
    });
    // Counted when the answer is produced, even if the client hung up at the end of a run: the
    // report was committed all the same.
    let answered = 0;
    app.addHook("onSend", async (_request, reply, payload) => {
      if (reply.statusCode >= 200 && reply.statusCode < 300) answered++;
      return payload;
    });
    const startedAt = new WeakMap<object, number>();
    let latencies: number[] | undefined;
    app.addHook("onRequest", async (request) => {
      if (latencies) startedAt.set(request, performance.now());
    });
    app.addHook("onResponse", async (request) => {
      const started = startedAt.get(request);
      if (started !== undefined) latencies?.push(performance.now() - started);
    });
    await app.listen({ port: 0, host: "127.0.0.1" });
    const address = app.server.address();
    if (!address || typeof address === "string") throw new Error("the server has no TCP address");
    const { project } = await ensureProject(db, { fullName: "bench/shop", installationId: 1 });
    // Every report stores its event row (the heaviest write) unless BENCH_LIMITS=default, which
    // keeps the repo config's defaults: past 1,000 events a minute per project (100 per bug)
    // reports are only counted, and the figures then mostly measure counting.
    if (process.env.BENCH_LIMITS?.trim() !== "default") {
      await services.projectConfigs.save(
        project.id,
        {
          rate_limits: { per_bug_per_minute: 1_000_000_000, per_project_per_minute: 1_000_000_000 },
        },
        new Date(),
      );
    }
    const owned = handle;
    return {
      db,
      services,
      app,
      baseUrl: `http://127.0.0.1:${address.port}`,
      project,
      answered: () => answered,
      resetAnswered: () => {
        answered = 0;
      },
      latencies: () => latencies ?? [],
      measureLatencies: () => {
        latencies = [];
      },
      async storedOccurrences() {
        await services.reportService.flush();
        const row = await sql<{ n: number | null }>`
          SELECT sum(occurrence_count)::bigint AS n FROM bugs`.execute(db);
        return Number(row.rows[0]?.n ?? 0);
      },
      async truncate() {
        await services.reportService.flush();
        await sql`TRUNCATE events, bug_hourly, outbox, bugs RESTART IDENTITY CASCADE`.execute(db);
        await db.updateTable("projects").set({ bug_seq: 0 }).execute();
      },
      async analyze() {
        await services.reportService.flush();
        await sql`ANALYZE projects, bugs, events, bug_hourly, outbox`.execute(db);
      },
      async close() {
        await app.close();
        await services.reportService.close();
        await owned.close();
        await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(admin.db);
        await admin.close();
      },
    };
  } catch (error) {
    await handle?.close();
    await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(admin.db);
    await admin.close();
    throw error;
  }
}
