export { IngestError, type IngestErrorCode } from "./http-error.js";
export { createProjectAuth, keyFromHeaders, type ProjectAuth } from "./project-auth.js";
export {
  DEFAULT_REPORT_RATE_LIMIT_PER_MINUTE,
  type ReportRoutesOptions,
  reportRoutes,
} from "./report-routes.js";
export {
  DEFAULT_SENTRY_RATE_LIMIT_PER_MINUTE,
  type SentryRoutesOptions,
  sentryRoutes,
} from "./sentry-routes.js";
export { parseReport } from "./reports/parse-report.js";
export {
  type Admission,
  type AdmissionCounters,
  createAdmission,
  FILTER_REASONS,
  type FilterReason,
} from "./admission/index.js";
export { EVENT_LIMITS, MAX_JSON_DEPTH } from "./limits/index.js";
