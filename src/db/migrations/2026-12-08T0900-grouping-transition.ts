import { type Kysely, sql } from "kysely";

/**
 * Grouping version 2 (fingerprints of type + frames, no message) and the transition from 1:
 * - `bugs.grouping`: what the bug's fingerprint is made of (version, basis, parts), shown on the
 *   bug so that people can see why its events are together;
 * - `bug_fingerprints`: hashes a bug learnt besides its own `fingerprint`, e.g. the version-2
 *   hash of an event that found the bug by its version-1 hash during the transition;
 * - `grouping_state`: one row, the grouping version this database runs and, while a transition
 *   lasts, the previous version and when its hashes stop being looked up.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("bugs").addColumn("grouping", "jsonb").execute();
  await db.schema
    .createTable("bug_fingerprints")
    .addColumn("project_id", "bigint", (c) => c.notNull())
    .addColumn("fingerprint", "text", (c) => c.notNull())
    .addColumn("bug_id", "bigint", (c) => c.notNull().references("bugs.id").onDelete("cascade"))
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("bug_fingerprints_pkey", ["project_id", "fingerprint"])
    .execute();
  await db.schema
    .createIndex("bug_fingerprints_bug_id")
    .on("bug_fingerprints")
    .column("bug_id")
    .execute();
  await db.schema
    .createTable("grouping_state")
    .addColumn("id", "integer", (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("previous_version", "integer")
    .addColumn("transition_until", "timestamptz")
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("grouping_state").execute();
  await db.schema.dropTable("bug_fingerprints").execute();
  await db.schema.alterTable("bugs").dropColumn("grouping").execute();
}
