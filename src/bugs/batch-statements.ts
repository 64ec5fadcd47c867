import { type Transaction, sql } from "kysely";
import { type BugGrouping, type BugRow, type Database, PREPARED } from "../db/index.js";
import type { BugStatus } from "./known-bug.js";
import { type Occurrence, eventFields, hourOf, newBugValues } from "./record-occurrence.js";
import { semverKey } from "./release-order.js";

/**
 * The set-based statements of a batch. Rows travel as one JSON parameter per statement
 * (`json_to_recordset`): one round trip and one parameter whatever the batch size, and no
 * per-row query building. The events' rows go as jsonb (`jsonb_to_recordset`): parsed once, their
 * jsonb columns are then copied, where `json` hands each one over as text to be parsed again
 * (1.8x faster for Sentry events of ~2 KB). Times travel as epoch milliseconds (`to_timestamp`
 * turns them back, exactly: it rounds to the microsecond).
 */

type Trx = Transaction<Database>;

export interface FingerprintRef {
  projectId: number;
  fingerprint: string;
}

/** A bug row found by a stored event id (`kind = "event"`) or by a fingerprint. */
export type LookupRow = BugRow & { kind: "event" | "fingerprint"; lookup_key: string };

/** One round trip: bugs of already stored event ids, and bugs of fingerprints. */
export async function lookUp(
  trx: Trx,
  events: { project_id: number; event_id: string }[],
  prints: FingerprintRef[],
): Promise<LookupRow[]> {
  const wantedPrints = prints.map((p) => ({ project_id: p.projectId, fingerprint: p.fingerprint }));
  // Not PREPARED: a generic plan is fixed to the statistics of its first executions, and on a
  // young table Postgres probed events and bugs through their project_id indexes (measured in
  // bench:ingest: every probe then scans the project). Planning each time picks the unique ones.
  const result = await sql<LookupRow>`
    WITH wanted_events AS (
      SELECT * FROM json_to_recordset(${JSON.stringify(events)}::json)
        AS w(project_id bigint, event_id text)
    ), wanted_prints AS (
      SELECT * FROM json_to_recordset(${JSON.stringify(wantedPrints)}::json)
        AS w(project_id bigint, fingerprint text)
    )
    -- LATERAL ... LIMIT 1: one index probe per wanted row, never a scan of events or bugs.
    SELECT 'event' AS kind, w.event_id AS lookup_key, found.*
      FROM wanted_events w CROSS JOIN LATERAL (
        SELECT bugs.* FROM events JOIN bugs ON bugs.id = events.bug_id
        WHERE events.project_id = w.project_id AND events.event_id = w.event_id LIMIT 1
      ) found
    UNION ALL
    SELECT 'fingerprint', w.fingerprint, found.*
      FROM wanted_prints w CROSS JOIN LATERAL (
        SELECT bugs.* FROM bugs
        WHERE bugs.project_id = w.project_id AND bugs.fingerprint = w.fingerprint LIMIT 1
      ) found
    UNION ALL
    -- Hashes a bug learnt (bug_fingerprints): a grouping transition's new hashes.
    SELECT 'fingerprint', w.fingerprint, found.*
      FROM wanted_prints w CROSS JOIN LATERAL (
        SELECT bugs.* FROM bug_fingerprints learnt JOIN bugs ON bugs.id = learnt.bug_id
        WHERE learnt.project_id = w.project_id AND learnt.fingerprint = w.fingerprint LIMIT 1
      ) found`.execute(trx);
  return result.rows;
}

/** A hash a bug answers to from now on, and what it is made of. */
export interface LearntFingerprint {
  projectId: number;
  fingerprint: string;
  bugId: number;
  grouping: BugGrouping;
}

/**
 * Records hashes that bugs learnt in a grouping transition, under the project lock, and gives
 * each bug the reasons of its newest grouping version: what its events are grouped by now.
 */
