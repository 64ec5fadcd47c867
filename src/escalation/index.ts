/**
 * Escalation: pure decision rules (CODEOWNERS, on-call, assignees, ladder, spikes), the scheduled
 * jobs that apply them, and the outbox handlers doing their GitHub side.
 */

export {
  type AssigneeChoice,
  type AssigneeInput,
  chooseAssignees,
  MAX_ASSIGNEES,
} from "./choose-assignees.js";
export {
  type CodeownersRule,
  codeownersPaths,
  isTeamOwner,
  isUserOwner,
  matchingRule,
  ownersFor,
  parseCodeowners,
  type SkippedCodeownersLine,
} from "./codeowners.js";
export { detectSpike, type SpikeInput, type SpikeResult, TRAILING_HOURS } from "./detect-spike.js";
export {
  type BugStatus,
  type EscalationAction,
  type EscalationBug,
  type EscalationLadder,
  type EscalationStep,
  nextEscalationDueAt,
  nextEscalationStep,
  raiseSeverity,
  type Severity,
} from "./escalation-ladder.js";
export { onCallAt, type Rotation } from "./on-call.js";
export { type FrameOwnerMatch, ownerMatchForFrame, ownersForFrame } from "./owners-for-frame.js";
export {
  type FrameLocation,
  type RepoPathOptions,
  repoPathForFrame,
} from "./repo-path-for-frame.js";
export {
  floorToHour,
  type SpikeDecision,
  type SpikeScope,
  type SpikeTrack,
  shouldNotifySpike,
  spikeKey,
} from "./spike-notification.js";
export {
  type AssignDetail,
  createEscalationHandlers,
  type EscalationHandlerDeps,
  topInAppFrame,
} from "./escalation-handlers.js";
export {
  type EscalationJobDeps,
  type EscalationRunResult,
  ladderOf,
  runEscalations,
} from "./escalation-job.js";
export { ESCALATION_KINDS, type EscalationPayload } from "./escalation-kinds.js";
export { type FetchedCodeowners, fetchCodeowners } from "./fetch-codeowners.js";
export { createScheduledJobHandlers } from "./outbox-handlers.js";
export { createSpikeHandlers, type SpikeHandlerDeps } from "./spike-handlers.js";
export {
  runSpikeDetection,
  type SpikeCommentPayload,
  type SpikeJobDeps,
  type SpikeRunResult,
} from "./spike-job.js";
export {
  commitOfRelease,
  createSuspectHandlers,
  HEAD_BLAME_TTL_MS,
  type SuspectHandlerDeps,
} from "./suspect-commit.js";
