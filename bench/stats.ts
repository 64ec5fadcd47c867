/**
 * Read-side latency on real Postgres: `npm run bench:stats` (DATABASE_URL or TEST_DATABASE_URL,
 * default the local test database). Seeds BENCH_EVENTS (default 1,000,000) events over 30 days,
 * with matching bugs and bug_hourly rows, by set-based SQL into a fresh schema; runs the daily
 * rollup compaction over the finished days (timed, as the scheduled job would); then times every
 * stats figure query, whole summaries and the list/pagination queries (median and p95).
 * Target: < 100 ms each. BENCH_NO_ROLLUP=1 skips the compaction (the hourly-only baseline).
 */
import { type Kysely, sql } from "kysely";
import { type Database, createDb, migrateToLatest } from "../src/db/index.js";
import { ensureProject } from "../src/projects/index.js";
import { getBugDetail, getEvent } from "../src/stats/bug-detail.js";
import { listBugEvents, listBugs } from "../src/stats/bug-list.js";
import { compactFinishedDays } from "../src/stats/daily-rollup.js";
import { streamBugs, streamEvents } from "../src/stats/export-stream.js";
import { toHourRange } from "../src/stats/hour-range.js";
import { rollupCoverage } from "../src/stats/rollup-coverage.js";
import type { StatsQuery } from "../src/stats/stats-types.js";
import {
  bugFigures,
  bugIdsOf,
  countAffectedUsers,
  hourlyCounts,
  rangedBugList,
  rollupGroups,
  summarize,
} from "../src/stats/summary.js";
import { percentile } from "./percentile.js";

const url =
  process.env.DATABASE_URL ||
  process.env.TEST_DATABASE_URL ||
  "postgres://postgres@127.0.0.1:5432/test";
const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const BUGS = Number(process.env.BENCH_BUGS ?? 2_000);
const USERS = 50_000;
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const DAY_MS = 86_400_000;
const schema = `bench_stats_${process.pid}`;

