/**
 * Admission of parsed reports: inbound filters (dropped, not counted), sampling by level and rate
 * limits per bug / per project (counted, event not stored). Per process; no HTTP here.
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
export { createWindowCounter, type WindowCounter } from "./window-counter.js";
