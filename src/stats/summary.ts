import { type ExpressionBuilder, type Kysely, sql } from "kysely";
import type { BugStatus } from "../bugs/known-bug.js";
import type { Database } from "../db/index.js";
import type { Category } from "../grouping/category.js";
import type { Severity } from "../grouping/error-event.js";
import { type BugListRow, selectBugListColumns, toBugListItem } from "./bug-list.js";
import { type HourRange, eachHour, toHourRange } from "./hour-range.js";
import { type DayRun, monthSlices } from "./month-slices.js";
import {
  type Interval,
  type RollupCoverage,
  rollupCoverage,
  uncompacted,
} from "./rollup-coverage.js";
import type { CountBy, RangedBug, StatsQuery, StatsSummary } from "./stats-types.js";
import { readUserDaySketches } from "./user-day-sketches.js";

const SEVERITIES: readonly Severity[] = ["critical", "high", "medium", "low"];
const STATUSES: readonly BugStatus[] = ["open", "in_progress", "resolved", "wontfix", "ignored"];
const DEFAULT_TOP = 10;
const MAX_TOP = 100;

/** One rollup group: a bug's occurrences in range for one (environment, service). */
export interface RollupGroup {
  bug_id: number;
  environment: string;
  service: string;
  severity: Severity;
  /** The bug's status now (not at the time of its occurrences). */
  status: BugStatus;
  error_type: string;
  category: Category;
  count: number;
}

/**
 * All figures of the stats page. Occurrence figures come from the rollups (grouped queries,
 * folded in memory: their size is bugs x environments x services, not events); bug figures from
 * the bugs table (with an environment/service filter, over the bugs of those groups); affected
 * users from the day sketches and events (distinct user_id over stored events). Whole days
 * compacted by the rollup job (daily-rollup.ts) are read from the monthly, project-hourly and
 * sketch tables, the rest of the range from bug_hourly / events: the occurrence and bug figures
 * are the same either way; affected users above 2,048 become a HyperLogLog estimate (~0.8%).
 */
export async function summarize(db: Kysely<Database>, query: StatsQuery): Promise<StatsSummary> {
  const range = toHourRange(query.from, query.to);
  const topLimit = Math.min(MAX_TOP, Math.max(1, Math.trunc(query.topLimit ?? DEFAULT_TOP)));
  if (query.projectIds.length === 0) return emptySummary(range);

  const coverage = await rollupCoverage(db, range);
  // The compacted rollups without a bug dimension (project_hourly, user sketches) cannot tell a
  // category apart: with one, the hourly series and the users come from bug_hourly and events.
  const perBug = query.category === undefined ? coverage : uncompacted(range);
  const filtered = hasDimensionFilter(query);
  // Without a dimension filter the bug figures need nothing from the groups: read them alongside.
  const [hourly, groups, unfilteredTotals, affectedUsers] = await Promise.all([
    hourlyCounts(db, query, perBug),
    rollupGroups(db, query, coverage),
    filtered ? undefined : bugFigures(db, query, range),
    countAffectedUsers(db, query, perBug),
  ]);

  const countByBug = new Map<number, number>();
  for (const g of groups) countByBug.set(g.bug_id, (countByBug.get(g.bug_id) ?? 0) + g.count);
  const topIds = [...countByBug.entries()]
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, topLimit)
    .map(([id]) => id);
  // With one, the bugs seen in that environment/service in range are the groups' bugs.
  const seen = filtered ? bugIdsOf(groups) : undefined;

  const [bugTotals, topBugs, newBugs, regressions] = await Promise.all([
    unfilteredTotals ?? bugFigures(db, query, range, seen),
    bugsByIds(db, topIds, countByBug),
    rangedBugList(db, query, range, "new", topLimit, countByBug, seen),
    rangedBugList(db, query, range, "regressed", topLimit, countByBug, seen),
  ]);
  topBugs.sort((a, b) => b.countInRange - a.countInRange || a.id - b.id);

  const bySeverity = foldBy(groups, (g) => g.severity);
  const byStatus = foldBy(groups, (g) => g.status);
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
    // Every severity and status present, zeros included: a chart's legend should not change shape.
    bySeverity: SEVERITIES.map(
      (key) => bySeverity.find((c) => c.key === key) ?? { key, count: 0, bugs: 0 },
    ),
    byStatus: STATUSES.map(
      (key) => byStatus.find((c) => c.key === key) ?? { key, count: 0, bugs: 0 },
    ),
    byErrorType: foldBy(groups, (g) => g.error_type),
    byCategory: foldBy(groups, (g) => g.category),
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
    byStatus: STATUSES.map((key) => ({ key, count: 0, bugs: 0 })),
    byErrorType: [],
    byCategory: [],
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

