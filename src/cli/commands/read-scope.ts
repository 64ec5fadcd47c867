import type { Kysely } from "kysely";
import type { Database } from "../../db/index.js";
import { findProjectByName } from "../../projects/index.js";
import { CliError } from "../cli-error.js";

/**
 * The projects a read command covers: the one named by --repo, or all of them (the CLI runs
 * with the database's own rights, like the admin token).
 */
export async function projectScope(
  db: Kysely<Database>,
  repo: string | undefined,
): Promise<number[]> {
  if (repo !== undefined) {
    const project = await findProjectByName(db, repo);
    if (!project) throw new CliError(`no project for ${repo}: run 'faultline dsn ${repo}' first`);
    return [project.id];
  }
  const rows = await db.selectFrom("projects").select("id").orderBy("id").execute();
  return rows.map((r) => r.id);
}
