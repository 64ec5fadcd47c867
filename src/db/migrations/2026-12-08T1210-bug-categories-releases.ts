import { type Kysely, sql } from "kysely";

/**
 * Everything about a bug in one place (issue #21):
 * - `bugs.category`: what kind of failure it is (network, timeout, database…), derived when the
 *   bug is created or set by the repository's `categories.rules`; `category_reason` says why.
 *   Bugs older than categories start as `unknown` with no reason: the `categories` job derives
 *   theirs from their stored events (src/bugs/categorise-older-bugs.ts), found by the partial
 *   index. The (project_id, category, id) index serves the lists' category filter, newest first.
 * - `bug_releases`: per bug and release, first and last seen and how many occurrences, kept by
 *   the report write like bug_hourly (sampled-out occurrences count too; retention leaves it):
 *   a bug's first and last release, and the lists' release filter as one index probe per bug.
 *   Filled here from the stored events (occurrences whose events were not stored, or are gone,
 *   are not in these first counts).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE bugs ADD COLUMN category text NOT NULL DEFAULT 'unknown'`.execute(db);
  await sql`ALTER TABLE bugs ADD COLUMN category_reason text`.execute(db);
  await sql`CREATE INDEX bugs_project_category_idx ON bugs (project_id, category, id)`.execute(db);
  await sql`CREATE INDEX bugs_uncategorised_idx ON bugs (id) WHERE category_reason IS NULL`.execute(
    db,
  );
  await sql`
    CREATE TABLE bug_releases (
      bug_id bigint NOT NULL REFERENCES bugs(id) ON DELETE CASCADE,
      project_id bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
      release text NOT NULL,
      first_seen timestamptz NOT NULL,
      last_seen timestamptz NOT NULL,
      count bigint NOT NULL,
      PRIMARY KEY (bug_id, release)
    )`.execute(db);
  await sql`
    INSERT INTO bug_releases (bug_id, project_id, release, first_seen, last_seen, count)
    SELECT bug_id, min(project_id), release, min(received_at), max(received_at), count(*)
    FROM events WHERE release IS NOT NULL
    GROUP BY bug_id, release`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE bug_releases`.execute(db);
  await sql`DROP INDEX bugs_uncategorised_idx`.execute(db);
  await sql`DROP INDEX bugs_project_category_idx`.execute(db);
  await sql`ALTER TABLE bugs DROP COLUMN category_reason`.execute(db);
  await sql`ALTER TABLE bugs DROP COLUMN category`.execute(db);
}
