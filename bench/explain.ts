/**
 * Postgres plans of one group commit, as the bench load runs it: `npx tsx bench/explain.ts`.
 * Fills a throwaway schema with bench-like reports (1,000 bugs, events), then records one batch
 * of 50 reports (hot and distinct fingerprints, new event ids) with auto_explain on (ANALYZE,
 * BUFFERS) in a transaction that is rolled back, and prints each statement's plan.
 */
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { groupEvent, recordOccurrences } from "../src/bugs/index.js";
import type { Database } from "../src/db/index.js";
import { parseReport } from "../src/ingest/index.js";
import { benchDatabaseUrl, startBenchServer } from "./bench-server.js";

const STACK = `TypeError: Cannot read properties of undefined (reading 'id')
    at applyCoupon (/app/src/cart/checkout.ts:42:17)
    at CartController.checkout (/app/src/cart/controller.ts:18:5)`;

const report = (i: number) =>
  parseReport(
    "generic",
    { error_type: i % 2 === 0 ? "TypeError" : `BenchError${i % 1000}`, message: "m", stack: STACK },
    new Date(),
  );

const server = await startBenchServer(4);
const notices: string[] = [];
const pool = new pg.Pool({
  connectionString: benchDatabaseUrl(),
  max: 1,
  options: `-c search_path=bench_${process.pid},public`,
});
pool.on("connect", (client) => client.on("notice", (n) => notices.push(n.message ?? "")));
const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
try {
  const projectId = server.project.id;
  const submits: Promise<unknown>[] = [];
  for (let i = 0; i < 5000; i++)
    submits.push(server.services.reportService.submit(projectId, report(i)));
  await Promise.all(submits);
  await sql`ANALYZE`.execute(server.db);
  const batch = Array.from({ length: 50 }, (_, i) => ({
    ...groupEvent(projectId, report(i), new Date()),
    storeEvent: true,
  }));
  await db
    .transaction()
    .execute(async (trx) => {
      await sql`LOAD 'auto_explain'`.execute(trx);
      await sql`SET LOCAL auto_explain.log_min_duration = 0`.execute(trx);
      await sql`SET LOCAL auto_explain.log_analyze = on`.execute(trx);
      await sql`SET LOCAL auto_explain.log_buffers = on`.execute(trx);
      await sql`SET LOCAL auto_explain.log_nested_statements = on`.execute(trx);
      await sql`SET LOCAL auto_explain.log_level = notice`.execute(trx);
      await recordOccurrences(trx, batch);
      throw new Error("rollback");
    })
    .catch((error: Error) => {
      if (error.message !== "rollback") throw error;
    });
  for (const notice of notices) console.log(`${notice}\n`);
} finally {
  await db.destroy();
  await server.close();
}
