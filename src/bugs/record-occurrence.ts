import { type Insertable, type Kysely, type Transaction, sql } from "kysely";
import type { BugRow, Database, EventsTable, NewBug } from "../db/index.js";
import type { ErrorEvent, Severity } from "../grouping/error-event.js";
import { toKnownBug } from "./bug-repository.js";
import type { BugStatus, KnownBug } from "./known-bug.js";

/** One accepted report, grouped and ready to be stored. */
export interface Occurrence {
  projectId: number;
  event: ErrorEvent;
  fingerprint: string;
  fingerprintVersion: number;
  title: string;
  culprit: string | undefined;
  /** Severity a NEW bug starts with; an existing bug keeps its own (people may have changed it). */
  severity: Severity;
  urlPattern: string | undefined;
  receivedAt: Date;
  /** False when sampled out or over a rate limit: the bug still counts it, no event row is kept. */
  storeEvent: boolean;
}

export interface OccurrenceOutcome {
  bug: KnownBug;
  /** This occurrence created the bug. */
  isNew: boolean;
  /** The bug was resolved and is open again because of this occurrence. */
  isRegression: boolean;
  /** The bug's status before this occurrence. */
  previousStatus: BugStatus | null;
  /** The event id was already stored: a client retry. Nothing was counted. */
  duplicate: boolean;
  eventStored: boolean;
  /**
   * The bug's count before this occurrence (or, for an outcome aggregated over a batch, before the
   * batch): effects that fire on thresholds check `previousOccurrenceCount < n <= count`.
   */
  previousOccurrenceCount: number;
}

type Db = Kysely<Database> | Transaction<Database>;

// A merge chain (B-003 merged into B-007, later merged into B-012) is followed this far at most.
export const MAX_MERGE_HOPS = 5;

/**
 * Stores one occurrence: creates or counts its bug, inserts the event and the hourly rollup.
 * Must run inside a transaction (the caller's), so that a report is all-or-nothing.
 */
export async function recordOccurrence(
  trx: Transaction<Database>,
  occ: Occurrence,
): Promise<OccurrenceOutcome> {
  const event = occ.event;
  if (occ.storeEvent) {
    const seen = await trx
      .selectFrom("events")
      .innerJoin("bugs", "bugs.id", "events.bug_id")
      .selectAll("bugs")
      .where("events.project_id", "=", occ.projectId)
      .where("events.event_id", "=", event.eventId)
      .executeTakeFirst();
    if (seen) return duplicateOutcome(seen);
  }

  let found = await findTarget(trx, occ.projectId, occ.fingerprint);
  let created: BugRow | undefined;
  if (!found) {
    // New fingerprint. Creators of new bugs in one project queue on the project row, so B-numbers
    // are gap-free and a fingerprint is never inserted twice. Re-check once we hold the lock: the
    // transaction before us may have created this very bug. NO KEY UPDATE, not UPDATE: inserting
    // events takes KEY SHARE on the project row (foreign key), and a transaction counting an
    // existing bug must not wait for us while we wait for its bug row (a deadlock).
    await trx
      .selectFrom("projects")
      .select("id")
      .where("id", "=", occ.projectId)
      .forNoKeyUpdate()
      .executeTakeFirstOrThrow();
    found = await findTarget(trx, occ.projectId, occ.fingerprint);
    if (!found) created = await createBug(trx, occ);
  }

  const bugId = created ? created.id : (found as number);
  // Lock order, the same in the batched path: the event, then the bug row (counting), then the
  // rollup.
  if (occ.storeEvent) {
    const inserted = await insertEvent(trx, bugId, occ);
    if (!inserted) {
      // A concurrent retry of the same event won the race after our duplicate check: undo.
      throw new DuplicateEventRace();
    }
  }
  const outcome: OccurrenceOutcome = created
    ? {
        bug: toKnownBug(created),
        isNew: true,
        isRegression: false,
        previousStatus: null,
        duplicate: false,
        eventStored: false,
        previousOccurrenceCount: 0,
      }
    : await countOccurrence(trx, bugId, occ);
  outcome.eventStored = occ.storeEvent;
  await addToRollup(trx, outcome.bug, occ);
  return outcome;
}

