export { type FixReferences, fixReferences } from "./fix-references.js";
export { TRIAGE_KINDS } from "./kinds.js";
export {
  type CloseResolvedPayload,
  type LinkVia,
  linkPullRequest,
  mergeResolution,
  type PullRequestCommentPayload,
  type PullRequestRef,
  resolveByChange,
} from "./link-changes.js";
export type { ScanPullRequestPayload } from "./pull-request-webhooks.js";
export { createTriageHandlers, type TriageHandlerDeps } from "./triage-handlers.js";
export { planSuspectLookups } from "./plan-suspects.js";
