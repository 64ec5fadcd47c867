import type { StackFrame } from "../../grouping/error-event.js";

export type BugSeverity = "critical" | "high" | "medium" | "low";
export type BugStatus = "open" | "in_progress" | "resolved" | "wontfix" | "ignored";

/** The latest occurrence shown in an issue body. Already scrubbed when it gets here. */
export interface LatestEventView {
  message: string;
  /** Outermost first, the raising frame LAST (Sentry order), as in ErrorEvent. */
  frames: StackFrame[];
  rawStacktrace?: string;
  request?: {
    url?: string;
    method?: string;
    statusCode?: number;
    headers?: Record<string, string>;
    query?: unknown;
    data?: unknown;
  };
  environment?: string;
  release?: string;
  userId?: string;
}

/** Why a bug's events are together: its fingerprint's version, basis and parts. */
export interface GroupingView {
  version: number;
  /** stacktrace, message, request, client (the SDK's fingerprint) or rule (the repo's). */
  basis: string;
  parts: string[];
  /** The `grouping.fingerprints` rule of .github/faultline.yml, 1-based, when basis is rule. */
  rule?: number;
}

/** What the renderers need to know about a KnownBug. */
export interface IssueBugView {
  /** Per-repository bug number, shown as `B-007`. */
  number: number;
  title: string;
  errorType: string;
  culprit?: string;
  severity: BugSeverity;
  /** Kind of failure (network, timeout, database…), when known. */
  category?: string;
  status: BugStatus;
  fingerprint: string;
  occurrenceCount: number;
  firstSeen: Date;
  lastSeen: Date;
  environments: string[];
  releases: string[];
  services: string[];
  regressionCount: number;
  /** What the bug's fingerprint is made of (version, basis, parts), when known. */
  grouping?: GroupingView;
  /** Who last changed the line that raised, when GitHub's blame found it. */
  suspect?: SuspectView;
  latestEvent?: LatestEventView;
  /** Faultline's public URL, for a link to the bug page. */
  appUrl?: string;
}

/** The suspect commit: the last change to the top in-app frame's line (bugs.suspect). */
export interface SuspectView {
  path: string;
  line: number;
  /** "HEAD" (the default branch) or the release's commit sha. */
  revision: string;
  commit: {
    oid: string;
    url: string;
    headline: string;
    authorName: string | null;
    authorLogin: string | null;
  };
  pullRequest: { number: number; url: string; title: string } | null;
}
