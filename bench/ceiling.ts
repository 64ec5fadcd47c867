/**
 * The Postgres-only ceiling: the rows a report writes (event, count, hourly rollup) inserted by a
 * plain batched writer, no HTTP, no parsing, no lookups. The HTTP figures are read against it.
 */
import { randomBytes } from "node:crypto";
import { type Kysely, sql } from "kysely";
import { type Occurrence, groupEvent } from "../src/bugs/index.js";
import { eventValues, hourOf } from "../src/bugs/record-occurrence.js";
import type { Database } from "../src/db/index.js";
import { parseReport } from "../src/ingest/index.js";

export interface CeilingOptions {
  projectId: number;
  /** Distinct bugs the rows spread over (1 = one hot bug). */
  bugs: number;
  seconds: number;
  batchSize?: number;
  writers?: number;
}

export async function measureCeiling(db: Kysely<Database>, options: CeilingOptions) {
  const batchSize = options.batchSize ?? 200;
  const writers = options.writers ?? 4;
  const now = new Date();
  const template: Occurrence = {
    ...groupEvent(
      options.projectId,
      parseReport(
        "generic",
        {
          error_type: "TypeError",
          message: "x is undefined",
          stack: "TypeError: x\n    at applyCoupon (/app/src/cart/checkout.ts:42:17)",
        },
        now,
      ),
      now,
    ),
    storeEvent: true,
  };
  const bugIds = await createBugs(db, options.projectId, options.bugs, now);

  let written = 0;
  let i = 0;
  const deadline = Date.now() + options.seconds * 1000;
  const writer = async () => {
    while (Date.now() < deadline) {
      const rows = Array.from({ length: batchSize }, () => {
        const bugId = bugIds[i++ % bugIds.length] as number;
        const event = { ...template.event, eventId: randomBytes(16).toString("hex") };
        return eventValues(bugId, { ...template, event });
      });
      const perBug = new Map<number, number>();
      for (const row of rows) {
        const bugId = Number(row.bug_id);
        perBug.set(bugId, (perBug.get(bugId) ?? 0) + 1);
      }
      const sorted = [...perBug].sort((a, b) => a[0] - b[0]);
      const hour = hourOf(now);
      await db.transaction().execute(async (trx) => {
        await sql`
          UPDATE bugs SET occurrence_count = bugs.occurrence_count + v.k, last_seen = now()
          FROM (VALUES ${sql.join(sorted.map(([id, k]) => sql`(${id}::bigint, ${k}::bigint)`))}) AS v(id, k)
          WHERE bugs.id = v.id`.execute(trx);
        await trx.insertInto("events").values(rows).execute();
        await trx
          .insertInto("bug_hourly")
          .values(
            sorted.map(([bugId, k]) => ({
              bug_id: bugId,
              project_id: options.projectId,
              hour,
              environment: "",
              service: "",
              count: k,
            })),
          )
          .onConflict((oc) =>
            oc.columns(["bug_id", "hour", "environment", "service"]).doUpdateSet((eb) => ({
              count: eb("bug_hourly.count", "+", eb.ref("excluded.count")),
            })),
          )
          .execute();
      });
      written += rows.length;
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: writers }, writer));
  return { rowsPerSecond: written / ((Date.now() - started) / 1000), written };
}

async function createBugs(db: Kysely<Database>, projectId: number, n: number, now: Date) {
  const rows = await db
    .insertInto("bugs")
    .values(
      Array.from({ length: n }, (_, i) => ({
        project_id: projectId,
        number: 100_000 + i,
        fingerprint: `ceiling-${n}-${i}`,
        fingerprint_version: 1,
        title: "ceiling",
        error_type: "TypeError",
        culprit: null,
        severity: "medium" as const,
        first_seen: now,
        last_seen: now,
        escalation_started_at: now,
      })),
    )
    .returning("id")
    .execute();
  return rows.map((r) => r.id);
}
