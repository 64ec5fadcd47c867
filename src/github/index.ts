export {
  createOutboxWorker,
  GiveUp,
  NotYet,
  type OutboxHandler,
  type OutboxHandlerContext,
  type OutboxOctokit,
  type OutboxRunEvent,
  type OutboxWorker,
  type OutboxWorkerOptions,
} from "./outbox/worker.js";
export {
  createLoadConfigHandler,
  planConfigLoad,
  planMissingConfigLoads,
} from "./config/index.js";
export { createNewBugsHandler, NEW_BUGS_KIND } from "./outbox/new-issue-cap.js";
export {
  countOutbox,
  dropOutbox,
  listOutbox,
  outboxBacklog,
  type OutboxChange,
  type OutboxCounts,
  type OutboxEntry,
  type OutboxSelection,
  type OutboxState,
  type PruneResult,
  pruneOutboxAndDeliveries,
  resumeStoppedWork,
  retryOutbox,
} from "./outbox/outbox-admin.js";
export { enqueue, OUTBOX_KINDS, planGithubEffects } from "./outbox/plan-effects.js";
export {
  appLoginOf,
  FaultlineOctokit,
  type GithubRequestObserver,
  observeGithubRequests,
} from "./octokit.js";
export {
  createLabelCache,
  createWritePacer,
  GITHUB_WRITE_LIMITS,
  type LabelCache,
  PacedOut,
  type WritePacer,
} from "./outbox/write-pacing.js";
export { commentMarker } from "./outbox/create-once.js";
export {
  type AppManifest,
  buildAppManifest,
  readAppYml,
  webhookUrl,
} from "./app-manifest.js";
export {
  createSetupHandler,
  probotStaticFile,
  type SetupHandler,
  type SetupHandlerOptions,
} from "./probot-setup.js";
export { startWebhookProxy, type WebhookProxy } from "./webhook-proxy.js";
export { registerWebhookHandlers, type WebhookDeps } from "./webhooks/index.js";
export {
  createTriageHandlers,
  fixReferences,
  planSuspectLookups,
  TRIAGE_KINDS,
  type TriageHandlerDeps,
} from "./triage/index.js";
export {
  BLAME_QUERY,
  type BlameCommit,
  type BlameResult,
  blameLine,
  fetchBlame,
  parseBlame,
} from "./blame/index.js";
