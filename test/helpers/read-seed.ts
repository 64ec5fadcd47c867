import type { Kysely } from "kysely";
import type { Database, NewBug } from "../../src/db/index.js";
import { ensureProject } from "../../src/projects/index.js";

/** Inserts rows as ingestion would have left them, for read-side tests. */

export async function seedProject(db: Kysely<Database>, fullName: string) {
  return (await ensureProject(db, { fullName })).project;
}

let fingerprintSeq = 0;

export async function seedBug(
  db: Kysely<Database>,
  projectId: number,
  number: number,
  fields: Partial<NewBug> = {},
): Promise<number> {
  const at = fields.first_seen ?? new Date("2026-11-01T00:00:00Z");
  const row = await db
    .insertInto("bugs")
    .values({
      project_id: projectId,
      number,
      fingerprint: `fp-${++fingerprintSeq}`,
      fingerprint_version: 1,
      title: `Bug ${number}`,
      error_type: "Error",
      culprit: null,
      severity: "medium",
      first_seen: at,
      last_seen: at,
      escalation_started_at: at,
      ...fields,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function seedHourly(
  db: Kysely<Database>,
  bugId: number,
  projectId: number,
  hour: string,
  count: number,
  environment = "",
  service = "",
) {
  await db
    .insertInto("bug_hourly")
    .values({ bug_id: bugId, project_id: projectId, hour, count, environment, service })
    .execute();
}

let eventSeq = 0;

export async function seedEvent(
  db: Kysely<Database>,
  bugId: number,
  projectId: number,
  receivedAt: string,
  fields: {
    userId?: string | null;
    environment?: string | null;
    service?: string | null;
    message?: string;
  } = {},
) {
  const row = await db
    .insertInto("events")
    .values({
      project_id: projectId,
      bug_id: bugId,
      event_id: `ev-${++eventSeq}`,
      received_at: receivedAt,
      occurred_at: receivedAt,
      level: "error",
      source: "http",
      service: fields.service ?? null,
      environment: fields.environment ?? null,
      error_type: "Error",
      message: fields.message ?? "boom",
      stacktrace: "[]",
      tags: "{}",
      context: "{}",
      user_id: fields.userId ?? null,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}