export async function learnFingerprints(trx: Trx, learnt: readonly LearntFingerprint[]) {
  if (learnt.length === 0) return;
  await trx
    .insertInto("bug_fingerprints")
    .values(
      learnt.map((l) => ({
        project_id: l.projectId,
        fingerprint: l.fingerprint,
        bug_id: l.bugId,
        version: l.grouping.version,
      })),
    )
    .onConflict((oc) => oc.columns(["project_id", "fingerprint"]).doNothing())
    .execute();
  const newest = new Map<number, BugGrouping>();
  for (const l of learnt) newest.set(l.bugId, l.grouping);
  for (const [bugId, grouping] of newest) {
    await trx
      .updateTable("bugs")
      .set({ grouping: JSON.stringify(grouping) })
      .where("id", "=", bugId)
      .where((eb) =>
        eb.or([
          eb("grouping", "is", null),
          eb(sql<number>`(grouping->>'version')::int`, "<", grouping.version),
        ]),
      )
      .execute();
  }
}

/** merged_into_id of the given bugs. */
export async function mergeTargets(trx: Trx, ids: number[]) {
  return trx.selectFrom("bugs").select(["id", "merged_into_id"]).where("id", "in", ids).execute();
}

/**
 * Creators of new bugs queue on their project rows (in id order), as in the single path: B-numbers
 * stay gap-free and a fingerprint is never inserted twice. NO KEY UPDATE so that transactions only
 * inserting events (KEY SHARE through the foreign key) do not wait for us.
 */
export async function lockProjects(trx: Trx, projectIds: number[]) {
  await trx
    .selectFrom("projects")
    .select("id")
    .where(
      "id",
      "in",
      [...new Set(projectIds)].sort((a, b) => a - b),
    )
    .orderBy("id")
    .forNoKeyUpdate()
    .execute();
}

/**
 * Creates bugs for new fingerprints of one project, numbered in the given order (first report
 * first), with count 0: the batch's write counts them like any other bug. Call under the lock.
 */
export async function createBugs(
  trx: Trx,
  projectId: number,
  firstReports: { occurrence: Occurrence; firstSeen: Date }[],
): Promise<BugRow[]> {
  const { bug_seq } = await trx
    .updateTable("projects")
    .set((eb) => ({ bug_seq: eb("bug_seq", "+", firstReports.length) }))
    .where("id", "=", projectId)
    .returning("bug_seq")
    .executeTakeFirstOrThrow();
  const values = firstReports.map(({ occurrence, firstSeen }, i) =>
    newBugValues(occurrence, {
      number: bug_seq - firstReports.length + 1 + i,
      count: 0,
      firstSeen,
    }),
  );
  return trx.insertInto("bugs").values(values).returningAll().execute();
}

/** What the batch adds to one bug. */
export interface BugCount {
  bugId: number;
  /** Reports counted. */
  k: number;
  lastSeen: Date;
  /** Received time of the first report: a regression restarts escalation from it. */
  firstAt: Date;
}

export interface CountedRow extends BugRow {
  previous_status: BugStatus;
  previous_count: number;
  events_inserted: number;
  /** The batch reopened this resolved bug (see `regressed` in writeBatch). */
  regressed: boolean;
}

/**
 * The write, in one statement: the events first, then the counts per bug (rows locked in id order;
 * a resolved bug reopens once, which restarts escalation, as in the single path), then the hourly
 * rollup and the per-release counts. The CTEs read each other's results to force that order:
 * every writer takes its locks as events, bug rows, rollups, so concurrent batches queue, not
 * deadlock. The events go first because they are most of the work: a hot bug's row stays locked
 * until COMMIT, and the next group inserts its events meanwhile instead of waiting for the lock.
 * Returns the counted bug rows with their status and count before the batch.
 *
 * A resolved bug reopens unless its resolution names a release (release-order.ts): resolved "in
 * the next release", only an event from a release newer than every one seen before the fix
 * reopens it; resolved "in 2.4.2", an event from 2.4.2 or newer. Other events are counted and
 * leave it resolved. Every release the batch reports is recorded (`releases`, first seen first).
 */
