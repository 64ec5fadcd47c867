/** Errors an ingestion route answers with a 4xx and a JSON reason; anything else is a 500. */
export type IngestErrorCode =
  | "missing_key"
  | "invalid_key"
  | "project_suspended"
  | "invalid_json"
  | "invalid_report"
  | "unsupported_source"
  | "payload_too_large"
  | "unsupported_media_type"
  | "unsupported_encoding"
  | "invalid_encoding"
  | "rate_limited";

const STATUS: Record<IngestErrorCode, number> = {
  missing_key: 401,
  invalid_key: 401,
  project_suspended: 403,
  invalid_json: 400,
  invalid_report: 400,
  unsupported_source: 404,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unsupported_encoding: 415,
  invalid_encoding: 400,
  rate_limited: 429,
};

export class IngestError extends Error {
  override name = "IngestError";
  readonly statusCode: number;
  constructor(
    readonly code: IngestErrorCode,
    message: string,
    /** The report field at fault, when there is one (`status_code`, `tags.release`). */
    readonly field?: string,
  ) {
    super(message);
    this.statusCode = STATUS[code];
  }

  toJSON() {
    return {
      error: this.code,
      message: this.message,
      ...(this.field ? { field: this.field } : {}),
    };
  }
}