/** `column` in any of the intervals (an OR of half-open ranges; false when there are none). */
function inIntervals(column: string, intervals: readonly Interval[]) {
  if (intervals.length === 0) return sql<boolean>`false`;
  const ref = sql.ref(column);
  return sql<boolean>`(${sql.join(
    intervals.map((i) => sql`(${ref} >= ${i.from} AND ${ref} < ${i.to})`),
    sql` OR `,
  )})`;
}

/** The category filter on a table with a bug_id (bug_hourly, events); true without one. */
function inCategory(table: string, query: StatsQuery) {
  if (query.category === undefined) return sql<boolean>`true`;
  return sql<boolean>`${sql.ref(`${table}.bug_id`)} IN (SELECT id FROM bugs
    WHERE bugs.project_id IN (${sql.join([...query.projectIds])})
      AND bugs.category = ${query.category})`;
}

/** The project and environment/service filters on any rollup table with those columns. */
function dimensionFilter(table: string, query: StatsQuery) {
  const parts = [sql`${sql.ref(`${table}.project_id`)} IN (${sql.join([...query.projectIds])})`];
  if (query.environment !== undefined) {
    parts.push(sql`${sql.ref(`${table}.environment`)} = ${query.environment}`);
  }
  if (query.service !== undefined) {
    parts.push(sql`${sql.ref(`${table}.service`)} = ${query.service}`);
  }
  return sql<boolean>`${sql.join(parts, sql` AND `)}`;
}

export async function hourlyCounts(
  db: Kysely<Database>,
  query: StatsQuery,
  coverage: RollupCoverage,
) {
  // Compacted days from project_hourly (no bug dimension: ~1/bugs the rows), the rest from
  // bug_hourly; the two never cover the same hour.
  const [compacted, recent] = await Promise.all([
    coverage.daily.length === 0
      ? []
      : db
          .selectFrom("project_hourly")
          .select(["hour", (eb) => eb.fn.sum<number>("count").as("count")])
          .where(dimensionFilter("project_hourly", query))
          .where(inIntervals("project_hourly.hour", coverage.daily))
          .groupBy("hour")
          .execute(),
    coverage.hourly.length === 0
      ? []
      : db
          .selectFrom("bug_hourly")
          .select(["hour", (eb) => eb.fn.sum<number>("count").as("count")])
          .where(dimensionFilter("bug_hourly", query))
          .where(inCategory("bug_hourly", query))
          .where(inIntervals("bug_hourly.hour", coverage.hourly))
          .groupBy("hour")
          .execute(),
  ]);
  const counts = new Map<number, number>();
  for (const r of [...compacted, ...recent]) {
    const key = r.hour.getTime();
    counts.set(key, (counts.get(key) ?? 0) + Number(r.count));
  }
  return counts;
}

