import { stringify } from "csv-stringify/sync";

export type ExportFormat = "csv" | "json" | "ndjson";
export const EXPORT_FORMATS: readonly ExportFormat[] = ["csv", "json", "ndjson"];

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: "text/csv; charset=utf-8",
  json: "application/json; charset=utf-8",
  ndjson: "application/x-ndjson; charset=utf-8",
};

/**
 * Turns batches of records into text chunks, one chunk per batch, pulling the next batch only
 * when the previous chunk is consumed: wrapped in Readable.from, a slow reader slows the queries.
 *
 * - csv: RFC 4180 via csv-stringify (commas, quotes and newlines quoted), header row first even
 *   when there are no rows; dates as ISO 8601, null as an empty field.
 * - json: ONE streamed JSON array (`[` … `]`), valid JSON for any tool.
 * - ndjson: one JSON object per line.
 */
export async function* formatExport<T extends object>(
  batches: AsyncIterable<T[]>,
  format: ExportFormat,
  columns: readonly (keyof T & string)[],
): AsyncGenerator<string> {
  if (format === "csv") {
    yield stringify([], { header: true, columns: [...columns] });
    for await (const batch of batches) {
      if (batch.length === 0) continue;
      yield stringify(batch as Record<string, unknown>[], {
        columns: [...columns],
        cast: { date: (d) => d.toISOString(), boolean: (b) => String(b) },
      });
    }
    return;
  }
  // JSON forms carry the same fields as the CSV, in the same order.
  const pick = (record: T) => Object.fromEntries(columns.map((c) => [c, record[c] ?? null]));
  if (format === "ndjson") {
    for await (const batch of batches) {
      if (batch.length > 0) yield `${batch.map((r) => JSON.stringify(pick(r))).join("\n")}\n`;
    }
    return;
  }
  let first = true;
  yield "[";
  for await (const batch of batches) {
    if (batch.length === 0) continue;
    yield `${first ? "\n" : ",\n"}${batch.map((r) => JSON.stringify(pick(r))).join(",\n")}`;
    first = false;
  }
  yield first ? "]\n" : "\n]\n";
}

/** Exported columns, in order. */
export const BUG_COLUMNS = [
  "repo",
  "ref",
  "title",
  "errorType",
  "culprit",
  "severity",
  "status",
  "occurrenceCount",
  "firstSeen",
  "lastSeen",
  "resolvedAt",
  "regressionCount",
  "issueUrl",
] as const;

export const EVENT_COLUMNS = [
  "repo",
  "bugRef",
  "eventId",
  "receivedAt",
  "occurredAt",
  "level",
  "service",
  "environment",
  "release",
  "errorType",
  "message",
  "url",
  "method",
  "statusCode",
  "userId",
] as const;
