import type { Kysely } from "kysely";
import type { BugRow, Database } from "../db/index.js";
import { type BugStatus, type KnownBug, bugRef } from "./known-bug.js";

export function toKnownBug(row: BugRow): KnownBug {
  return {
    id: row.id,
    projectId: row.project_id,
    number: row.number,
    ref: bugRef(row.number),
    fingerprint: row.fingerprint,
    fingerprintVersion: row.fingerprint_version,
    title: row.title,
    errorType: row.error_type,
    culprit: row.culprit,
    severity: row.severity,
    status: row.status,
    occurrenceCount: row.occurrence_count,
    firstSeen: row.first_seen,
    lastSeen: row.last_seen,
    resolvedAt: row.resolved_at,
    resolvedInRelease: row.resolved_in_release,
    resolvedBy: row.resolved_by,
    regressionCount: row.regression_count,
    countSinceResolved: row.count_since_resolved,
    issueNumber: row.issue_number,
    issueUrl: row.issue_url,
    escalationLevel: row.escalation_level,
    lastEscalatedAt: row.last_escalated_at,
    escalationStartedAt: row.escalation_started_at,
    lastNotifiedCount: row.last_notified_count,
    mergedIntoId: row.merged_into_id,
  };
}

export async function findBugById(db: Kysely<Database>, id: number): Promise<KnownBug | undefined> {
  const row = await db.selectFrom("bugs").selectAll().where("id", "=", id).executeTakeFirst();
  return row && toKnownBug(row);
}

export async function findBugByNumber(
  db: Kysely<Database>,
  projectId: number,
  number: number,
): Promise<KnownBug | undefined> {
  const row = await db
    .selectFrom("bugs")
    .selectAll()
    .where("project_id", "=", projectId)
    .where("number", "=", number)
    .executeTakeFirst();
  return row && toKnownBug(row);
}

export async function findBugByIssue(
  db: Kysely<Database>,
  projectId: number,
  issueNumber: number,
): Promise<KnownBug | undefined> {
  const row = await db
    .selectFrom("bugs")
    .selectAll()
    .where("project_id", "=", projectId)
    .where("issue_number", "=", issueNumber)
    .executeTakeFirst();
  return row && toKnownBug(row);
}

export interface ListBugsFilter {
  status?: BugStatus[];
  limit?: number;
}

export async function listBugs(
  db: Kysely<Database>,
  projectId: number,
  filter: ListBugsFilter = {},
): Promise<KnownBug[]> {
  let query = db.selectFrom("bugs").selectAll().where("project_id", "=", projectId);
  if (filter.status?.length) query = query.where("status", "in", filter.status);
  const rows = await query
    .orderBy("number", "asc")
    .limit(filter.limit ?? 1000)
    .execute();
  return rows.map(toKnownBug);
}
