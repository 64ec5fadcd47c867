import { type Kysely, sql } from "kysely";

// The issue that shows a repository the errors of its .github/faultline.yml: one per project,
// recorded so that a second error report edits it instead of opening another.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE projects ADD COLUMN config_issue_number integer`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE projects DROP COLUMN config_issue_number`.execute(db);
}
