/**
 * The only errors this folder throws. Routes map them to a 400 with `reason` in the body, so the
 * reason must be short, human-readable and safe to show to whoever sent the request.
 */

export type SentryIngestErrorCode = "invalid_envelope" | "invalid_event";

export class EnvelopeError extends Error {
  readonly code: SentryIngestErrorCode = "invalid_envelope";
  constructor(readonly reason: string) {
    super(`invalid Sentry envelope: ${reason}`);
    this.name = "EnvelopeError";
  }
}

export class SentryEventError extends Error {
  readonly code: SentryIngestErrorCode = "invalid_event";
  constructor(readonly reason: string) {
    super(`invalid Sentry event: ${reason}`);
    this.name = "SentryEventError";
  }
}
