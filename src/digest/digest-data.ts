/** What a daily digest shows; stored in the `digest_update` outbox row, rendered when sent. */

export interface DigestBug {
  ref: string;
  title: string;
  severity: string;
  status: string;
  issueUrl: string | null;
  /** Occurrences inside the digest's window (from the hourly rollup). */
  windowCount: number;
  /** Occurrences since the bug was first seen. */
  total: number;
  firstSeen: string;
}

export interface DigestRegression extends DigestBug {
  regressedAt: string;
}

export interface DigestEscalation {
  ref: string;
  title: string;
  issueUrl: string | null;
  step: string;
  at: string;
}

export interface DigestData {
  /** UTC day the digest is for, `2026-11-23`. */
  day: string;
  since: string;
  until: string;
  totalEvents: number;
  newBugCount: number;
  newBugs: DigestBug[];
  topBugs: DigestBug[];
  regressionCount: number;
  regressions: DigestRegression[];
  escalationCount: number;
  escalations: DigestEscalation[];
}

export const DIGEST_LIST_LIMIT = 10;
