/**
 * Admission of parsed reports: inbound filters (dropped, not counted), sampling by level and rate
 * limits per bug / per project (counted, event not stored), their counts shared by the replicas
 * through Postgres. No HTTP here.
 */
export {
  type Admission,
  type AdmissionCounters,
  type AdmissionOccurrence,
  type AdmissionOptions,
  createAdmission,
  type StoreDecision,
} from "./admission.js";
export { isBrowserExtensionError } from "./browser-extensions.js";
export { eventUserAgent, isCrawlerEvent, isCrawlerUserAgent } from "./crawlers.js";
export {
  FILTER_REASONS,
  type FilterReason,
  inboundFilterReason,
  requestPath,
} from "./inbound-filters.js";
export { keepSample, sampleDraw, sampleRate } from "./sampling.js";
export { chunkFor, createSharedQuota, type QuotaKey, type SharedQuota } from "./shared-quota.js";
export { createWindowCounter, type WindowCounter } from "./window-counter.js";
