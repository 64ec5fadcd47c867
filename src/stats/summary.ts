import { type ExpressionBuilder, type Kysely, sql } from "kysely";
import type { Database } from "../db/index.js";
import type { Severity } from "../grouping/error-event.js";
import { type BugListRow, selectBugListColumns, toBugListItem } from "./bug-list.js";
import { type HourRange, eachHour, toHourRange } from "./hour-range.js";
import type { CountBy, RangedBug, StatsQuery, StatsSummary } from "./stats-types.js";

const SEVERITIES: readonly Severity[] = ["critical", "high", "medium", "low"];
const DEFAULT_TOP = 10;
const MAX_TOP = 100;

/** One rollup group: a bug's occurrences in range for one (environment, service). */
interface RollupGroup {
  bug_id: number;
  environment: string;
  service: string;
  severity: Severity;
  error_type: string;
  count: number;
}

/**
 * All figures of the stats page. Occurrence figures come from bug_hourly (one grouped query,
 * folded in memory: its size is bugs x environments x services, not events); bug figures from
 * the bugs table; affected users from the events table (distinct user_id over stored events).
 */
export async function summarize(db: Kysely<Database>, query: StatsQuery): Promise<StatsSummary> {
  const range = toHourRange(query.from, query.to);
  const topLimit = Math.min(MAX_TOP, Math.max(1, Math.trunc(query.topLimit ?? DEFAULT_TOP)));
  if (query.projectIds.length === 0) return emptySummary(range);

  const [hourly, groups, bugTotals, affectedUsers] = await Promise.all([
    hourlyCounts(db, query, range),
    rollupGroups(db, query, range),
    bugFigures(db, query, range),
    countAffectedUsers(db, query, range),
  ]);

  const countByBug = new Map<number, number>();
  for (const g of groups) countByBug.set(g.bug_id, (countByBug.get(g.bug_id) ?? 0) + g.count);
  const topIds = [...countByBug.entries()]
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, topLimit)
    .map(([id]) => id);

  const [topBugs, newBugs, regressions] = await Promise.all([
    bugsByIds(db, topIds, countByBug),
    rangedBugList(db, query, range, "new", topLimit, countByBug),
    rangedBugList(db, query, range, "regressed", topLimit, countByBug),
  ]);
  topBugs.sort((a, b) => b.countInRange - a.countInRange || a.id - b.id);

  const bySeverity = foldBy(groups, (g) => g.severity);
  return {
    from: range.from,
    to: range.to,
    totals: {
      occurrences: groups.reduce((sum, g) => sum + g.count, 0),
      activeBugs: countByBug.size,
      newBugs: bugTotals.newBugs,
      regressions: bugTotals.regressions,
      resolved: bugTotals.resolved,
      unresolvedNow: bugTotals.unresolvedNow,
      affectedUsers,
    },
    errorRate: eachHour(range).map((hour) => ({ hour, count: hourly.get(hour.getTime()) ?? 0 })),
    // Every severity present, zeros included: a chart's legend should not change shape.
    bySeverity: SEVERITIES.map(
      (key) => bySeverity.find((c) => c.key === key) ?? { key, count: 0, bugs: 0 },
    ),
    byErrorType: foldBy(groups, (g) => g.error_type),
    byService: foldBy(groups, (g) => g.service),
    byEnvironment: foldBy(groups, (g) => g.environment),
    topBugs,
    newBugs,
    regressions,
    meanTimeToResolutionMs: bugTotals.meanTimeToResolutionMs,
  };
}

function emptySummary(range: HourRange): StatsSummary {
  return {
    from: range.from,
    to: range.to,
    totals: {
      occurrences: 0,
      activeBugs: 0,
      newBugs: 0,
      regressions: 0,
      resolved: 0,
      unresolvedNow: 0,
      affectedUsers: 0,
    },
    errorRate: eachHour(range).map((hour) => ({ hour, count: 0 })),
    bySeverity: SEVERITIES.map((key) => ({ key, count: 0, bugs: 0 })),
    byErrorType: [],
    byService: [],
    byEnvironment: [],
    topBugs: [],
    newBugs: [],
    regressions: [],
    meanTimeToResolutionMs: null,
  };
}

