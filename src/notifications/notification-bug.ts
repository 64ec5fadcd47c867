import type { Kysely } from "kysely";
import { bugRef } from "../bugs/index.js";
import type { Database } from "../db/schema.js";

/** The bug as a notification shows it, read when the message is sent (current status, count). */
export interface NotificationBug {
  ref: string;
  title: string;
  severity: string;
  status: string;
  occurrences: number;
  issue_url: string | null;
}

export async function readNotificationBug(
  db: Kysely<Database>,
  bugId: number,
): Promise<NotificationBug | null> {
  const row = await db
    .selectFrom("bugs")
    .select(["number", "title", "severity", "status", "occurrence_count", "issue_url"])
    .where("id", "=", bugId)
    .executeTakeFirst();
  if (!row) return null;
  return {
    ref: bugRef(row.number),
    title: row.title,
    severity: row.severity,
    status: row.status,
    occurrences: row.occurrence_count,
    issue_url: row.issue_url,
  };
}
