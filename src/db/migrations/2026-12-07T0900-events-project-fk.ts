import { type Kysely, sql } from "kysely";

/**
 * Events and hourly rollups lose their foreign key to projects; the one to bugs stays. Each
 * inserted row paid a referential check for it (2-10 µs of Postgres time per row, measured on
 * 20,000 events) and a KEY SHARE lock on the project row, which concurrent ingest transactions
 * share: a MultiXact each time (MultiXact SLRU accesses in a bench:ingest (b) run: 4,389 -> 24).
 * It guarded nothing the bug's key does not: a row's project is its bug's project, and deleting a
 * project still deletes them, through bugs.
 */
const TABLES = ["events", "bug_hourly"];

export async function up(db: Kysely<any>): Promise<void> {
  for (const table of TABLES) {
    await sql`ALTER TABLE ${sql.table(table)} DROP CONSTRAINT ${sql.id(`${table}_project_id_fkey`)}`.execute(
      db,
    );
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of TABLES) {
    await sql`
      ALTER TABLE ${sql.table(table)} ADD CONSTRAINT ${sql.id(`${table}_project_id_fkey`)}
        FOREIGN KEY (project_id) REFERENCES projects(id) ON DELETE CASCADE`.execute(db);
  }
}
