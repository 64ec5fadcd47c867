import type { Insertable } from "kysely";
import type { BugGrouping, BugRow, EventsTable, NewBug } from "../db/index.js";
import type { ErrorEvent } from "../grouping/error-event.js";
import { type BugClassifier, classifyNewBug } from "../grouping/index.js";
import { toKnownBug } from "./bug-repository.js";
import type { BugStatus, KnownBug } from "./known-bug.js";

/** One accepted report, grouped and ready to be stored. */
export interface Occurrence {
  projectId: number;
  event: ErrorEvent;
  fingerprint: string;
  fingerprintVersion: number;
  /**
   * The event's hash under the previous grouping version, while a grouping transition lasts: a
   * fingerprint nobody knows yet joins the bug this hash belongs to (record-batch.ts).
   */
  previousFingerprint?: string;
  /** What the fingerprint is made of, kept on a new bug (`bugs.grouping`). */
  grouping: BugGrouping;
  title: string;
  culprit: string | undefined;
  /**
   * Category and starting severity of a NEW bug first seen in this occurrence (the project's
   * rules, else the built-in ones); asked only when a bug is created. An existing bug keeps its
   * own: people may have changed them.
   */
  classifier: BugClassifier;
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

// A merge chain (B-003 merged into B-007, later merged into B-012) is followed this far at most.
export const MAX_MERGE_HOPS = 5;

/**
 * A concurrent retry of one of a group's events committed after the group's lookup: the group
 * rolls back, and storing it again finds the stored event (and counts nothing for it).
 */
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

/** first_seen of an occurrence: when it happened, unless the client clock claims the future. */
export function firstSeenOf(occ: Occurrence): Date {
  return new Date(Math.min(occ.event.timestamp.getTime(), occ.receivedAt.getTime()));
}

/** The bugs row of a new bug, first seen in `occ`. */
export function newBugValues(
  occ: Occurrence,
  bug: { number: number; count: number; firstSeen: Date },
): NewBug {
  const classified = classifyNewBug(occ.event, occ.classifier);
  return {
    project_id: occ.projectId,
    number: bug.number,
    fingerprint: occ.fingerprint,
    fingerprint_version: occ.fingerprintVersion,
    grouping: JSON.stringify(occ.grouping),
    title: occ.title,
    error_type: occ.event.errorType,
    culprit: occ.culprit ?? null,
    severity: classified.severity,
    category: classified.category,
    category_reason: classified.categoryReason,
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
