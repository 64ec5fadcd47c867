/** Issue and comment rendering: pure functions from bug views to GitHub markdown. */
export { bugRef, parseBugRef } from "./bug-ref.js";
export {
  type EscalationInfo,
  type RegressionInfo,
  renderCommandReply,
  renderConfigErrorComment,
  renderDuplicateComment,
  renderEscalationComment,
  renderMilestoneComment,
  renderRegressionComment,
} from "./comments.js";
export {
  CONFIG_ISSUE_MARKER,
  CONFIG_ISSUE_TITLE,
  hasConfigIssueMarker,
  renderConfigFixedComment,
  renderConfigIssueBody,
} from "./config-issue.js";
export { MAX_BODY_LENGTH, renderIssueBody } from "./issue-body.js";
export {
  githubLink,
  renderPullRequestLinkComment,
  renderResolvedByChangeComment,
  type ResolvePolicy,
} from "./triage-comments.js";
export { issueMarker, parseIssueMarker } from "./issue-marker.js";
export { issueTitle, MAX_TITLE_LENGTH } from "./issue-title.js";
export { codeBlock, escapeInline, inlineCode } from "./markdown.js";
export { formatFrame, renderStack } from "./stack-trace.js";
export type {
  BugSeverity,
  BugStatus,
  GroupingView,
  IssueBugView,
  LatestEventView,
  SuspectView,
} from "./types.js";
