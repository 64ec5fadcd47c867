/**
 * Grouping: everything that turns an ErrorEvent into "which bug is this". Pure functions only;
 * other modules import this file, never the files behind it.
 */
export {
  CATEGORIES,
  type Category,
  type CategoryInput,
  type DerivedCategory,
  deriveCategory,
  isCategory,
} from "./category.js";
export {
  BUILT_IN_CLASSIFIER,
  type BugClassifier,
  type Classification,
  categoryOf,
  classifyNewBug,
} from "./classify.js";
export { culprit } from "./culprit.js";
export type * from "./error-event.js";
export { eventFrames } from "./event-frames.js";
export {
  computeFingerprint,
  computePreviousFingerprint,
  FINGERPRINT_VERSION,
  type Fingerprint,
  type FingerprintOptions,
  type GroupingBasis,
  PREVIOUS_FINGERPRINT_VERSION,
} from "./fingerprint.js";
export { normaliseFilename } from "./frame-location.js";
export {
  compileGroupingRules,
  type FingerprintRuleSettings,
  type GroupingRules,
  type GroupingSettings,
  type InAppRuleSettings,
  NO_GROUPING_RULES,
  NO_GROUPING_SETTINGS,
} from "./grouping-rules.js";
export { decideInApp, isInAppFrame, markInApp } from "./in-app.js";
export { parseLevel, severityFromLevel } from "./level.js";
export { MAX_NORMALISED_MESSAGE, normaliseMessage } from "./normalise-message.js";
export { MAX_FRAMES, parseStackTrace } from "./parse-stack-trace.js";
export { MAX_TITLE, titleFor } from "./title.js";
export { requestPath, urlPattern } from "./url-pattern.js";
export { compileWildcard, MAX_WILDCARD_PATTERN } from "./wildcard.js";
