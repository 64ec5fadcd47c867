export {
  findBugById,
  findBugByIssue,
  findBugByNumber,
  type ListBugsFilter,
  listBugs,
  toKnownBug,
} from "./bug-repository.js";
export {
  type CategoriseOlderBugsDeps,
  type CategoriseOptions,
  categoriseOlderBugs,
} from "./categorise-older-bugs.js";
export { causesFromContext } from "./stored-event.js";
export { type BugStatus, bugRef, isUnresolved, type KnownBug, parseBugRef } from "./known-bug.js";
export {
  createGroupCommitter,
  type GroupCommitter,
  type GroupCommitterOptions,
  StoreUnavailableError,
} from "./group-committer.js";
export { insertOutboxRows, OutboxPlan, type PlannedOutboxRow } from "./outbox-plan.js";
export { type BatchOutcome, recordOccurrences } from "./record-batch.js";
export {
  DEFAULT_TRANSITION_DAYS,
  type GroupingTransition,
  loadGroupingTransition,
} from "./grouping-transition.js";
export {
  DuplicateEventRace,
  type Occurrence,
  type OccurrenceOutcome,
} from "./record-occurrence.js";
export {
  createReportService,
  type GroupOptions,
  groupEvent,
  type OccurrenceEffect,
  type ReportResult,
  type ReportService,
  type ReportServiceDeps,
  toReportResult,
} from "./report-service.js";
export {
  type KnownRelease,
  type ReleaseThreshold,
  releaseRegresses,
  semverKey,
} from "./release-order.js";
export {
  NO_RELEASE_THRESHOLD,
  newestReleases,
  type Resolution,
  resolutionValues,
  resolveBugs,
} from "./resolution.js";
