/**
 * Ingestion throughput on real Postgres: `npm run bench:ingest` (DATABASE_URL or
 * TEST_DATABASE_URL, default the local test database). Loopback only, bounded in time.
 * Server and load generator share this process (and the machine's 2 cores) with Postgres, so the
 * figures are a floor, not a ceiling.
 */
import autocannon from "autocannon";
import { sql } from "kysely";
import { createDb, migrateToLatest } from "../src/db/index.js";
import { ensureProject } from "../src/projects/index.js";
import { buildServer } from "../src/server.js";
import { createServices } from "../src/services.js";

const url =
  process.env.DATABASE_URL ||
  process.env.TEST_DATABASE_URL ||
  "postgres://postgres@127.0.0.1:5432/test";
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const schema = `bench_${process.pid}`;

const admin = await createDb({ databaseUrl: url, poolSize: 1 });
await sql`CREATE SCHEMA ${sql.id(schema)}`.execute(admin.db);
const handle = await createDb({ databaseUrl: url, schema, poolSize: 20 });
try {
  await migrateToLatest(handle.db, schema);
  const services = createServices({ db: handle.db });
  const app = await buildServer(services);
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  if (!address || typeof address === "string") throw new Error("no address");
  const { project } = await ensureProject(handle.db, { fullName: "bench/shop" });

  const stack = "TypeError: x is undefined\n    at applyCoupon (/app/src/cart/checkout.ts:42:17)";
  const scenarios: { name: string; body: (i: number) => string }[] = [
    {
      name: "one hot fingerprint",
      body: () => JSON.stringify({ error_type: "TypeError", message: "x is undefined", stack }),
    },
    {
      name: "1,000 distinct fingerprints",
      body: (i) => JSON.stringify({ error_type: `BenchError${i % 1000}`, message: "m", stack }),
    },
  ];
  const rows: string[] = [];
  for (const scenario of scenarios) {
    let i = 0;
    const result = await autocannon({
      url: `http://127.0.0.1:${address.port}/api/reports`,
      method: "POST",
      connections: 50,
      duration: seconds,
      headers: { "content-type": "application/json", authorization: `Bearer ${project.ingestKey}` },
      setupClient: (client) => {
        client.setBody(scenario.body(i++));
      },
      requests: [{ setupRequest: (req) => ({ ...req, body: scenario.body(i++) }) }],
    });
    const stored = await handle.db
      .selectFrom("events")
      .select((eb) => eb.fn.countAll().as("n"))
      .executeTakeFirstOrThrow();
    rows.push(
      `| ${scenario.name} | ${Math.round(result.requests.average)} | ${result.latency.p50} | ${result.latency.p99} | ${result.non2xx} | ${stored.n} |`,
    );
    await sql`TRUNCATE events, bug_hourly, bugs CASCADE`.execute(handle.db);
  }
  console.log(
    `\n| scenario (${seconds}s, 50 connections) | reports/s | p50 ms | p99 ms | non-2xx | events stored |`,
  );
  console.log("| --- | --- | --- | --- | --- | --- |");
  for (const row of rows) console.log(row);
  await app.close();
} finally {
  await handle.close();
  await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(admin.db);
  await admin.close();
}
