import { type Kysely, sql } from "kysely";

/**
 * Events' large values (a Sentry event's frames and contexts come to ~1.5 KB) are compressed with
 * lz4 instead of Postgres's default pglz: in bench:ingest's Sentry scenario pglz_compress was ~9%
 * of Postgres's CPU. Only the server decides whether it was built with lz4 (Debian's and the
 * official images are; embedded PGlite is not): without it the columns keep pglz.
 * Existing values are not rewritten; new ones are compressed with lz4.
 */
const COLUMNS = ["message", "stacktrace", "raw_stacktrace", "request", "tags", "context"];

async function setCompression(db: Kysely<any>, method: "lz4" | "default"): Promise<void> {
  const alters = COLUMNS.map((c) => `ALTER COLUMN ${c} SET COMPRESSION ${method}`).join(", ");
  await sql`
    DO $$
    BEGIN
      EXECUTE ${sql.lit(`ALTER TABLE events ${alters}`)};
    EXCEPTION WHEN feature_not_supported THEN
      RAISE NOTICE 'lz4 is not available: events keep pglz';
    END
    $$`.execute(db);
}

export async function up(db: Kysely<any>): Promise<void> {
  await setCompression(db, "lz4");
}

export async function down(db: Kysely<any>): Promise<void> {
  await setCompression(db, "default");
}
