/** Hard limits on untrusted reports: nesting depth, text lengths, frames, tags, context size. */
export {
  EVENT_LIMITS,
  LIMITS_CONTEXT_KEY,
  type LimitNotes,
  limitEvent,
  storableText,
} from "./event-limits.js";
export { exceedsJsonDepth, MAX_JSON_DEPTH } from "./json-depth.js";
export { truncateText, truncationMarker } from "./truncate.js";
