export {
  type BugSyncState,
  bugRefsClosedBy,
  DEFAULT_SEVERITY_LABELS,
  type IssueEventInput,
  type IssueSyncAction,
  mapIssueEvent,
  type SeverityLabels,
  severityFromLabel,
} from "./map-issue-event.js";
export { claimDelivery, registerWebhookHandlers, type WebhookDeps } from "./register-webhooks.js";
export {
  parseSlashCommand,
  SLASH_COMMAND_HELP,
  type SlashCommand,
  type SlashCommandResult,
} from "./slash-commands.js";