export async function rollupGroups(
  db: Kysely<Database>,
  query: StatsQuery,
  coverage: RollupCoverage,
): Promise<RollupGroup[]> {
  // Aggregate first, join after: the join then touches one row per group, not per day or hour.
  const parts = [
    ...compactedPart(query, coverage),
    // The rest: one part per interval (not an OR of ranges), each an index range scan.
    ...coverage.hourly.map(
      (i) => sql`SELECT bug_id, environment, service, count FROM bug_hourly
        WHERE ${dimensionFilter("bug_hourly", query)} AND hour >= ${i.from} AND hour < ${i.to}`,
    ),
  ];
  if (parts.length === 0) return [];
  const result = await sql<RollupGroup>`
    SELECT g.bug_id, g.environment, g.service, g.count, bugs.severity, bugs.status,
      bugs.error_type, bugs.category
    FROM (
      SELECT bug_id, environment, service, sum(count) AS count
      FROM (${sql.join(parts, sql` UNION ALL `)}) AS r
      GROUP BY bug_id, environment, service
      -- A month's row may have no occurrences on the covered days (hourly rows are never 0).
      HAVING sum(count) > 0
    ) AS g JOIN bugs ON bugs.id = g.bug_id
    ${query.category === undefined ? sql`` : sql`WHERE bugs.category = ${query.category}`}`.execute(
    db,
  );
  return result.rows.map((r) => ({ ...r, bug_id: Number(r.bug_id), count: Number(r.count) }));
}

/**
 * Compacted days: each covered month's bug_monthly rows, counting the covered days. One part for
 * every month, not one per month: when the projects' rows are most of the table, Postgres scans
 * the whole table for each part (a month's rows are not together in the heap once updated); one
 * scan was ~2x faster on the 1M-event bench.
 */
function compactedPart(query: StatsQuery, coverage: RollupCoverage) {
  const slices = monthSlices(coverage.daily);
  if (slices.length === 0) return [];
  const count = sql`CASE month ${sql.join(
    slices.map(({ month, runs }) => sql`WHEN ${month}::timestamptz THEN ${sumOfDays(runs)}`),
    sql` `,
  )} END`;
  return [
    sql`SELECT bug_id, environment, service, ${count} AS count FROM bug_monthly
      WHERE ${dimensionFilter("bug_monthly", query)}
        AND month IN (${sql.join(slices.map(({ month }) => sql`${month}::timestamptz`))})`,
  ];
}

/**
 * The sum of a bug_monthly row's counts over the runs of days (counts[d] = day d): an explicit
 * sum of elements, ~6x faster than a sum over unnest() per row. Days are small integers, inlined.
 */
function sumOfDays(runs: readonly DayRun[]) {
  const terms = runs.flatMap(({ first, last }) =>
    Array.from({ length: last - first + 1 }, (_, i) => sql`counts[${sql.lit(first + i)}]`),
  );
  // bigint from the first term on: a month of a hot bug may exceed an integer.
  return sql<number>`(0::bigint + ${sql.join(terms, sql` + `)})`;
}

function hasDimensionFilter(query: StatsQuery): boolean {
  return query.environment !== undefined || query.service !== undefined;
}

/** The bug ids of rollup groups: with a dimension filter, the bugs seen there in range. */
export function bugIdsOf(groups: readonly RollupGroup[]): number[] {
  return [...new Set(groups.map((g) => g.bug_id))];
}

/**
 * With an environment or service filter, a bug figure (new, resolved…) only counts bugs seen in
 * that environment/service at least once in range: `seen`, the bug ids of the range's rollup
 * groups (already filtered, and read from the compacted rollups like every other figure). Not an
 * EXISTS over bug_hourly per bug: that read every hour of the range again.
 */
function seenInDimension(query: StatsQuery, seen: readonly number[] | undefined) {
  return (eb: ExpressionBuilder<Database, "bugs">) => {
    if (!hasDimensionFilter(query)) return eb.lit(true);
    if (seen === undefined) {
      throw new Error("A bug figure filtered on environment/service needs the bugs seen in range");
    }
    return sql<boolean>`bugs.id = ANY(${[...seen]}::bigint[])`;
  };
}

