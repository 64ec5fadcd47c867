import { type Kysely, sql } from "kysely";
import type { Database } from "../db/index.js";
import type { BugClassifier, ErrorEvent, Level, StackFrame } from "../grouping/index.js";
import { causesFromContext } from "./stored-event.js";

export interface CategoriseOlderBugsDeps {
  db: Kysely<Database>;
  /** The project's classifier (its `categories.rules` over the built-in derivation). */
  classifierFor: (projectId: number) => Promise<BugClassifier>;
}

export interface CategoriseOptions {
  batchSize?: number;
  /** Bounds one run; the next run goes on where it stopped. */
  maxBatches?: number;
}

interface Row {
  id: number;
  project_id: number;
  bug_type: string;
  title: string;
  error_type: string | null;
  message: string | null;
  level: string | null;
  stacktrace: unknown;
  context: unknown;
  url: string | null;
  status_code: number | null;
  environment: string | null;
  service: string | null;
}

/**
 * Gives bugs older than categories (category_reason null, migration 2026-12-08T1210) the
 * category a new bug would get, from their latest stored event (else their type and title).
 * Severity is left alone: people may have set it. Cheap when there is nothing to do (a partial
 * index finds the rows); safe to run in several replicas (only rows still without a reason
 * are written). Returns how many bugs it categorised.
 */
export async function categoriseOlderBugs(
  deps: CategoriseOlderBugsDeps,
  options: CategoriseOptions = {},
): Promise<{ categorised: number }> {
  const batchSize = options.batchSize ?? 500;
  const maxBatches = options.maxBatches ?? 20;
  let categorised = 0;
  let after = 0;
  for (let batch = 0; batch < maxBatches; batch++) {
    const result = await sql<Row>`
      SELECT b.id, b.project_id, b.error_type AS bug_type, b.title, e.error_type, e.message,
        e.level, e.stacktrace, e.context, e.url, e.status_code, e.environment, e.service
      FROM (
        SELECT id, project_id, error_type, title FROM bugs
        WHERE category_reason IS NULL AND id > ${after} ORDER BY id LIMIT ${batchSize}
      ) b
      LEFT JOIN LATERAL (
        SELECT error_type, message, level, stacktrace, context, url, status_code, environment,
          service
        FROM events WHERE events.bug_id = b.id ORDER BY received_at DESC LIMIT 1
      ) e ON true
      ORDER BY b.id`.execute(deps.db);
    const rows = result.rows;
    if (rows.length === 0) break;
    const values: { id: number; category: string; reason: string }[] = [];
    for (const row of rows) {
      const classifier = await deps.classifierFor(Number(row.project_id));
      const { category, reason } = classifier.category(storedEvent(row));
      values.push({ id: Number(row.id), category, reason });
    }
    const updated = await sql`
      UPDATE bugs SET category = v.category, category_reason = v.reason
      FROM json_to_recordset(${JSON.stringify(values)}::json)
        AS v(id bigint, category text, reason text)
      WHERE bugs.id = v.id AND bugs.category_reason IS NULL`.execute(deps.db);
    categorised += Number(updated.numAffectedRows ?? 0);
    after = Number(rows.at(-1)?.id ?? after);
    if (rows.length < batchSize) break;
  }
  return { categorised };
}

/** An ErrorEvent as far as the stored rows tell it: what classification reads. */
function storedEvent(row: Row): ErrorEvent {
  const event: ErrorEvent = {
    eventId: "",
    timestamp: new Date(0),
    level: (row.level ?? "error") as Level,
    errorType: row.error_type ?? row.bug_type,
    message: row.message ?? row.title,
    frames: Array.isArray(row.stacktrace) ? (row.stacktrace as StackFrame[]) : [],
    source: "stored",
    tags: {},
    context: {},
  };
  const causes = causesFromContext(row.context);
  if (causes.length > 0) event.causes = causes;
  if (row.url || row.status_code) {
    event.request = {
      ...(row.url ? { url: row.url } : {}),
      ...(row.status_code ? { statusCode: row.status_code } : {}),
    };
  }
  if (row.environment) event.environment = row.environment;
  if (row.service) event.service = row.service;
  return event;
}
