import type { ErrorEvent } from "../../grouping/index.js";
import { IngestError } from "../http-error.js";
import { parseGenericReport } from "./report-schema.js";
import { SOURCE_ADAPTERS } from "./source-adapters.js";
import { reportToErrorEvent } from "./to-error-event.js";

/** A parsed JSON body from `source`'s route -> ErrorEvent, or an IngestError naming the field. */
export function parseReport(source: string, body: unknown, receivedAt: Date): ErrorEvent {
  const adapter = Object.hasOwn(SOURCE_ADAPTERS, source) ? SOURCE_ADAPTERS[source] : undefined;
  if (!adapter) {
    const known = Object.keys(SOURCE_ADAPTERS).join(", ");
    throw new IngestError("unsupported_source", `unknown report source "${source}" (${known})`);
  }
  if (!body || typeof body !== "object" || Array.isArray(body)) {
    throw new IngestError("invalid_report", "the report must be a JSON object", "(body)");
  }
  const parsed = parseGenericReport(adapter(body as Record<string, unknown>));
  if (!parsed.ok) throw new IngestError("invalid_report", parsed.message, parsed.field);
  return reportToErrorEvent(parsed.report, source, receivedAt);
}
