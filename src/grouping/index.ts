/**
 * Grouping: everything that turns an ErrorEvent into "which bug is this". Pure functions only;
 * other modules import this file, never the files behind it.
 */
export { culprit } from "./culprit.js";
export type * from "./error-event.js";
export { eventFrames } from "./event-frames.js";
export {
  computeFingerprint,
  defaultFingerprintParts,
  FINGERPRINT_VERSION,
  type Fingerprint,
} from "./fingerprint.js";
export { normaliseFilename } from "./frame-location.js";
export { isInAppFrame, markInApp } from "./in-app.js";
export { parseLevel, severityFromLevel } from "./level.js";
export { MAX_NORMALISED_MESSAGE, normaliseMessage } from "./normalise-message.js";
export { MAX_FRAMES, parseStackTrace } from "./parse-stack-trace.js";
export { MAX_TITLE, titleFor } from "./title.js";
export { urlPattern } from "./url-pattern.js";
