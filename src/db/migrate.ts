import { type Kysely, type MigrationResultSet, Migrator } from "kysely";
import { migrations } from "./migrations/index.js";

export class MigrationError extends Error {
  override name = "MigrationError";
}

/** Brings the schema up to date. Safe to run from several processes: Kysely takes a lock. */
export async function migrateToLatest(
  // biome-ignore lint/suspicious/noExplicitAny: migrations are typed against no schema
  db: Kysely<any>,
  /** Where Kysely keeps its bookkeeping tables; tests give each file its own schema. */
  schema?: string,
): Promise<MigrationResultSet> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  let result = await migrator.migrateToLatest();
  // Before its first migration, Kysely looks for its table with a query over every schema's
  // columns; a schema or table another session drops meanwhile makes it fail ("schema … does not
  // exist", seen with test files dropping theirs; "relation … does not exist", seen with another
  // file's migration replacing bug_daily). Nothing was applied then: try again.
  for (let attempt = 1; attempt < 5 && changedElsewhereMeanwhile(result, schema); attempt++) {
    result = await migrator.migrateToLatest();
  }
  if (result.error) {
    const failed = result.results?.find((r) => r.status === "Error")?.migrationName;
    const cause = result.error instanceof Error ? result.error.message : String(result.error);
    throw new MigrationError(`migration ${failed ?? "(unknown)"} failed: ${cause}`, {
      cause: result.error,
    });
  }
  return result;
}

/** Postgres codes of a schema (3F000) or a table (42P01) that does not exist. */
const DROPPED = new Set(["3F000", "42P01"]);

/**
 * Whether a migration run failed before applying anything because a schema or table of another
 * schema than ours vanished while Kysely listed every schema's tables.
 */
export function changedElsewhereMeanwhile(
  result: MigrationResultSet,
  ours: string | undefined,
): boolean {
  const error = result.error as { code?: string; message?: string } | undefined;
  const attempted = result.results?.some((r) => r.status !== "NotExecuted") ?? false;
  if (!error || !DROPPED.has(error.code ?? "") || attempted) return false;
  if (ours === undefined) return true;
  // Postgres quotes the name: "schema" or "schema.table".
  const message = error.message ?? "";
  return !message.includes(`"${ours}"`) && !message.includes(`"${ours}.`);
}
