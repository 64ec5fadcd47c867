/** Outbox kinds of pull request links, resolutions by a change, and suspect commits. */
export const TRIAGE_KINDS = {
  /** Lists a pull request's commits and links the bugs their messages fix. */
  scanPullRequest: "scan_pull_request",
  /** The one comment on a bug's issue naming a pull request that fixes it. */
  pullRequestComment: "pull_request_comment",
  /** Closes the issue of a bug a merged change resolved. */
  closeResolved: "close_resolved",
  /** Blames the top in-app frame's line and stores the suspect commit. */
  findSuspect: "find_suspect",
} as const;
