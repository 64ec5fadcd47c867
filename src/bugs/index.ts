export {
  findBugById,
  findBugByIssue,
  findBugByNumber,
  type ListBugsFilter,
  listBugs,
  toKnownBug,
} from "./bug-repository.js";
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
  DuplicateEventRace,
  type Occurrence,
  type OccurrenceOutcome,
  recordOccurrence,
} from "./record-occurrence.js";
export {
  createReportService,
  groupEvent,
  type OccurrenceEffect,
  type ReportResult,
  type ReportService,
  type ReportServiceDeps,
  toReportResult,
} from "./report-service.js";
