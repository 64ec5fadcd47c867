/** Sentry protocol, pure half: headers, envelopes and event payloads -> ErrorEvent. No HTTP here. */
export { parseSentryAuth, type SentryAuth } from "./auth.js";
export { type DsnKey, dsnKeyFromEnvelopeHeader } from "./dsn.js";
export {
  type Envelope,
  type EnvelopeHeader,
  type EnvelopeItem,
  MAX_ENVELOPE_ITEMS,
  parseEnvelope,
} from "./envelope.js";
export { EnvelopeError, SentryEventError, type SentryIngestErrorCode } from "./errors.js";
export { MESSAGE_ERROR_TYPE, mapSentryEvent, UNTYPED_ERROR_TYPE } from "./event-mapper.js";
export { type ExtractedEvents, extractEvents } from "./extract-events.js";
export { MAX_FRAMES } from "./frames.js";
export { decodeStoreBody, type StoreBody } from "./store-body.js";
export { formatRateLimitHeaders, type SentryRateLimitHeaders } from "./rate-limit-headers.js";
