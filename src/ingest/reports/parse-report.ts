import type { ErrorEvent } from "../../grouping/index.js";
import { IngestError } from "../http-error.js";
import { MAX_JSON_DEPTH, exceedsJsonDepth, limitEvent } from "../limits/index.js";
import { parseGenericReport } from "./report-schema.js";
import { SOURCE_ADAPTERS } from "./source-adapters.js";
import { reportToErrorEvent } from "./to-error-event.js";

/**
 * A parsed JSON body from `source`'s route -> ErrorEvent within the hard limits, or an IngestError
 * naming the field. Throws IngestError and nothing else.
 */
export function parseReport(source: string, body: unknown, receivedAt: Date): ErrorEvent {
  const adapter = Object.hasOwn(SOURCE_ADAPTERS, source) ? SOURCE_ADAPTERS[source] : undefined;
  if (!adapter) {
    const known = Object.keys(SOURCE_ADAPTERS).join(", ");
    throw new IngestError("unsupported_source", `unknown report source "${source}" (${known})`);
  }
  if (!body || typeof body !== "object" || Array.isArray(body)) {
    throw new IngestError("invalid_report", "the report must be a JSON object", "(body)");
  }
  // Before anything walks the body: deep nesting is what overflows recursive code and Postgres'
  // own jsonb parser.
  if (exceedsJsonDepth(body, MAX_JSON_DEPTH)) {
    throw new IngestError(
      "invalid_report",
      `the report nests deeper than ${MAX_JSON_DEPTH} levels of objects/arrays`,
      "(body)",
    );
  }
  const parsed = parseGenericReport(adapter(body as Record<string, unknown>));
  if (!parsed.ok) throw new IngestError("invalid_report", parsed.message, parsed.field);
  return limitEvent(reportToErrorEvent(parsed.report, source, receivedAt));
}
