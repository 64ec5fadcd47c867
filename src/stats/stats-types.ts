import type { BugStatus } from "../bugs/known-bug.js";
import type { Severity } from "../grouping/error-event.js";

/**
 * The read model's public shapes. STABLE CONTRACT: the /dashboard and the /api routes code
 * against these; add optional fields only, never rename or remove.
 *
 * Ranges are half-open [from, to). Hours are UTC hour starts.
 */

export interface StatsQuery {
  /** Projects to aggregate over; [] yields zeros (no access), never "everything". */
  projectIds: readonly number[];
  from: Date;
  to: Date;
  /** Only occurrences reported with this environment ("" = reported without one). */
  environment?: string | undefined;
  /** Only occurrences reported by this service ("" = reported without one). */
  service?: string | undefined;
  /** Length of topBugs / newBugs / regressions lists (default 10, max 100). */
  topLimit?: number | undefined;
}

export interface CountBy<K extends string = string> {
  key: K;
  /** Occurrences in range. */
  count: number;
  /** Distinct bugs with occurrences in range. */
  bugs: number;
}

export interface HourPoint {
  /** Start of the UTC hour. */
  hour: Date;
  /** Occurrences received in that hour (0 when none: every hour of the range is present). */
  count: number;
}

/** A bug as lists show it (top bugs, new bugs, /api/bugs). */
export interface BugListItem {
  id: number;
  projectId: number;
  /** "owner/name" of the project. */
  repo: string;
  number: number;
  /** "B-007". */
  ref: string;
  title: string;
  errorType: string;
  culprit: string | null;
  severity: Severity;
  status: BugStatus;
  /** All-time occurrences. */
  occurrenceCount: number;
  firstSeen: Date;
  lastSeen: Date;
  resolvedAt: Date | null;
  regressionCount: number;
  issueUrl: string | null;
  /**
   * Why its events are together: the fingerprint's grouping version, basis (stacktrace,
   * message, request, client, rule) and the parts that were hashed; null for older bugs.
   */
  grouping: { version: number; basis: string; parts: string[]; rule?: number } | null;
}

/** A bug in a range-bound list, with its occurrences in that range. */
export interface RangedBug extends BugListItem {
  countInRange: number;
}

export interface StatsSummary {
  from: Date;
  to: Date;
  totals: {
    /** Occurrences received in range (from the hourly rollups: sampled-out ones count too). */
    occurrences: number;
    /** Distinct bugs with at least one occurrence in range. */
    activeBugs: number;
    /** Bugs whose first_seen is in range. */
    newBugs: number;
    /** Bugs that regressed (resolved, then seen again) in range; see regressions below. */
    regressions: number;
    /** Bugs resolved in range (resolved_at in range, still resolved now). */
    resolved: number;
    /** Bugs currently open or in progress (all time, not range-bound). */
    unresolvedNow: number;
    /**
     * Distinct user ids over the stored events in range. Exact while the range has no compacted
     * day or its users number at most 2,048 (the sketches' sparse threshold); above that, with
     * compacted days, a HyperLogLog estimate (~0.8% standard error) — see stats-service.ts.
     */
    affectedUsers: number;
  };
  /** Occurrences per UTC hour, every hour of [from, to) present, zeros included. */
  errorRate: HourPoint[];
  bySeverity: CountBy<Severity>[];
  /** By the current status of the bugs seen in range: their occurrences in range, and how many. */
  byStatus: CountBy<BugStatus>[];
  byErrorType: CountBy[];
  /** "" = reported without a service. */
  byService: CountBy[];
  /** "" = reported without an environment. */
  byEnvironment: CountBy[];
  /** Most occurrences in range first. */
  topBugs: RangedBug[];
  /** first_seen in range, newest first. */
  newBugs: RangedBug[];
  /**
   * Bugs whose latest regression falls in range (regression_count > 0 and
   * escalation_started_at, which a regression resets, in range). Only the latest regression of a
   * bug is known, so an earlier regression in range followed by a later one outside is missed.
   */
  regressions: RangedBug[];
  /**
   * Mean of (resolved_at - first_seen) over bugs resolved in range, in ms; null when none.
   * Whole-life, not per cycle: a regressed-then-resolved bug counts from its first sighting.
   */
  meanTimeToResolutionMs: number | null;
}

export interface ListBugsQuery {
  projectIds: readonly number[];
  status?: BugStatus | undefined;
  severity?: Severity | undefined;
  /** Bugs with at least one occurrence from this service (any time). */
  service?: string | undefined;
  /** Case-insensitive substring of title, error type or culprit; or a ref like "B-7". */
  q?: string | undefined;
  /** 1..200, default 50. */
  limit?: number | undefined;
  /** Opaque; from the previous page's nextCursor. */
  cursor?: string | undefined;
}

export interface Page<T> {
  items: T[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export interface BugEvent {
  id: number;
  eventId: string;
  receivedAt: Date;
  occurredAt: Date;
  level: string;
  service: string | null;
  environment: string | null;
  release: string | null;
  errorType: string;
  message: string;
  url: string | null;
  method: string | null;
  statusCode: number | null;
  userId: string | null;
}

export interface ListEventsQuery {
  bugId: number;
  /** 1..200, default 50. */
  limit?: number | undefined;
  cursor?: string | undefined;
}
