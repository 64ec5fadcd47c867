export { IngestError, type IngestErrorCode } from "./http-error.js";
export { createProjectAuth, keyFromHeaders, type ProjectAuth } from "./project-auth.js";
export { type ReportRoutesOptions, reportRoutes } from "./report-routes.js";
export {
  DEFAULT_SENTRY_RATE_LIMIT_PER_MINUTE,
  type SentryRoutesOptions,
  sentryRoutes,
} from "./sentry-routes.js";
export { parseReport } from "./reports/parse-report.js";
