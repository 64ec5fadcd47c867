import { type Kysely, sql } from "kysely";

/**
 * GitHub-native triage (issue #23):
 * - `releases`: every release a project reported, with its first-seen order (`id`) and, when it
 *   parses as semver, a key whose bytewise order ("C" collation) is semver precedence. Bugs
 *   resolved "in the next release" or "in 2.4.2" compare an event's release with them.
 * - `bugs.resolved_release_mode` ('next' | 'in' | null): how a resolution treats later events;
 *   `resolved_release_key` (semver key of the threshold) and `resolved_release_seq` (for 'next':
 *   the newest release id when it was resolved) hold the threshold.
 * - `bugs.resolved_commit`: the merge commit (or pushed commit) that resolved the bug.
 * - `bugs.suspect`: the commit that last changed the top in-app frame's line (GraphQL blame).
 * - `bug_pull_requests`: pull requests that say they fix a bug.
 * - `blame_cache`: blame results per repository file and revision.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("releases")
    .addColumn("id", "bigserial", (c) => c.primaryKey())
    .addColumn("project_id", "bigint", (c) =>
      c.notNull().references("projects.id").onDelete("cascade"),
    )
    .addColumn("version", "text", (c) => c.notNull())
    .addColumn("semver_key", "text")
    .addColumn("first_seen_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint("releases_project_version_key", ["project_id", "version"])
    .execute();

  await db.schema
    .alterTable("bugs")
    .addColumn("resolved_release_mode", "text", (c) =>
      c.check(sql`resolved_release_mode IN ('next','in')`),
    )
    .addColumn("resolved_release_key", "text")
    .addColumn("resolved_release_seq", "bigint")
    .addColumn("resolved_commit", "text")
    .addColumn("suspect", "jsonb")
    .execute();

  await db.schema
    .createTable("bug_pull_requests")
    .addColumn("bug_id", "bigint", (c) => c.notNull().references("bugs.id").onDelete("cascade"))
    .addColumn("project_id", "bigint", (c) =>
      c.notNull().references("projects.id").onDelete("cascade"),
    )
    .addColumn("number", "integer", (c) => c.notNull())
    .addColumn("url", "text", (c) => c.notNull())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("state", "text", (c) => c.notNull().check(sql`state IN ('open','closed','merged')`))
    .addColumn("via", "text", (c) => c.notNull())
    .addColumn("merge_commit_sha", "text")
    .addColumn("linked_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("bug_pull_requests_pkey", ["bug_id", "number"])
    .execute();
  await db.schema
    .createIndex("bug_pull_requests_pr")
    .on("bug_pull_requests")
    .columns(["project_id", "number"])
    .execute();

  await db.schema
    .createTable("blame_cache")
    .addColumn("project_id", "bigint", (c) =>
      c.notNull().references("projects.id").onDelete("cascade"),
    )
    .addColumn("revision", "text", (c) => c.notNull())
    .addColumn("path", "text", (c) => c.notNull())
    .addColumn("result", "jsonb", (c) => c.notNull())
    .addColumn("fetched_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("blame_cache_pkey", ["project_id", "revision", "path"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("blame_cache").execute();
  await db.schema.dropTable("bug_pull_requests").execute();
  await db.schema
    .alterTable("bugs")
    .dropColumn("resolved_release_mode")
    .dropColumn("resolved_release_key")
    .dropColumn("resolved_release_seq")
    .dropColumn("resolved_commit")
    .dropColumn("suspect")
    .execute();
  await db.schema.dropTable("releases").execute();
}
