import { stringify } from "csv-stringify/sync";

export type ExportFormat = "csv" | "json" | "ndjson";
export const EXPORT_FORMATS: readonly ExportFormat[] = ["csv", "json", "ndjson"];

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: "text/csv; charset=utf-8",
  json: "application/json; charset=utf-8",
  ndjson: "application/x-ndjson; charset=utf-8",
};

/**
 * Characters that make a spreadsheet read a cell as a formula (OWASP "CSV Injection"): `=`, `+`,
 * `-`, `@`, tab and carriage return, and their full-width forms, which some spreadsheets fold.
 * Bug titles, messages and tags come from whoever holds an ingest key.
 */
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

/** OWASP's escape: such a cell gets a leading `'` and is quoted (text, never a formula). */
export function escapeCsvCell(value: string): string | { value: string; quoted: true } {
  return FORMULA_START.test(value) ? { value: `'${value}`, quoted: true } : value;
}

/**
 * Turns batches of records into text chunks, one chunk per batch, pulling the next batch only
 * when the previous chunk is consumed: wrapped in Readable.from, a slow reader slows the queries.
 *
 * - csv: RFC 4180 via csv-stringify (commas, quotes and newlines quoted), header row first even
 *   when there are no rows; dates as ISO 8601, null as an empty field; a text cell that a
 *   spreadsheet would run as a formula starts with `'` (escapeCsvCell).
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
        cast: { date: (d) => d.toISOString(), boolean: (b) => String(b), string: escapeCsvCell },
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

/** Exported columns, in order: CSV keeps these flat ones. */
export const BUG_COLUMNS = [
  "repo",
  "ref",
  "title",
  "errorType",
  "culprit",
  "severity",
  "category",
  "status",
  "occurrenceCount",
  "firstSeen",
  "lastSeen",
  "resolvedAt",
  "regressionCount",
  "firstRelease",
  "lastRelease",
  "issueUrl",
] as const;

/** JSON and NDJSON: the flat columns, then what does not fit a cell. */
export const BUG_JSON_COLUMNS = [...BUG_COLUMNS, "categoryReason", "grouping"] as const;

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

/** JSON and NDJSON: the whole event, as GET /api/bugs/:ref/events/:id shows it. */
export const EVENT_JSON_COLUMNS = [
  ...EVENT_COLUMNS,
  "source",
  "urlPattern",
  "exception",
  "frames",
  "rawStacktrace",
  "request",
  "tags",
  "contexts",
  "breadcrumbs",
  "context",
] as const;

type BugColumn = (typeof BUG_JSON_COLUMNS)[number];
type EventColumn = (typeof EVENT_JSON_COLUMNS)[number];

/** The columns of an export: flat ones for CSV, everything for the JSON forms. */
export function exportColumns(what: "bugs", format: ExportFormat): readonly BugColumn[];
export function exportColumns(what: "events", format: ExportFormat): readonly EventColumn[];
export function exportColumns(
  what: "bugs" | "events",
  format: ExportFormat,
): readonly (BugColumn | EventColumn)[] {
  if (what === "bugs") return format === "csv" ? BUG_COLUMNS : BUG_JSON_COLUMNS;
  return format === "csv" ? EVENT_COLUMNS : EVENT_JSON_COLUMNS;
}
