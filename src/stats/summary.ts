import { type ExpressionBuilder, type Kysely, sql } from "kysely";
import type { Database } from "../db/index.js";
import type { Severity } from "../grouping/error-event.js";
import { type BugListRow, selectBugListColumns, toBugListItem } from "./bug-list.js";
import { type HourRange, eachHour, toHourRange } from "./hour-range.js";
import { type Interval, type RollupCoverage, rollupCoverage } from "./rollup-coverage.js";
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
 * All figures of the stats page. Occurrence figures come from the rollups (grouped queries,
 * folded in memory: their size is bugs x environments x services, not events); bug figures from
 * the bugs table; affected users from the user rollups and events (distinct user_id over stored
 * events). Whole days compacted by the rollup job (daily-rollup.ts) are read from the daily
 * tables, the rest of the range from bug_hourly / events: the figures are the same either way.
 */
export async function summarize(db: Kysely<Database>, query: StatsQuery): Promise<StatsSummary> {
  const range = toHourRange(query.from, query.to);
  const topLimit = Math.min(MAX_TOP, Math.max(1, Math.trunc(query.topLimit ?? DEFAULT_TOP)));
  if (query.projectIds.length === 0) return emptySummary(range);

  const coverage = await rollupCoverage(db, range);
  const [hourly, groups, bugTotals, affectedUsers] = await Promise.all([
    hourlyCounts(db, query, coverage),
    rollupGroups(db, query, coverage),
    bugFigures(db, query, range),
    countAffectedUsers(db, query, coverage),
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

/** `column` in any of the intervals (an OR of half-open ranges; false when there are none). */
function inIntervals(column: string, intervals: readonly Interval[]) {
  if (intervals.length === 0) return sql<boolean>`false`;
  const ref = sql.ref(column);
  return sql<boolean>`(${sql.join(
    intervals.map((i) => sql`(${ref} >= ${i.from} AND ${ref} < ${i.to})`),
    sql` OR `,
  )})`;
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
    // One part per interval (not an OR of ranges), each an index range scan.
    ...coverage.daily.map(
      (i) => sql`SELECT bug_id, environment, service, count FROM bug_daily
        WHERE ${dimensionFilter("bug_daily", query)} AND day >= ${i.from} AND day < ${i.to}`,
    ),
    ...coverage.hourly.map(
      (i) => sql`SELECT bug_id, environment, service, count FROM bug_hourly
        WHERE ${dimensionFilter("bug_hourly", query)} AND hour >= ${i.from} AND hour < ${i.to}`,
    ),
  ];
  if (parts.length === 0) return [];
  const result = await sql<RollupGroup>`
    SELECT g.bug_id, g.environment, g.service, g.count, bugs.severity, bugs.error_type
    FROM (
      SELECT bug_id, environment, service, sum(count) AS count
      FROM (${sql.join(parts, sql` UNION ALL `)}) AS r
      GROUP BY bug_id, environment, service
    ) AS g JOIN bugs ON bugs.id = g.bug_id`.execute(db);
  return result.rows.map((r) => ({ ...r, bug_id: Number(r.bug_id), count: Number(r.count) }));
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
 * Distinct user ids over the events stored in range: compacted days from the user rollups (one
 * row per user and month, with a bitmask of the days), the rest from events, united on the md5 of
 * the user id. Events that were sampled out or rate-limited are not stored, so their users are
 * not counted. Users of compacted days survive retention; before compaction they do not.
 */
export async function countAffectedUsers(
  db: Kysely<Database>,
  query: StatsQuery,
  coverage: RollupCoverage,
) {
  const fromRollups = userRollupPart(query, coverage);
  // One query per interval, not an OR of ranges: each stays an index-only range scan of
  // events_project_received_idx.
  const fromEvents = coverage.hourly.map((interval) => eventUsers(db, query, interval));
  // Nothing compacted in range: distinct user_id as before, no hashing needed.
  const parts =
    fromRollups.length > 0
      ? [
          ...fromRollups,
          ...fromEvents.map((q) => q.select(sql<string>`md5(user_id)::uuid`.as("u"))),
        ]
      : fromEvents.map((q) => q.select("user_id as u"));
  if (parts.length === 0) return 0;
  // GROUP BY in a subquery, not count(DISTINCT): Postgres hashes it instead of sorting (which
  // spills to disk on large ranges): about 2x faster on 1M events.
  const result = await sql<{ users: number }>`
    SELECT count(*) AS users FROM (
      SELECT u FROM (${sql.join(parts, sql` UNION ALL `)}) AS a GROUP BY u
    ) AS distinct_users`.execute(db);
  return Number(result.rows[0]?.users ?? 0);
}

/** Events with a user id in the interval, with the query's filters. */
function eventUsers(db: Kysely<Database>, query: StatsQuery, interval: Interval) {
  let q = db
    .selectFrom("events")
    .where("user_id", "is not", null)
    .where("project_id", "in", [...query.projectIds])
    .where("received_at", ">=", interval.from)
    .where("received_at", "<", interval.to);
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

/** Queries of the user_hash of the users of the compacted days in range, one per month. */
function userRollupPart(query: StatsQuery, coverage: RollupCoverage) {
  // Per month, the mask of its covered days (bit d-1 = day d).
  const masks = new Map<number, number>();
  for (const day of coverage.days) {
    const month = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), 1);
    masks.set(month, (masks.get(month) ?? 0) | (1 << (day.getUTCDate() - 1)));
  }
  // The scope whose rows hold exactly the filtered dimensions (see the rollup migration).
  const byEnvironment = query.environment !== undefined;
  const byService = query.service !== undefined;
  const scope = (byEnvironment ? 1 : 0) + (byService ? 2 : 0);
  // One part per month: each an index range scan on the whole primary-key prefix.
  return [...masks].map(
    ([month, mask]) => sql`SELECT user_hash AS u FROM user_monthly
      WHERE project_id IN (${sql.join([...query.projectIds])}) AND month = ${new Date(month)}
        AND scope = ${scope} AND environment = ${query.environment ?? ""}
        AND service = ${query.service ?? ""} AND days & ${mask}::int <> 0`,
  );
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
