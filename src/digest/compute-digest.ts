import { type Kysely, sql } from "kysely";
import { bugRef } from "../bugs/index.js";
import type { BugRow, Database } from "../db/schema.js";
import {
  DIGEST_LIST_LIMIT,
  type DigestBug,
  type DigestData,
  type DigestEscalation,
} from "./digest-data.js";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

type BugColumns = Pick<
  BugRow,
  | "id"
  | "number"
  | "title"
  | "severity"
  | "status"
  | "issue_url"
  | "occurrence_count"
  | "first_seen"
>;
const BUG_COLUMNS = [
  "bugs.id",
  "bugs.number",
  "bugs.title",
  "bugs.severity",
  "bugs.status",
  "bugs.issue_url",
  "bugs.occurrence_count",
  "bugs.first_seen",
] as const;

function toDigestBug(row: BugColumns, windowCounts: Map<number, number>): DigestBug {
  return {
    ref: bugRef(row.number),
    title: row.title,
    severity: row.severity,
    status: row.status,
    issueUrl: row.issue_url,
    windowCount: windowCounts.get(row.id) ?? 0,
    total: row.occurrence_count,
    firstSeen: new Date(row.first_seen).toISOString(),
  };
}

/**
 * The last 24 hours of one project, up to `now`. Events come from the hourly rollup: the 24 UTC
 * hours ending with the current (partial) one. New bugs, regressions and escalations use the
 * exact window `now - 24h .. now`.
 */
export async function computeDigest(
  db: Kysely<Database>,
  projectId: number,
  now: Date,
): Promise<DigestData> {
  const since = new Date(now.getTime() - DAY_MS);
  const currentHour = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
  const firstHour = new Date(currentHour - 23 * HOUR_MS);

  const perBug = await db
    .selectFrom("bug_hourly")
    .select(["bug_id", (eb) => eb.fn.sum<number | string>("count").as("n")])
    .where("project_id", "=", projectId)
    .where("hour", ">=", firstHour)
    .where("hour", "<=", new Date(currentHour))
    .groupBy("bug_id")
    .execute();
  const windowCounts = new Map(perBug.map((r) => [r.bug_id, Number(r.n)]));
  const totalEvents = perBug.reduce((sum, r) => sum + Number(r.n), 0);

  const topIds = [...windowCounts]
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, DIGEST_LIST_LIMIT)
    .map(([id]) => id);
  const topRows =
    topIds.length === 0
      ? []
      : await db.selectFrom("bugs").select(BUG_COLUMNS).where("id", "in", topIds).execute();
  const topBugs = topRows
    .map((row) => toDigestBug(row, windowCounts))
    .sort((a, b) => b.windowCount - a.windowCount || a.ref.localeCompare(b.ref));

  const live = db
    .selectFrom("bugs")
    .where("bugs.project_id", "=", projectId)
    .where("bugs.merged_into_id", "is", null);

  const newBugCount = await live
    .select((eb) => eb.fn.countAll<number | string>().as("n"))
    .where("bugs.first_seen", ">=", since)
    .executeTakeFirstOrThrow();
  const newRows = await live
    .select(BUG_COLUMNS)
    .where("bugs.first_seen", ">=", since)
    .orderBy("bugs.occurrence_count", "desc")
    .orderBy("bugs.number")
    .limit(DIGEST_LIST_LIMIT)
    .execute();

  // A regression restarts the escalation cycle: escalation_started_at is the time it reopened.
  const regressed = live
    .where("bugs.regression_count", ">", 0)
    .where("bugs.escalation_started_at", ">=", since)
    .where("bugs.escalation_started_at", ">", sql<Date>`bugs.first_seen`);
  const regressionCount = await regressed
    .select((eb) => eb.fn.countAll<number | string>().as("n"))
    .executeTakeFirstOrThrow();
  const regressionRows = await regressed
    .select([...BUG_COLUMNS, "bugs.escalation_started_at"])
    .orderBy("bugs.escalation_started_at", "desc")
    .limit(DIGEST_LIST_LIMIT)
    .execute();

  const escalations = await readEscalations(db, projectId, since, now);

  return {
    day: now.toISOString().slice(0, 10),
    since: since.toISOString(),
    until: now.toISOString(),
    totalEvents,
    newBugCount: Number(newBugCount.n),
    newBugs: newRows.map((row) => toDigestBug(row, windowCounts)),
    topBugs,
    regressionCount: Number(regressionCount.n),
    regressions: regressionRows.map((row) => ({
      ...toDigestBug(row, windowCounts),
      regressedAt: new Date(row.escalation_started_at).toISOString(),
    })),
    escalationCount: escalations.count,
    escalations: escalations.list,
  };
}

/** Escalation steps taken in the window (`escalations`: one row per step per bug per cycle). */
async function readEscalations(
  db: Kysely<Database>,
  projectId: number,
  since: Date,
  now: Date,
): Promise<{ count: number; list: DigestEscalation[] }> {
  const inWindow = db
    .selectFrom("escalations")
    .innerJoin("bugs", "bugs.id", "escalations.bug_id")
    .where("escalations.project_id", "=", projectId)
    .where("escalations.at", ">=", since)
    .where("escalations.at", "<=", now);
  const count = await inWindow
    .select((eb) => eb.fn.countAll<number | string>().as("n"))
    .executeTakeFirstOrThrow();
  const rows = await inWindow
    .select([
      "bugs.number",
      "bugs.title",
      "bugs.issue_url",
      "escalations.step",
      "escalations.action",
      "escalations.at",
    ])
    .orderBy("escalations.at", "desc")
    .orderBy("escalations.id", "desc")
    .limit(DIGEST_LIST_LIMIT)
    .execute();
  return {
    count: Number(count.n),
    list: rows.map((r) => ({
      ref: bugRef(r.number),
      title: r.title,
      issueUrl: r.issue_url,
      step: `${r.step}: ${r.action}`,
      at: new Date(r.at).toISOString(),
    })),
  };
}
