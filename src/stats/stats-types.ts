import type { BugStatus } from "../bugs/known-bug.js";
import type { Category } from "../grouping/category.js";
import type { Severity, StackFrame } from "../grouping/error-event.js";

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
  /**
   * Only bugs of this category. Read from the hourly rollups and stored events over the whole
   * range (the compacted daily rollups have no category): affected users then count the events
   * still stored.
   */
  category?: Category | undefined;
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
  /** Kind of failure (network, timeout, database…; grouping/category.ts). */
  category: Category;
  /** Why: `status 404`, `rule 2 of categories.rules`…; null until derived for an older bug. */
  categoryReason: string | null;
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
  /** By the category of the bugs seen in range, biggest first. */
  byCategory: CountBy<Category>[];
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
  category?: Category | undefined;
  /** Bugs with at least one occurrence from this service (any time). */
  service?: string | undefined;
  /** Bugs with at least one occurrence in this environment (any time). */
  environment?: string | undefined;
  /** Bugs with at least one occurrence in this release (any time). */
  release?: string | undefined;
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

/** A bug's occurrences in one release (all time, sampled-out ones included). */
export interface ReleaseSeen {
  release: string;
  firstSeen: Date;
  lastSeen: Date;
  count: number;
}

export interface OccurrencePoint {
  /** Start of the UTC hour or day. */
  start: Date;
  count: number;
}

/** A bug's own occurrences over a range: hourly up to 7 days, daily beyond. */
export interface BugOccurrences {
  interval: "hour" | "day";
  /** The range, widened to whole UTC hours or days. */
  from: Date;
  to: Date;
  /** Every hour or day of the range, zeros included. */
  points: OccurrencePoint[];
  total: number;
}

/** One stored event in full. */
export interface EventDetail extends BugEvent {
  /** Which adapter produced it: generic, laravel, java, frontend, mobile, sentry. */
  source: string;
  urlPattern: string | null;
  /** The exception and the ones it was raised from, nearest first. */
  exception: { type: string; message: string; causes: { type: string; message?: string }[] };
  /**
   * Stack frames outermost first, the raising frame last (as stored); `inApp` decided as
   * grouping does: dependency and runtime paths are never the app's.
   */
  frames: (StackFrame & { inApp: boolean })[];
  /** The stack as the client sent it, when it came as text. */
  rawStacktrace: string | null;
  request: {
    url: string | null;
    method: string | null;
    statusCode: number | null;
    headers: Record<string, string>;
    query: unknown;
    data: unknown;
  } | null;
  tags: Record<string, string>;
  /** Sentry `contexts` (browser, os, runtime, device, trace…). */
  contexts: Record<string, unknown>;
  /** The last breadcrumbs before the error, oldest first, as the SDK sent them. */
  breadcrumbs: Record<string, unknown>[];
  /** The rest of the stored context (the sender's own `context`, `extra`, `sdk`, `_limits`…). */
  context: Record<string, unknown>;
  /** The bug's next newer and next older stored events, for paging one by one. */
  newerId: number | null;
  olderId: number | null;
}

/** One bug with everything known about it. */
export interface BugDetail extends BugListItem {
  /** The release of its first and latest occurrence that had one. */
  firstRelease: string | null;
  lastRelease: string | null;
  /** Releases it occurred in, most recent first (at most 20). */
  releases: ReleaseSeen[];
  occurrences: BugOccurrences;
  /** Its latest stored event in full; null when none is stored (retention, sampling). */
  latestEvent: EventDetail | null;
}