export async function writeBatch(
  trx: Trx,
  counts: BugCount[],
  /** Every counted report with its bug; those with storeEvent also get an events row. */
  reports: { bugId: number; occurrence: Occurrence }[],
): Promise<{ rows: CountedRow[]; eventsInserted: number }> {
  const events = reports.filter((r) => r.occurrence.storeEvent);
  const releasesOf = batchReleases(reports);
  const countsJson = JSON.stringify(
    [...counts]
      .sort((a, b) => a.bugId - b.bugId)
      .map((c) => ({
        id: c.bugId,
        k: c.k,
        last_seen: c.lastSeen.getTime(),
        first_at: c.firstAt.getTime(),
        rels: releasesOf.perBug.get(c.bugId) ?? [],
      })),
  );
  const releasesJson = JSON.stringify(releasesOf.all);
  const eventsJson = JSON.stringify(events.map((e) => eventFields(e.bugId, e.occurrence, epochMs)));
  const hourlyJson = JSON.stringify(rollupCells(reports));
  const bugReleasesJson = JSON.stringify(releaseCells(reports));
  // PREPARED: planning took longer than running it; every table is reached through its primary
  // key or the ON CONFLICT arbiter, so the generic plan cannot pick a worse index as tables grow.
  const result = await sql<CountedRow>`${sql.raw(PREPARED)}
    WITH events_in AS (
      INSERT INTO events (project_id, bug_id, event_id, received_at, occurred_at, level, source,
        service, environment, release, error_type, message, stacktrace, raw_stacktrace, url,
        url_pattern, method, status_code, request, user_id, tags, context)
      SELECT e.project_id, e.bug_id, e.event_id, to_timestamp(e.received_at / 1000),
        to_timestamp(e.occurred_at / 1000), e.level, e.source,
        e.service, e.environment, e.release, e.error_type, e.message, e.stacktrace,
        e.raw_stacktrace, e.url, e.url_pattern, e.method, e.status_code, e.request, e.user_id,
        e.tags, e.context
      FROM jsonb_to_recordset(${eventsJson}::jsonb) AS e(project_id bigint, bug_id bigint,
        event_id text, received_at float8, occurred_at float8, level text, source text,
        service text, environment text, release text, error_type text, message text,
        stacktrace jsonb, raw_stacktrace text, url text, url_pattern text, method text,
        status_code integer, request jsonb, user_id text, tags jsonb, context jsonb)
      ORDER BY e.project_id, e.event_id
      ON CONFLICT (project_id, event_id) DO NOTHING
      RETURNING 1
    ), inserted AS (
      SELECT count(*)::int AS n FROM events_in
    ), releases_in AS (
      -- After the events, before the bug rows (lock order); the id is the first-seen order.
      INSERT INTO releases (project_id, version, semver_key)
      SELECT r.project_id, r.version, r.semver_key
      FROM json_to_recordset(${releasesJson}::json)
        AS r(project_id bigint, version text, semver_key text)
      WHERE (SELECT n FROM inserted) >= 0
      ORDER BY r.project_id, r.version
      ON CONFLICT (project_id, version) DO NOTHING
      RETURNING 1
    ), input AS (
      SELECT v.id, v.k, to_timestamp(v.last_seen / 1000) AS last_seen,
        to_timestamp(v.first_at / 1000) AS first_at, v.rels
      FROM json_to_recordset(${countsJson}::json)
        AS v(id bigint, k bigint, last_seen float8, first_at float8, rels json)
    ), wanted AS (
      -- Bugs are reached through their primary key (= ANY(array)), never by a scan of the table.
      SELECT array_agg(id) AS ids FROM input
    ), old AS (
      -- After the events and releases (reading them makes them run first): see the lock order.
      SELECT bugs.id, bugs.project_id, bugs.status, bugs.occurrence_count,
        bugs.resolved_release_mode, bugs.resolved_release_key, bugs.resolved_release_seq,
        bugs.resolved_in_release
      FROM bugs
      WHERE bugs.id = ANY ((SELECT ids FROM wanted)::bigint[]) AND (SELECT n FROM inserted) >= 0
        AND (SELECT count(*) FROM releases_in) >= 0
      ORDER BY bugs.id FOR NO KEY UPDATE OF bugs
    ), judged AS (
      -- regressed: the batch reopens the bug. A release stored by this statement is not visible
      -- to it (same snapshot): its id counts as the newest, which it is. Twin of
      -- releaseRegresses (release-order.ts).
      SELECT old.id, old.status, old.occurrence_count, old.status = 'resolved' AND (
        old.resolved_release_mode IS NULL OR EXISTS (
          SELECT 1 FROM json_to_recordset(input.rels) AS r(v text, k text)
          LEFT JOIN releases seen ON seen.project_id = old.project_id AND seen.version = r.v
          WHERE CASE
            WHEN r.k IS NOT NULL AND old.resolved_release_key IS NOT NULL THEN
              CASE WHEN old.resolved_release_mode = 'next'
                THEN r.k COLLATE "C" > old.resolved_release_key COLLATE "C"
                ELSE r.k COLLATE "C" >= old.resolved_release_key COLLATE "C" END
            WHEN old.resolved_release_mode = 'next' THEN
              coalesce(seen.id, 9223372036854775807) > coalesce(old.resolved_release_seq, 0)
            ELSE r.v = old.resolved_in_release
              OR coalesce(seen.id, 9223372036854775807) >= (SELECT named.id FROM releases named
                WHERE named.project_id = old.project_id AND named.version = old.resolved_in_release)
          END)) AS regressed
      FROM old JOIN input ON input.id = old.id
    ), counted AS (
      UPDATE bugs SET
        occurrence_count = bugs.occurrence_count + input.k,
        last_seen = GREATEST(bugs.last_seen, input.last_seen),
        count_since_resolved = bugs.count_since_resolved + input.k,
        status = CASE WHEN judged.regressed THEN 'open' ELSE bugs.status END,
        regression_count = bugs.regression_count + (CASE WHEN judged.regressed THEN 1 ELSE 0 END),
        escalation_level = CASE WHEN judged.regressed THEN 0 ELSE bugs.escalation_level END,
        last_escalated_at = CASE WHEN judged.regressed THEN NULL ELSE bugs.last_escalated_at END,
        escalation_started_at = CASE WHEN judged.regressed THEN input.first_at
                                     ELSE bugs.escalation_started_at END,
        updated_at = now()
      FROM judged JOIN input ON input.id = judged.id
      -- judged.id alone: with "= ANY(ids)" beside it a generic plan probed the index with the
      -- whole array once per row (a nested loop holding both in its index condition: n² probes).
      WHERE bugs.id = judged.id
      RETURNING bugs.*, judged.status AS previous_status,
        judged.occurrence_count AS previous_count, judged.regressed
    ), hourly AS (
      INSERT INTO bug_hourly (bug_id, project_id, hour, environment, service, count)
      SELECT h.bug_id, h.project_id, to_timestamp(h.hour / 1000), h.environment, h.service,
        h.count
      FROM json_to_recordset(${hourlyJson}::json) AS h(bug_id bigint, project_id bigint,
        hour float8, environment text, service text, count integer)
      WHERE (SELECT count(*) FROM counted) >= 0
      ORDER BY h.bug_id, h.hour, h.environment, h.service
      ON CONFLICT (bug_id, hour, environment, service)
        DO UPDATE SET count = bug_hourly.count + excluded.count
    ), bug_releases_in AS (
      -- Last in the lock order, like the rollup: every writer takes these rows after the bugs'.
      INSERT INTO bug_releases (bug_id, project_id, release, first_seen, last_seen, count)
      SELECT r.bug_id, r.project_id, r.release, to_timestamp(r.first_seen / 1000),
        to_timestamp(r.last_seen / 1000), r.count
      FROM json_to_recordset(${bugReleasesJson}::json) AS r(bug_id bigint, project_id bigint,
        release text, first_seen float8, last_seen float8, count integer)
      WHERE (SELECT count(*) FROM counted) >= 0
      ORDER BY r.bug_id, r.release
      ON CONFLICT (bug_id, release) DO UPDATE SET
        first_seen = LEAST(bug_releases.first_seen, excluded.first_seen),
        last_seen = GREATEST(bug_releases.last_seen, excluded.last_seen),
        count = bug_releases.count + excluded.count
    )
    SELECT counted.*, (SELECT n FROM inserted) AS events_inserted FROM counted`.execute(trx);
  const rows = result.rows.map((r) => ({
    ...r,
    previous_count: Number(r.previous_count),
    regressed: r.regressed === true,
  }));
  return { rows, eventsInserted: Number(result.rows[0]?.events_inserted ?? 0) };
}