/** `seen`: the bugs seen in range when the query has a dimension filter (see seenInDimension). */
export async function bugFigures(
  db: Kysely<Database>,
  query: StatsQuery,
  range: HourRange,
  seen?: readonly number[],
) {
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
    .where(seenInDimension(query, seen))
    .$if(query.category !== undefined, (q) => q.where("category", "=", query.category as string))
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
 * Distinct user ids over the events stored in range. Nothing compacted in range: an exact count
 * in Postgres. Otherwise the compacted days' sketches (user-day-sketches.ts) merged with the
 * hashes of the other hours' users, read from events: exact up to SPARSE_MAX_HASHES users, a
 * HyperLogLog estimate (~0.8% standard error) above. Events that were sampled out or
 * rate-limited are not stored, so their users are not counted. Users of compacted days survive
 * retention; before compaction they do not.
 */
export async function countAffectedUsers(
  db: Kysely<Database>,
  query: StatsQuery,
  coverage: RollupCoverage,
) {
  if (coverage.days.length === 0) {
    // One query per interval, not an OR of ranges: each stays an index-only range scan of
    // events_project_received_idx (which INCLUDEs user_id, environment and service).
    const parts = coverage.hourly.map((interval) =>
      eventUsers(db, query, interval).select("user_id as u"),
    );
    if (parts.length === 0) return 0;
    // GROUP BY in a subquery, not count(DISTINCT): Postgres hashes it instead of sorting (which
    // spills to disk on large ranges): about 2x faster on 1M events.
    const result = await sql<{ users: number }>`
      SELECT count(*) AS users FROM (
        SELECT u FROM (${sql.join(parts, sql` UNION ALL `)}) AS a GROUP BY u
      ) AS distinct_users`.execute(db);
    return Number(result.rows[0]?.users ?? 0);
  }
  const [sketch, ...edges] = await Promise.all([
    readUserDaySketches(db, query, coverage.days),
    ...coverage.hourly.map((interval) => eventUserHashes(db, query, interval)),
  ]);
  for (const hashes of edges) {
    for (let at = 0; at < hashes.length; at += 16) sketch.add(hashes.slice(at, at + 16));
  }
  return Math.round(sketch.estimate());
}

/**
 * The distinct sketch hashes (as user-sketch.ts's userHash) of the interval's event users,
 * concatenated: one row instead of one per user (a day's ~13k rows took longer to parse in
 * Node than Postgres took to find them).
 */
async function eventUserHashes(db: Kysely<Database>, query: StatsQuery, interval: Interval) {
  // Distinct ids first, then md5 (the costly part) once per user: ~40% faster than the reverse.
  const users = eventUsers(db, query, interval).select("user_id").distinct();
  const row = await db
    .selectFrom(users.as("u"))
    .select(sql<string | null>`string_agg(left(md5(u.user_id), 16), '')`.as("hashes"))
    .executeTakeFirst();
  return row?.hashes ?? "";
}

/** Events with a user id in the interval, with the query's filters. */
function eventUsers(db: Kysely<Database>, query: StatsQuery, interval: Interval) {
  let q = db
    .selectFrom("events")
    .where("user_id", "is not", null)
    .where("project_id", "in", [...query.projectIds])
    .where("received_at", ">=", interval.from)
    .where("received_at", "<", interval.to)
    .where(inCategory("events", query));
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
  return q;
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
  seen?: readonly number[],
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
      .where(seenInDimension(query, seen)),
  );
  if (which === "regressed") q = q.where("bugs.regression_count", ">", 0);
  if (query.category !== undefined) q = q.where("bugs.category", "=", query.category);
  const rows = await q.orderBy(column, "desc").orderBy("bugs.id", "desc").limit(limit).execute();
  return rows.map((row) => ranged(row, countByBug));
}

function ranged(row: BugListRow, countByBug: Map<number, number>): RangedBug {
  return { ...toBugListItem(row), countInRange: countByBug.get(row.id) ?? 0 };
}
