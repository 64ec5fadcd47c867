import { type Kysely, sql } from "kysely";
import { type BugStatus, bugRef } from "../bugs/known-bug.js";
import type { Database } from "../db/index.js";
import type { Category } from "../grouping/category.js";
import type { Severity } from "../grouping/error-event.js";
import { toEventDetail } from "./bug-detail.js";
import { selectBugListColumns, toBugEvent, toBugListItem } from "./bug-list.js";
import type { BugEvent, BugListItem, EventDetail } from "./stats-types.js";

/**
 * Whole-table reads for export, as async generators of batches: each batch is one keyset query,
 * fetched only when the consumer asks for the next one, so memory holds one batch whatever the
 * size of the export, and a consumer that stops (a closed connection) stops the queries.
 */

export const DEFAULT_EXPORT_BATCH = 1_000;

export interface ExportBugsQuery {
  projectIds: readonly number[];
  status?: BugStatus | undefined;
  severity?: Severity | undefined;
  category?: Category | undefined;
  batchSize?: number | undefined;
}

/** An exported bug: as the lists show it, with its first and last release. */
export interface ExportBug extends BugListItem {
  firstRelease: string | null;
  lastRelease: string | null;
}

/** Bugs in id order (merged ones included, with their status: an export is a full copy). */
export async function* streamBugs(
  db: Kysely<Database>,
  query: ExportBugsQuery,
): AsyncGenerator<ExportBug[]> {
  if (query.projectIds.length === 0) return;
  const batchSize = query.batchSize ?? DEFAULT_EXPORT_BATCH;
  let after = 0;
  for (;;) {
    let q = selectBugListColumns(
      db
        .selectFrom("bugs")
        .innerJoin("projects", "projects.id", "bugs.project_id")
        .where("bugs.project_id", "in", [...query.projectIds])
        .where("bugs.id", ">", after),
    ).select([
      // A bug has a handful of releases: two probes of bug_releases' primary key per bug.
      sql<string | null>`(SELECT r.release FROM bug_releases r WHERE r.bug_id = bugs.id
        ORDER BY r.first_seen, r.release LIMIT 1)`.as("first_release"),
      sql<string | null>`(SELECT r.release FROM bug_releases r WHERE r.bug_id = bugs.id
        ORDER BY r.last_seen DESC, r.release LIMIT 1)`.as("last_release"),
    ]);
    if (query.status) q = q.where("bugs.status", "=", query.status);
    if (query.severity) q = q.where("bugs.severity", "=", query.severity);
    if (query.category) q = q.where("bugs.category", "=", query.category);
    const rows = await q.orderBy("bugs.id").limit(batchSize).execute();
    if (rows.length === 0) return;
    yield rows.map((row) => ({
      ...toBugListItem(row),
      firstRelease: row.first_release,
      lastRelease: row.last_release,
    }));
    if (rows.length < batchSize) return;
    after = (rows.at(-1) as (typeof rows)[number]).id;
  }
}

export interface ExportEventsQuery {
  projectIds: readonly number[];
  /** Only this bug's events (it must belong to one of projectIds). */
  bugId?: number | undefined;
  /** Every stored field (frames, request, tags, context…), for the JSON forms; else flat ones. */
  full?: boolean | undefined;
  batchSize?: number | undefined;
}

/** One exported event: the flat fields (CSV), or the whole event (`full`: JSON forms). */
export type ExportEvent = BugEvent &
  Partial<Omit<EventDetail, "newerId" | "olderId">> & {
    repo: string;
    bugRef: string;
  };

/**
 * Events oldest first, project by project, keyset on (received_at, id): that order walks the
 * (project_id, received_at) or (bug_id, received_at) index instead of filtering the whole table.
 * The received_at of the last row travels as Postgres text (microseconds; a JS Date has ms).
 */
export async function* streamEvents(
  db: Kysely<Database>,
  query: ExportEventsQuery,
): AsyncGenerator<ExportEvent[]> {
  const batchSize = query.batchSize ?? DEFAULT_EXPORT_BATCH;
  for (const projectId of [...query.projectIds].sort((a, b) => a - b)) {
    let after: { receivedAt: string; id: number } | undefined;
    for (;;) {
      let q = db
        .selectFrom("events")
        .innerJoin("bugs", "bugs.id", "events.bug_id")
        .innerJoin("projects", "projects.id", "events.project_id")
        .select([
          "events.source",
          "events.url_pattern",
          // The large columns only when they are exported (the JSON forms).
          sql<unknown>`${query.full ? sql`events.stacktrace` : sql`NULL`}`.as("stacktrace"),
          sql<string | null>`${query.full ? sql`events.raw_stacktrace` : sql`NULL`}`.as(
            "raw_stacktrace",
          ),
          sql<unknown>`${query.full ? sql`events.request` : sql`NULL`}`.as("request"),
          sql<unknown>`${query.full ? sql`events.tags` : sql`NULL`}`.as("tags"),
          sql<unknown>`${query.full ? sql`events.context` : sql`NULL`}`.as("context"),
        ])
        .select([
          "events.id",
          "projects.owner",
          "projects.name",
          "bugs.number",
          "events.event_id",
          "events.received_at",
          sql<string>`events.received_at::text`.as("received_at_text"),
          "events.occurred_at",
          "events.level",
          "events.service",
          "events.environment",
          "events.release",
          "events.error_type",
          "events.message",
          "events.url",
          "events.method",
          "events.status_code",
          "events.user_id",
        ])
        .where("events.project_id", "=", projectId);
      if (query.bugId !== undefined) q = q.where("events.bug_id", "=", query.bugId);
      if (after) {
        q = q.where(
          sql<boolean>`(events.received_at, events.id) > (${after.receivedAt}::timestamptz, ${after.id})`,
        );
      }
      const rows = await q
        .orderBy("events.received_at")
        .orderBy("events.id")
        .limit(batchSize)
        .execute();
      if (rows.length === 0) break;
      yield rows.map((row): ExportEvent => {
        // repo and bugRef right after id: the CSV/JSON column order people see.
        const { id, ...event } = toBugEvent(row);
        const head = { id, repo: `${row.owner}/${row.name}`, bugRef: bugRef(row.number) };
        if (!query.full) return { ...head, ...event };
        const {
          newerId: _n,
          olderId: _o,
          id: _id,
          ...detail
        } = toEventDetail({
          ...row,
          bug_id: query.bugId ?? 0,
          project_id: projectId,
          stacktrace: (row.stacktrace ?? []) as unknown[],
          tags: (row.tags ?? {}) as Record<string, string>,
          context: (row.context ?? {}) as Record<string, unknown>,
        });
        return { ...head, ...detail };
      });
      if (rows.length < batchSize) break;
      const last = rows.at(-1) as (typeof rows)[number];
      after = { receivedAt: last.received_at_text, id: last.id };
    }
  }
}