const epochMs = (d: Date) => d.getTime();

/** The batch's releases: each (project, release) once, and each bug's distinct releases. */
function batchReleases(reports: { bugId: number; occurrence: Occurrence }[]) {
  const all = new Map<string, { project_id: number; version: string; semver_key: string | null }>();
  const perBug = new Map<number, Map<string, { v: string; k: string | null }>>();
  for (const { bugId, occurrence } of reports) {
    const version = occurrence.event.release;
    if (!version) continue;
    const k = `${occurrence.projectId}\u0000${version}`;
    let entry = all.get(k);
    if (!entry) {
      entry = { project_id: occurrence.projectId, version, semver_key: semverKey(version) };
      all.set(k, entry);
    }
    let mine = perBug.get(bugId);
    if (!mine) {
      mine = new Map();
      perBug.set(bugId, mine);
    }
    if (!mine.has(version)) mine.set(version, { v: version, k: entry.semver_key });
  }
  return {
    all: [...all.values()],
    perBug: new Map([...perBug].map(([bugId, rels]) => [bugId, [...rels.values()]])),
  };
}

/** Hourly rollup cells, each key once (a multi-row upsert must not touch a row twice). */
function rollupCells(reports: { bugId: number; occurrence: Occurrence }[]) {
  const cells = new Map<
    string,
    {
      bug_id: number;
      project_id: number;
      /** Epoch milliseconds, like every time these statements send. */
      hour: number;
      environment: string;
      service: string;
      count: number;
    }
  >();
  for (const { bugId, occurrence: occ } of reports) {
    const hour = hourOf(occ.receivedAt).getTime();
    const environment = occ.event.environment ?? "";
    const service = occ.event.service ?? "";
    const k = `${bugId}\u0000${hour}\u0000${environment}\u0000${service}`;
    const cell = cells.get(k);
    if (cell) cell.count++;
    else
      cells.set(k, {
        bug_id: bugId,
        project_id: occ.projectId,
        hour,
        environment,
        service,
        count: 1,
      });
  }
  return [...cells.values()];
}

/** Per bug and release: first and last received time and count, each key once. */
function releaseCells(reports: { bugId: number; occurrence: Occurrence }[]) {
  const cells = new Map<
    string,
    {
      bug_id: number;
      project_id: number;
      release: string;
      first_seen: number;
      last_seen: number;
      count: number;
    }
  >();
  for (const { bugId, occurrence: occ } of reports) {
    const release = occ.event.release;
    if (release === undefined || release === "") continue;
    const at = occ.receivedAt.getTime();
    const k = `${bugId}\u0000${release}`;
    const cell = cells.get(k);
    if (cell) {
      cell.count++;
      cell.first_seen = Math.min(cell.first_seen, at);
      cell.last_seen = Math.max(cell.last_seen, at);
    } else {
      cells.set(k, {
        bug_id: bugId,
        project_id: occ.projectId,
        release,
        first_seen: at,
        last_seen: at,
        count: 1,
      });
    }
  }
  return [...cells.values()];
}
