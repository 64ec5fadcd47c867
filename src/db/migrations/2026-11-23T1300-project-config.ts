import { type Kysely, sql } from "kysely";

// A repository's .github/faultline.yml, as last read from GitHub (after `_extends`), kept in the
// database so that ingestion and the scheduler never wait for GitHub to know a repo's settings.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE projects
      ADD COLUMN config jsonb,
      ADD COLUMN config_errors jsonb,
      ADD COLUMN config_loaded_at timestamptz`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE projects
      DROP COLUMN config, DROP COLUMN config_errors, DROP COLUMN config_loaded_at`.execute(db);
}
