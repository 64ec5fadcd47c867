import { type Kysely, sql } from "kysely";

// Sessions of the /dashboard (GitHub sign-in). Migrations never import app code.
export async function up(db: Kysely<any>): Promise<void> {
  // The cookie holds a random token; only its SHA-256 is stored, so a copy of this table does not
  // hand out live sessions. project_ids: the projects the user could read at sign-in.
  await sql`
    CREATE TABLE dashboard_sessions (
      token_hash text PRIMARY KEY,
      github_login text NOT NULL,
      github_user_id bigint NOT NULL,
      project_ids jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX dashboard_sessions_expires_idx ON dashboard_sessions (expires_at)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS dashboard_sessions`.execute(db);
}