const admin = await createDb({ databaseUrl: url, poolSize: 1 });
await sql`CREATE SCHEMA ${sql.id(schema)}`.execute(admin.db);
const handle = await createDb({ databaseUrl: url, schema, poolSize: 10 });
try {
  const db = handle.db;
  await migrateToLatest(db, schema);
  const now = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
  const started = performance.now();
  const projectId = await seed(db, now);
  const seedSeconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`seeded ${EVENTS.toLocaleString("en")} events, ${BUGS} bugs in ${seedSeconds}s`);
  if (!process.env.BENCH_NO_ROLLUP) {
    const t = performance.now();
    // The job's first run over the whole history (later runs compact one day each).
    const run = await compactFinishedDays(db, now);
    const ms = performance.now() - t;
    await sql`VACUUM ANALYZE bug_monthly, project_hourly, user_day_sketches, rollup_days`.execute(
      db,
    );
    console.log(
      `compacted ${run.compacted.length} days in ${(ms / 1000).toFixed(1)}s ` +
        `(${(ms / Math.max(1, run.compacted.length)).toFixed(0)} ms per day)`,
    );
  }

  const rows: [string, number[]][] = [];
  const time = async (name: string, fn: () => Promise<unknown>) => {
    for (let i = 0; i < 2; i++) await fn(); // warm caches and plans
    const samples: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      await fn();
      samples.push(performance.now() - t);
    }
    rows.push([name, samples]);
  };

  for (const days of [1, 7, 30]) {
    const query: StatsQuery = {
      projectIds: [projectId],
      from: new Date(now.getTime() - days * DAY_MS),
      to: now,
    };
    const range = toHourRange(query.from, query.to);
    const coverage = await rollupCoverage(db, range);
    const label = `${days}d`;
    await time(`${label} compacted days lookup`, () => rollupCoverage(db, range));
    await time(`${label} error rate per hour`, () => hourlyCounts(db, query, coverage));
    await time(`${label} distributions + top bugs (rollup groups)`, () =>
      rollupGroups(db, query, coverage),
    );
    await time(`${label} new/regressed/resolved counts + MTTR`, () => bugFigures(db, query, range));
    // Filtered, the bug figures count the bugs of the filtered groups (read once here).
    const production = { ...query, environment: "production" };
    const seen = bugIdsOf(await rollupGroups(db, production, coverage));
    await time(`${label} distributions + top bugs (rollup groups), environment=production`, () =>
      rollupGroups(db, production, coverage),
    );
    await time(`${label} new/regressed/resolved counts + MTTR, environment=production`, () =>
      bugFigures(db, production, range, seen),
    );
    await time(`${label} new bugs list`, () =>
      rangedBugList(db, query, range, "new", 10, new Map()),
    );
    await time(`${label} regressions list`, () =>
      rangedBugList(db, query, range, "regressed", 10, new Map()),
    );
    await time(`${label} affected users`, () => countAffectedUsers(db, query, coverage));
    await time(`${label} affected users, environment=production`, () =>
      countAffectedUsers(db, { ...query, environment: "production" }, coverage),
    );
    await time(`${label} whole summary`, () => summarize(db, query));
    await time(`${label} whole summary, environment=production`, () =>
      summarize(db, { ...query, environment: "production" }),
    );
    // A category has no column in the compacted tables without a bug: hourly rows and events.
    await time(`${label} whole summary, category=database`, () =>
      summarize(db, { ...query, category: "database" }),
    );
  }

  const projectIds = [projectId];
  const page5 = await cursorAfterPages(db, projectIds, 4);
  await time("bugs list, first page of 50", () => listBugs(db, { projectIds }));
  await time("bugs list, page 5 (cursor)", () => listBugs(db, { projectIds, cursor: page5 }));
  await time("bugs list, status=open severity=high", () =>
    listBugs(db, { projectIds, status: "open", severity: "high" }),
  );
  await time("bugs list, service=api", () => listBugs(db, { projectIds, service: "api" }));
  await time("bugs list, q=Error17", () => listBugs(db, { projectIds, q: "Error17" }));
  await time("bugs list, category=database", () =>
    listBugs(db, { projectIds, category: "database" }),
  );
  await time("bugs list, environment=staging", () =>
    listBugs(db, { projectIds, environment: "staging" }),
  );
  await time("bugs list, release=v3", () => listBugs(db, { projectIds, release: "v3" }));
  const hot = await db
    .selectFrom("bugs")
    .select("id")
    .orderBy("occurrence_count", "desc")
    .executeTakeFirstOrThrow();
  let deep: string | undefined;
  for (let i = 0; i < 20; i++) {
    deep = (await listBugEvents(db, { bugId: hot.id, cursor: deep })).nextCursor ?? undefined;
  }
  await time("events of the hottest bug, first page", () => listBugEvents(db, { bugId: hot.id }));
  await time("events of the hottest bug, page 21 (cursor)", () =>
    listBugEvents(db, { bugId: hot.id, cursor: deep }),
  );
  for (const days of [7, 30]) {
    const range = { from: new Date(now.getTime() - days * DAY_MS), to: now };
    await time(`bug page of the hottest bug, ${days}d chart, latest event in full`, () =>
      getBugDetail(db, hot.id, range),
    );
  }
  const oldest = await db
    .selectFrom("events")
    .select("id")
    .where("bug_id", "=", hot.id)
    .orderBy("received_at")
    .limit(1)
    .executeTakeFirstOrThrow();
  await time("oldest event of the hottest bug in full, with neighbours", () =>
    getEvent(db, hot.id, oldest.id),
  );

  console.log(`\n| query (${RUNS} runs) | median ms | p95 ms | < 100 ms |`);
  console.log("| --- | ---: | ---: | :---: |");
  for (const [name, samples] of rows) {
    const med = percentile(samples, 0.5);
    const p95 = percentile(samples, 0.95);
    console.log(
      `| ${name} | ${med.toFixed(1)} | ${p95.toFixed(1)} | ${p95 < 100 ? "yes" : "NO"} |`,
    );
  }

  // Export: whole-table streams, measured once (throughput, not latency).
  const exportRows: string[] = [];
  for (const [name, stream] of [
    ["export all bugs", () => streamBugs(db, { projectIds })],
    ["export events of the hottest bug", () => streamEvents(db, { projectIds, bugId: hot.id })],
    [
      "export events of the hottest bug, whole (JSON)",
      () => streamEvents(db, { projectIds, bugId: hot.id, full: true }),
    ],
  ] as const) {
    const t = performance.now();
    let n = 0;
    let firstMs = 0;
    for await (const batch of stream()) {
      if (n === 0) firstMs = performance.now() - t;
      n += batch.length;
    }
    exportRows.push(
      `| ${name} | ${n} | ${firstMs.toFixed(1)} | ${(performance.now() - t).toFixed(0)} |`,
    );
  }
  console.log("\n| export | rows | first batch ms | total ms |");
  console.log("| --- | ---: | ---: | ---: |");
  for (const row of exportRows) console.log(row);
} finally {
  await handle.close();
  // BENCH_KEEP=1 leaves the seeded schema for EXPLAIN sessions.
  if (process.env.BENCH_KEEP) console.log(`kept schema ${schema}`);
  else await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(admin.db);
  await admin.close();
}