/** Thrown inside the transaction to roll it back; the caller retries, then sees the duplicate. */
export class DuplicateEventRace extends Error {
  override name = "DuplicateEventRace";
}

export function duplicateOutcome(row: BugRow): OccurrenceOutcome {
  const bug = toKnownBug(row);
  return {
    bug,
    isNew: false,
    isRegression: false,
    previousStatus: bug.status,
    duplicate: true,
    eventStored: false,
    previousOccurrenceCount: bug.occurrenceCount,
  };
}

/** Id of the bug that counts this fingerprint (following merges), or undefined. */
async function findTarget(db: Db, projectId: number, fingerprint: string) {
  const row = await db
    .selectFrom("bugs")
    .select(["id", "merged_into_id"])
    .where("project_id", "=", projectId)
    .where("fingerprint", "=", fingerprint)
    .executeTakeFirst();
  if (!row) return undefined;
  let id = row.id;
  let next = row.merged_into_id;
  for (let hop = 0; next !== null && hop < MAX_MERGE_HOPS; hop++) {
    id = next;
    const target = await db
      .selectFrom("bugs")
      .select("merged_into_id")
      .where("id", "=", id)
      .executeTakeFirst();
    next = target?.merged_into_id ?? null;
  }
  return id;
}

async function createBug(trx: Transaction<Database>, occ: Occurrence): Promise<BugRow> {
  const { bug_seq } = await trx
    .updateTable("projects")
    .set((eb) => ({ bug_seq: eb("bug_seq", "+", 1) }))
    .where("id", "=", occ.projectId)
    .returning("bug_seq")
    .executeTakeFirstOrThrow();
  return trx
    .insertInto("bugs")
    .values(newBugValues(occ, { number: bug_seq, count: 1, firstSeen: firstSeenOf(occ) }))
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** first_seen of an occurrence: when it happened, unless the client clock claims the future. */
export function firstSeenOf(occ: Occurrence): Date {
  return new Date(Math.min(occ.event.timestamp.getTime(), occ.receivedAt.getTime()));
}

/** The bugs row of a new bug, first seen in `occ` (the single path and group commit). */
export function newBugValues(
  occ: Occurrence,
  bug: { number: number; count: number; firstSeen: Date },
): NewBug {
  return {
    project_id: occ.projectId,
    number: bug.number,
    fingerprint: occ.fingerprint,
    fingerprint_version: occ.fingerprintVersion,
    title: occ.title,
    error_type: occ.event.errorType,
    culprit: occ.culprit ?? null,
    severity: occ.severity,
    occurrence_count: bug.count,
    count_since_resolved: bug.count,
    first_seen: bug.firstSeen,
    last_seen: occ.receivedAt,
    escalation_started_at: occ.receivedAt,
    resolved_at: null,
    resolved_in_release: null,
    resolved_by: null,
    issue_number: null,
    issue_url: null,
    last_escalated_at: null,
    merged_into_id: null,
  };
}

/**
 * Counts one more occurrence of an existing bug. A resolved bug reopens (a regression, which
 * restarts escalation); wontfix and ignored bugs only count.
 */
async function countOccurrence(
  trx: Transaction<Database>,
  bugId: number,
  occ: Occurrence,
): Promise<OccurrenceOutcome> {
  const result = await sql<BugRow & { previous_status: BugStatus }>`
    WITH old AS (SELECT id, status FROM bugs WHERE id = ${bugId} FOR NO KEY UPDATE)
    UPDATE bugs SET
      occurrence_count = bugs.occurrence_count + 1,
      last_seen = GREATEST(bugs.last_seen, ${occ.receivedAt}),
      count_since_resolved = bugs.count_since_resolved + 1,
      status = CASE WHEN old.status = 'resolved' THEN 'open' ELSE bugs.status END,
      regression_count = bugs.regression_count + (CASE WHEN old.status = 'resolved' THEN 1 ELSE 0 END),
      escalation_level = CASE WHEN old.status = 'resolved' THEN 0 ELSE bugs.escalation_level END,
      last_escalated_at = CASE WHEN old.status = 'resolved' THEN NULL ELSE bugs.last_escalated_at END,
      escalation_started_at = CASE WHEN old.status = 'resolved' THEN ${occ.receivedAt}
                                   ELSE bugs.escalation_started_at END,
      updated_at = now()
    FROM old WHERE bugs.id = old.id
    RETURNING bugs.*, old.status AS previous_status`.execute(trx);
  const row = result.rows[0];
  if (!row) throw new Error(`bug ${bugId} disappeared while counting an occurrence`);
  const { previous_status, ...bugRow } = row;
  const bug = toKnownBug(bugRow);
  return {
    bug,
    isNew: false,
    isRegression: previous_status === "resolved",
    previousStatus: previous_status,
    duplicate: false,
    eventStored: false,
    previousOccurrenceCount: bug.occurrenceCount - 1,
  };
}

async function insertEvent(trx: Transaction<Database>, bugId: number, occ: Occurrence) {
  const row = await trx
    .insertInto("events")
    .values(eventValues(bugId, occ))
    .onConflict((oc) => oc.columns(["project_id", "event_id"]).doNothing())
    .returning("id")
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * The events row of one occurrence, jsonb columns as plain values (the batched path sends JSON),
 * times as `time` makes them (the batched path sends epoch milliseconds: a Date in JSON.stringify
 * costs a call to toJSON and takes V8's slow path for the whole row).
 */
export function eventFields<T>(bugId: number, occ: Occurrence, time: (d: Date) => T) {
  const e = occ.event;
  const request = e.request
    ? { headers: e.request.headers, query: e.request.query, data: e.request.data }
    : null;
  return {
    project_id: occ.projectId,
    bug_id: bugId,
    event_id: e.eventId,
    received_at: time(occ.receivedAt),
    occurred_at: time(e.timestamp),
    level: e.level,
    source: e.source,
    service: e.service ?? null,
    environment: e.environment ?? null,
    release: e.release ?? null,
    error_type: e.errorType,
    message: e.message,
    stacktrace: e.frames as unknown,
    raw_stacktrace: e.rawStacktrace ?? null,
    url: e.request?.url ?? null,
    url_pattern: occ.urlPattern ?? null,
    method: e.request?.method ?? null,
    status_code: e.request?.statusCode ?? null,
    request: request as unknown,
    user_id: e.userId ?? null,
    tags: e.tags as unknown,
    context: e.context as unknown,
  };
}

/** The events row of one occurrence, ready for an insert (jsonb as JSON text). */
export function eventValues(bugId: number, occ: Occurrence): Insertable<EventsTable> {
  const fields = eventFields(bugId, occ, (d) => d);
  return {
    ...fields,
    stacktrace: JSON.stringify(fields.stacktrace),
    request: fields.request === null ? null : JSON.stringify(fields.request),
    tags: JSON.stringify(fields.tags),
    context: JSON.stringify(fields.context),
  };
}

/** The rollup hour (UTC, truncated) an occurrence counts in. */
export function hourOf(receivedAt: Date): Date {
  return new Date(Math.floor(receivedAt.getTime() / 3_600_000) * 3_600_000);
}

async function addToRollup(trx: Transaction<Database>, bug: KnownBug, occ: Occurrence) {
  const hour = hourOf(occ.receivedAt);
  await trx
    .insertInto("bug_hourly")
    .values({
      bug_id: bug.id,
      project_id: occ.projectId,
      hour,
      environment: occ.event.environment ?? "",
      service: occ.event.service ?? "",
      count: 1,
    })
    .onConflict((oc) =>
      oc
        .columns(["bug_id", "hour", "environment", "service"])
        .doUpdateSet((eb) => ({ count: eb("bug_hourly.count", "+", 1) })),
    )
    .execute();
}
