/**
 * Removes PII and secrets from events before anything is stored or sent to GitHub. Pure: no I/O,
 * and the input event is never mutated.
 */
export { FILTERED, FILTERED_CIRCULAR, FILTERED_TOO_DEEP } from "./filtered.js";
export {
  createProjectScrubbers,
  type ProjectScrubbers,
  type ScrubSettings,
} from "./project-scrubbers.js";
export { ScrubConfigError } from "./scrub-config-error.js";
export { createScrubber, MAX_DEPTH, type Scrubber, type ScrubOptions } from "./scrubber.js";
export { DEFAULT_SENSITIVE_KEYS } from "./sensitive-keys.js";
