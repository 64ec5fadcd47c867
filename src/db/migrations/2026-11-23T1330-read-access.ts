import { type Kysely, sql } from "kysely";

// Read access (stats API, lists, export). Migrations never import app code.

export async function up(db: Kysely<any>): Promise<void> {
  // Per-project read key, generated on demand (`faultline dsn`). Separate from the ingest key:
  // a key shipped inside client applications must never read the project's data.
  await sql`ALTER TABLE projects ADD COLUMN read_key text UNIQUE`.execute(db);
  // Affected users = distinct user_id over a project's events in a range, optionally for one
  // environment/service: carrying those columns in the (project_id, received_at) index makes it
  // an index-only scan (several times faster on 1M events). Events are insert-only, so the wider
  // entries cost no HOT updates. Replaced under the same name: still one index on these keys.
  await sql`DROP INDEX IF EXISTS events_project_received_idx`.execute(db);
  await sql`
    CREATE INDEX events_project_received_idx ON events (project_id, received_at)
      INCLUDE (user_id, environment, service)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS events_project_received_idx`.execute(db);
  await sql`CREATE INDEX events_project_received_idx ON events (project_id, received_at)`.execute(
    db,
  );
  await sql`ALTER TABLE projects DROP COLUMN IF EXISTS read_key`.execute(db);
}
