import { type Kysely, type SelectQueryBuilder, sql } from "kysely";
import { bugRef, parseBugRef } from "../bugs/known-bug.js";
import type { BugGrouping, Database, EventRow } from "../db/index.js";
import { isCategory } from "../grouping/category.js";
import { InvalidCursorError, decodeCursor, encodeCursor, pageSize } from "./cursor.js";
import type { BugEvent, BugListItem, ListBugsQuery, ListEventsQuery, Page } from "./stats-types.js";

/** Columns every bug list selects, joined with its project for the "owner/name". */
export function selectBugListColumns<O>(
  query: SelectQueryBuilder<Database, "bugs" | "projects", O>,
) {
  return query.select([
    "bugs.id",
    "bugs.project_id",
    "projects.owner",
    "projects.name",
    "bugs.number",
    "bugs.title",
    "bugs.error_type",
    "bugs.culprit",
    "bugs.severity",
    "bugs.category",
    "bugs.category_reason",
    "bugs.status",
    "bugs.occurrence_count",
    "bugs.first_seen",
    "bugs.last_seen",
    "bugs.resolved_at",
    "bugs.regression_count",
    "bugs.issue_url",
    "bugs.grouping",
  ]);
}

export interface BugListRow {
  id: number;
  project_id: number;
  owner: string;
  name: string;
  number: number;
  title: string;
  error_type: string;
  culprit: string | null;
  severity: BugListItem["severity"];
  category: string;
  category_reason: string | null;
  status: BugListItem["status"];
  occurrence_count: number;
  first_seen: Date;
  last_seen: Date;
  resolved_at: Date | null;
  regression_count: number;
  issue_url: string | null;
  grouping: BugGrouping | null;
}

export function toBugListItem(row: BugListRow): BugListItem {
  return {
    id: row.id,
    projectId: row.project_id,
    repo: `${row.owner}/${row.name}`,
    number: row.number,
    ref: bugRef(row.number),
    title: row.title,
    errorType: row.error_type,
    culprit: row.culprit,
    severity: row.severity,
    category: isCategory(row.category) ? row.category : "unknown",
    categoryReason: row.category_reason,
    status: row.status,
    occurrenceCount: row.occurrence_count,
    firstSeen: row.first_seen,
    lastSeen: row.last_seen,
    resolvedAt: row.resolved_at,
    regressionCount: row.regression_count,
    issueUrl: row.issue_url,
    grouping: row.grouping,
  };
}

/** One bug by id, as the lists show it. */
export async function getBug(
  db: Kysely<Database>,
  bugId: number,
): Promise<BugListItem | undefined> {
  const row = await selectBugListColumns(
    db
      .selectFrom("bugs")
      .innerJoin("projects", "projects.id", "bugs.project_id")
      .where("bugs.id", "=", bugId),
  ).executeTakeFirst();
  return row ? toBugListItem(row) : undefined;
}

/** Escapes LIKE wildcards so a search for "50%" matches the text "50%". */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Newest bug first (id DESC), keyset on id. Merged bugs are left out. */
export async function listBugs(
  db: Kysely<Database>,
  query: ListBugsQuery,
): Promise<Page<BugListItem>> {
  const limit = pageSize(query.limit);
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, ["number"])[0];
  if (query.projectIds.length === 0) return { items: [], nextCursor: null };

  let q = selectBugListColumns(
    db
      .selectFrom("bugs")
      .innerJoin("projects", "projects.id", "bugs.project_id")
      .where("bugs.project_id", "in", [...query.projectIds])
      .where("bugs.merged_into_id", "is", null),
  );
  if (after !== undefined) q = q.where("bugs.id", "<", after);
  if (query.status) q = q.where("bugs.status", "=", query.status);
  if (query.severity) q = q.where("bugs.severity", "=", query.severity);
  if (query.category) q = q.where("bugs.category", "=", query.category);
  // Seen in a service or environment: any rollup cell of the bug (its primary key's prefix).
  for (const dimension of ["service", "environment"] as const) {
    const value = query[dimension];
    if (value === undefined) continue;
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom("bug_hourly")
          .select(sql`1`.as("one"))
          .whereRef("bug_hourly.bug_id", "=", "bugs.id")
          .where(`bug_hourly.${dimension}`, "=", value),
      ),
    );
  }
  if (query.release !== undefined) {
    const release = query.release;
    // One primary-key probe per bug: bug_releases is keyed (bug_id, release).
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom("bug_releases")
          .select(sql`1`.as("one"))
          .whereRef("bug_releases.bug_id", "=", "bugs.id")
          .where("bug_releases.release", "=", release),
      ),
    );
  }
  const text = query.q?.trim();
  if (text) {
    const number = parseBugRef(text);
    const pattern = likePattern(text);
    q = q.where((eb) =>
      eb.or([
        ...(number !== null ? [eb("bugs.number", "=", number)] : []),
        eb("bugs.title", "ilike", pattern),
        eb("bugs.error_type", "ilike", pattern),
        eb("bugs.culprit", "ilike", pattern),
      ]),
    );
  }
  const rows = await q
    .orderBy("bugs.id", "desc")
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(toBugListItem),
    nextCursor: rows.length > limit && last ? encodeCursor([last.id]) : null,
  };
}

// What Postgres prints for a timestamptz (ISO DateStyle), e.g. "2026-11-23 12:00:00.0005+00".
const TIMESTAMP_TEXT = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:\d{2})?)?$/;

/** A bug's stored events, most recent first; keyset on (received_at, id). */
export async function listBugEvents(
  db: Kysely<Database>,
  query: ListEventsQuery,
): Promise<Page<BugEvent>> {
  const limit = pageSize(query.limit);
  let q = db
    .selectFrom("events")
    .select([
      "id",
      "event_id",
      "received_at",
      "occurred_at",
      "level",
      "service",
      "environment",
      "release",
      "error_type",
      "message",
      "url",
      "method",
      "status_code",
      "user_id",
      // Exact (microsecond) text of the sort key for the cursor: a JS Date keeps only ms.
      sql<string>`received_at::text`.as("received_at_text"),
    ])
    .where("bug_id", "=", query.bugId);
  if (query.cursor !== undefined) {
    const [receivedAt, id] = decodeCursor(query.cursor, ["string", "number"]);
    if (!TIMESTAMP_TEXT.test(receivedAt)) throw new InvalidCursorError();
    // Row-value comparison: uses the (bug_id, received_at DESC) index and breaks ties by id.
    q = q.where(sql<boolean>`(received_at, id) < (${receivedAt}::timestamptz, ${id})`);
  }
  const rows = await q
    .orderBy("received_at", "desc")
    .orderBy("id", "desc")
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(toBugEvent),
    nextCursor: rows.length > limit && last ? encodeCursor([last.received_at_text, last.id]) : null,
  };
}

/** The columns of an event row that lists and exports show (no stack trace JSON). */
export type BugEventRow = Pick<
  EventRow,
  | "id"
  | "event_id"
  | "received_at"
  | "occurred_at"
  | "level"
  | "service"
  | "environment"
  | "release"
  | "error_type"
  | "message"
  | "url"
  | "method"
  | "status_code"
  | "user_id"
>;

export function toBugEvent(row: BugEventRow): BugEvent {
  return {
    id: row.id,
    eventId: row.event_id,
    receivedAt: row.received_at,
    occurredAt: row.occurred_at,
    level: row.level,
    service: row.service,
    environment: row.environment,
    release: row.release,
    errorType: row.error_type,
    message: row.message,
    url: row.url,
    method: row.method,
    statusCode: row.status_code,
    userId: row.user_id,
  };
}