/** Sums groups by a key, counting distinct bugs too; biggest first, then by key. */
function foldBy<K extends string>(
  groups: RollupGroup[],
  keyOf: (g: RollupGroup) => K,
): CountBy<K>[] {
  const folded = new Map<K, { count: number; bugs: Set<number> }>();
  for (const g of groups) {
    const key = keyOf(g);
    const entry = folded.get(key) ?? { count: 0, bugs: new Set<number>() };
    entry.count += g.count;
    entry.bugs.add(g.bug_id);
    folded.set(key, entry);
  }
  return [...folded.entries()]
    .map(([key, e]) => ({ key, count: e.count, bugs: e.bugs.size }))
    .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

// The figure queries below are exported for bench/stats.ts, which times each one.

/** The rollup rows a query covers: its projects, range and dimension filters. */
function rollupFilter(query: StatsQuery, range: HourRange) {
  return (eb: ExpressionBuilder<Database, "bug_hourly">) =>
    eb.and([
      eb("bug_hourly.project_id", "in", [...query.projectIds]),
      eb("bug_hourly.hour", ">=", range.from),
      eb("bug_hourly.hour", "<", range.to),
      ...(query.environment !== undefined
        ? [eb("bug_hourly.environment", "=", query.environment)]
        : []),
      ...(query.service !== undefined ? [eb("bug_hourly.service", "=", query.service)] : []),
    ]);
}

export async function hourlyCounts(db: Kysely<Database>, query: StatsQuery, range: HourRange) {
  const rows = await db
    .selectFrom("bug_hourly")
    .select(["hour", (eb) => eb.fn.sum<number>("count").as("count")])
    .where(rollupFilter(query, range))
    .groupBy("hour")
    .execute();
  return new Map(rows.map((r) => [r.hour.getTime(), Number(r.count)]));
}

export async function rollupGroups(
  db: Kysely<Database>,
  query: StatsQuery,
  range: HourRange,
): Promise<RollupGroup[]> {
  // Aggregate first, join after: the join then touches one row per group, not per hour.
  const groups = db
    .selectFrom("bug_hourly")
    .select([
      "bug_hourly.bug_id",
      "bug_hourly.environment",
      "bug_hourly.service",
      (eb) => eb.fn.sum<number>("bug_hourly.count").as("count"),
    ])
    .where(rollupFilter(query, range))
    .groupBy(["bug_hourly.bug_id", "bug_hourly.environment", "bug_hourly.service"]);
  const rows = await db
    .selectFrom(groups.as("g"))
    .innerJoin("bugs", "bugs.id", "g.bug_id")
    .select([
      "g.bug_id",
      "g.environment",
      "g.service",
      "g.count",
      "bugs.severity",
      "bugs.error_type",
    ])
    .execute();
  return rows.map((r) => ({ ...r, count: Number(r.count) }));
}

/**
 * With an environment or service filter, a bug figure (new, resolved…) only counts bugs seen in
 * that environment/service at least once in range.
 */
function seenInDimension(query: StatsQuery, range: HourRange) {
  return (eb: ExpressionBuilder<Database, "bugs">) => {
    if (query.environment === undefined && query.service === undefined) return eb.lit(true);
    return eb.exists(
      eb
        .selectFrom("bug_hourly")
        .select(sql`1`.as("one"))
        .whereRef("bug_hourly.bug_id", "=", "bugs.id")
        .where(rollupFilter(query, range)),
    );
  };
}

export async function bugFigures(db: Kysely<Database>, query: StatsQuery, range: HourRange) {
  const { from, to } = range;
  const row = await db
    .selectFrom("bugs")
    .select([
      sql<number>`count(*) FILTER (WHERE first_seen >= ${from} AND first_seen < ${to})`.as(
        "new_bugs",
      ),
      sql<number>`count(*) FILTER (WHERE regression_count > 0
        AND escalation_started_at >= ${from} AND escalation_started_at < ${to})`.as("regressions"),
      sql<number>`count(*) FILTER (WHERE status = 'resolved'
        AND resolved_at >= ${from} AND resolved_at < ${to})`.as("resolved"),
      // Whole-life MTTR in ms: resolved_at - first_seen over bugs resolved in range.
      sql<number | null>`avg(extract(epoch FROM resolved_at - first_seen) * 1000) FILTER (WHERE
        status = 'resolved' AND resolved_at >= ${from} AND resolved_at < ${to})`.as("mttr_ms"),
      sql<number>`count(*) FILTER (WHERE status IN ('open', 'in_progress'))`.as("unresolved"),
    ])
    .where("project_id", "in", [...query.projectIds])
    .where("merged_into_id", "is", null)
    .where(seenInDimension(query, range))
    .executeTakeFirstOrThrow();
  return {
    newBugs: Number(row.new_bugs),
    regressions: Number(row.regressions),
    resolved: Number(row.resolved),
    unresolvedNow: Number(row.unresolved),
    meanTimeToResolutionMs: row.mttr_ms === null ? null : Math.round(Number(row.mttr_ms)),
  };
}

/**
 * Distinct user ids over the events stored in range. Reads events, not rollups (user ids are
 * not rolled up): an index-only scan of events_project_received_user_idx. Events that were
 * sampled out or rate-limited are not stored, so their users are not counted.
 */
export async function countAffectedUsers(
  db: Kysely<Database>,
  query: StatsQuery,
  range: HourRange,
) {
  let q = db
    .selectFrom("events")
    .select("user_id")
    .where("user_id", "is not", null)
    .where("project_id", "in", [...query.projectIds])
    .where("received_at", ">=", range.from)
    .where("received_at", "<", range.to);
  // Rollups store a missing environment/service as ""; events store it as NULL.
  if (query.environment !== undefined) {
    q =
      query.environment === ""
        ? q.where("environment", "is", null)
        : q.where("environment", "=", query.environment);
  }
  if (query.service !== undefined) {
    q =
      query.service === ""
        ? q.where("service", "is", null)
        : q.where("service", "=", query.service);
  }
  // GROUP BY in a subquery, not count(DISTINCT): Postgres hashes it instead of sorting (which
  // spills to disk on large ranges): about 2x faster on 1M events.
  const row = await db
    .selectFrom(q.groupBy("user_id").as("u"))
    .select((eb) => eb.fn.countAll<number>().as("users"))
    .executeTakeFirstOrThrow();
  return Number(row.users);
}

async function bugsByIds(
  db: Kysely<Database>,
  ids: number[],
  countByBug: Map<number, number>,
): Promise<RangedBug[]> {
  if (ids.length === 0) return [];
  const rows = await selectBugListColumns(
    db
      .selectFrom("bugs")
      .innerJoin("projects", "projects.id", "bugs.project_id")
      .where("bugs.id", "in", ids),
  ).execute();
  return rows.map((row) => ranged(row, countByBug));
}

export async function rangedBugList(
  db: Kysely<Database>,
  query: StatsQuery,
  range: HourRange,
  which: "new" | "regressed",
  limit: number,
  countByBug: Map<number, number>,
): Promise<RangedBug[]> {
  const column = which === "new" ? "bugs.first_seen" : "bugs.escalation_started_at";
  let q = selectBugListColumns(
    db
      .selectFrom("bugs")
      .innerJoin("projects", "projects.id", "bugs.project_id")
      .where("bugs.project_id", "in", [...query.projectIds])
      .where("bugs.merged_into_id", "is", null)
      .where(column, ">=", range.from)
      .where(column, "<", range.to)
      .where(seenInDimension(query, range)),
  );
  if (which === "regressed") q = q.where("bugs.regression_count", ">", 0);
  const rows = await q.orderBy(column, "desc").orderBy("bugs.id", "desc").limit(limit).execute();
  return rows.map((row) => ranged(row, countByBug));
}

function ranged(row: BugListRow, countByBug: Map<number, number>): RangedBug {
  return { ...toBugListItem(row), countInRange: countByBug.get(row.id) ?? 0 };
}
