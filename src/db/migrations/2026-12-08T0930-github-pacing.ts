import { type Kysely, sql } from "kysely";

/**
 * Content-creating GitHub requests per installation, shared by every replica, to keep under
 * GitHub's documented secondary limits (80 a minute, 500 an hour): `github_pacing` holds when the
 * next request may go (its row is the lock), `github_write_slots` the times of the last hour's.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE github_pacing (
      installation_id bigint PRIMARY KEY,
      next_at timestamptz NOT NULL
    )`.execute(db);
  await sql`
    CREATE TABLE github_write_slots (
      installation_id bigint NOT NULL,
      at timestamptz NOT NULL
    )`.execute(db);
  await sql`
    CREATE INDEX github_write_slots_idx ON github_write_slots (installation_id, at DESC)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS github_write_slots`.execute(db);
  await sql`DROP TABLE IF EXISTS github_pacing`.execute(db);
}
