import { DEFAULT_REPO_CONFIG, SEVERITIES } from "../../config/repo-config.js";
import type { BugStatus, SeverityColumn } from "../../db/index.js";

/**
 * What an `issues.*` webhook means for the linked bug (the GitHub → Faultline direction, in the
 * style of Sentry's get_resolve_sync_action). Pure: the caller loads the bug and applies it.
 */
export type IssueSyncAction =
  | { type: "none" }
  | { type: "resolve" }
  | { type: "wontfix" }
  | { type: "reopen" }
  | { type: "in_progress" }
  | { type: "set_severity"; severity: SeverityColumn }
  | { type: "unlink" };

/** The parts of an issues webhook payload the mapping reads. */
export interface IssueEventInput {
  action: string;
  issue?: { state?: string | null; state_reason?: string | null } | null;
  label?: { name: string } | null;
}

export interface BugSyncState {
  status: BugStatus;
  severity: SeverityColumn;
}

export type SeverityLabels = Readonly<Record<SeverityColumn, string>>;

export const DEFAULT_SEVERITY_LABELS: SeverityLabels = DEFAULT_REPO_CONFIG.labels.severity;

const NONE: IssueSyncAction = { type: "none" };

/** The severity a label name stands for (case-insensitive), if any. */
export function severityFromLabel(
  name: string,
  labels: SeverityLabels = DEFAULT_SEVERITY_LABELS,
): SeverityColumn | null {
  const wanted = name.trim().toLowerCase();
  for (const severity of SEVERITIES) {
    if (labels[severity].toLowerCase() === wanted) return severity;
  }
  return null;
}

export function mapIssueEvent(
  event: IssueEventInput,
  bug: BugSyncState,
  labels: SeverityLabels = DEFAULT_SEVERITY_LABELS,
): IssueSyncAction {
  switch (event.action) {
    case "closed": {
      const reason = event.issue?.state_reason ?? null;
      if (reason === "not_planned") return bug.status === "wontfix" ? NONE : { type: "wontfix" };
      // "completed", null (older GitHub) and anything unknown count as fixed; "duplicate" too.
      return bug.status === "resolved" ? NONE : { type: "resolve" };
    }
    case "reopened":
      return bug.status === "open" || bug.status === "in_progress" ? NONE : { type: "reopen" };
    case "labeled": {
      const severity = event.label ? severityFromLabel(event.label.name, labels) : null;
      if (!severity || severity === bug.severity) return NONE;
      return { type: "set_severity", severity };
    }
    // Removing the current severity label leaves the severity as it was; other labels: nothing.
    case "unlabeled":
      return NONE;
    case "assigned":
      return bug.status === "open" ? { type: "in_progress" } : NONE;
    case "deleted":
    case "transferred":
      return { type: "unlink" };
    default:
      return NONE;
  }
}

/** Bug references closed by a commit message: `fixes B-007`, `closes B-7`, `resolves b-007`. */
export function bugRefsClosedBy(message: string): number[] {
  const found = new Set<number>();
  // `\s*:\s*` or `\s+`, never `\s*:?\s+`: two adjacent runs of spaces backtrack in O(n²)
  // (a pull request body of "fixes" and 30,000 spaces took 2 s).
  const re = /\b(?:fix(?:e[sd])?|close[sd]?|resolve[sd]?)(?:\s*:\s*|\s+)B-?(\d{1,9})\b/gi;
  for (const match of message.matchAll(re)) {
    const n = Number.parseInt(match[1] ?? "", 10);
    if (n > 0) found.add(n);
  }
  return [...found];
}
