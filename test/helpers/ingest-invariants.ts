import { type Kysely, sql } from "kysely";
import type { Database } from "../../src/db/index.js";

/** Row totals that every ingestion test checks against what the answers said. */
export interface IngestTotals {
  bugs: number;
  events: number;
  /** Sum of bugs.occurrence_count. */
  occurrences: number;
  /** Sum of bug_hourly.count. */
  hourly: number;
  /** Events whose bug row is missing (must be 0). */
  orphanEvents: number;
  /** Bugs whose hourly rollup does not add up to their count (must be 0). */
  bugsWithHourlyMismatch: number;
  /** Bugs with fewer occurrences than stored events (must be 0). */
  bugsWithMoreEventsThanCount: number;
}

export async function ingestTotals(db: Kysely<Database>): Promise<IngestTotals> {
  const { rows } = await sql<Record<keyof IngestTotals, string | number>>`
    SELECT
      (SELECT count(*) FROM bugs) AS bugs,
      (SELECT count(*) FROM events) AS events,
      (SELECT coalesce(sum(occurrence_count), 0) FROM bugs) AS occurrences,
      (SELECT coalesce(sum(count), 0) FROM bug_hourly) AS hourly,
      (SELECT count(*) FROM events e WHERE NOT EXISTS (SELECT 1 FROM bugs b WHERE b.id = e.bug_id))
        AS "orphanEvents",
      (SELECT count(*) FROM bugs b WHERE b.occurrence_count <>
        (SELECT coalesce(sum(h.count), 0) FROM bug_hourly h WHERE h.bug_id = b.id))
        AS "bugsWithHourlyMismatch",
      (SELECT count(*) FROM bugs b WHERE b.occurrence_count <
        (SELECT count(*) FROM events e WHERE e.bug_id = b.id))
        AS "bugsWithMoreEventsThanCount"
  `.execute(db);
  const row = rows[0] ?? {};
  return Object.fromEntries(
    Object.entries(row).map(([k, v]) => [k, Number(v)]),
  ) as unknown as IngestTotals;
}