async function cursorAfterPages(db: Kysely<Database>, projectIds: number[], pages: number) {
  let cursor: string | undefined;
  for (let i = 0; i < pages; i++) {
    cursor = (await listBugs(db, { projectIds, cursor })).nextCursor ?? undefined;
  }
  return cursor;
}

/**
 * Bugs first (ids 1..BUGS in a fresh schema), then events with a skewed bug choice (a few hot
 * bugs, a long tail; a bug lives in one service, 90% of events from production), then rollups and bug counters derived from the events, as ingestion would.
 */
async function seed(db: Kysely<Database>, now: Date): Promise<number> {
  const { project } = await ensureProject(db, { fullName: "bench/shop" });
  const other = await ensureProject(db, { fullName: "bench/other" });
  const start = new Date(now.getTime() - 30 * DAY_MS);
  await sql`
    INSERT INTO bugs (project_id, number, fingerprint, fingerprint_version, title, error_type,
      culprit, severity, status, first_seen, last_seen, escalation_started_at, resolved_at,
      regression_count, category, category_reason)
    SELECT ${project.id}, i, md5(i::text), 1, 'Error' || i || ': something failed',
      'Error' || (i % 40), 'src/module' || (i % 100) || '.ts in handler',
      (ARRAY['critical','high','medium','low'])[1 + i % 4],
      CASE WHEN i % 10 < 7 THEN 'open' WHEN i % 10 < 9 THEN 'resolved' ELSE 'ignored' END,
      ${start}::timestamptz, ${start}::timestamptz, ${start}::timestamptz, NULL,
      CASE WHEN i % 17 = 0 THEN 1 ELSE 0 END,
      (ARRAY['network','timeout','database','validation','not_found','programming_error',
        'unknown'])[1 + i % 7], 'bench'
    FROM generate_series(1, ${BUGS}) AS i`.execute(db);
  await sql`
    INSERT INTO events (project_id, bug_id, event_id, received_at, occurred_at, level, source,
      service, environment, release, error_type, message, user_id)
    SELECT ${project.id}, b, md5('e' || i), t, t, 'error', 'http',
      (ARRAY['api','web','worker','billing','search'])[1 + b % 5],
      CASE WHEN i % 10 = 0 THEN 'staging' ELSE 'production' END,
      'v' || (i % 20), 'Error' || (b % 40), 'something failed for request ' || i,
      CASE WHEN i % 4 = 0 THEN NULL ELSE 'user-' || (hashint % ${USERS}) END
    FROM (
      SELECT i,
        1 + floor(${BUGS} * power(random(), 3))::int AS b,
        ${now}::timestamptz - random() * interval '30 days' AS t,
        abs(hashtext(i::text)) AS hashint
      FROM generate_series(1, ${EVENTS}) AS i
    ) AS g
    -- In arrival order, as ingestion appends them: rows of one hour share heap pages.
    ORDER BY t`.execute(db);
  // A little noise in another project, which every query must leave out.
  await sql`
    INSERT INTO bugs (project_id, number, fingerprint, fingerprint_version, title, error_type,
      severity, first_seen, last_seen, escalation_started_at)
    VALUES (${other.project.id}, 1, 'x', 1, 'Other', 'OtherError', 'low', ${now}, ${now}, ${now})`.execute(
    db,
  );
  await sql`
    INSERT INTO bug_hourly (bug_id, project_id, hour, environment, service, count)
    SELECT bug_id, project_id, date_trunc('hour', received_at), coalesce(environment, ''),
      coalesce(service, ''), count(*)
    FROM events GROUP BY 1, 2, 3, 4, 5
    -- Hour by hour, as ingestion creates them (a hash aggregate's order would scatter an hour's
    -- rows over the whole table, which no real history looks like).
    ORDER BY 3`.execute(db);
  await sql`
    INSERT INTO bug_releases (bug_id, project_id, release, first_seen, last_seen, count)
    SELECT bug_id, project_id, release, min(received_at), max(received_at), count(*)
    FROM events WHERE release IS NOT NULL GROUP BY 1, 2, 3`.execute(db);
  await sql`
    UPDATE bugs SET occurrence_count = e.n, count_since_resolved = e.n, first_seen = e.first,
      last_seen = e.last, escalation_started_at = CASE WHEN bugs.regression_count > 0
        THEN e.first + (e.last - e.first) / 2 ELSE e.first END,
      resolved_at = CASE WHEN bugs.status = 'resolved' THEN e.last ELSE NULL END
    FROM (SELECT bug_id, count(*) AS n, min(received_at) AS first, max(received_at) AS last
          FROM events GROUP BY bug_id) AS e
    WHERE bugs.id = e.bug_id`.execute(db);
  await sql`VACUUM ANALYZE projects, bugs, events, bug_hourly, bug_releases`.execute(db);
  return project.id;
}
