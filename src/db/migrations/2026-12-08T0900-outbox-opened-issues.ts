import { type Kysely, sql } from "kysely";

/**
 * The hourly cap on new issues per repository counts the open_issue rows a project finished in
 * the last hour: an index over just those, so the count reads a few entries, not the outbox.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX outbox_opened_issues_idx ON outbox (project_id, done_at)
    WHERE kind = 'open_issue' AND done_at IS NOT NULL`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX outbox_opened_issues_idx`.execute(db);
}
