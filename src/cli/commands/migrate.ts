import { migrateToLatest } from "../../db/index.js";
import { parseCommandArgs } from "./read-args.js";
import type { Command } from "./read-command.js";

const USAGE = "usage: faultline migrate\n  brings the database schema up to date";

/** `faultline migrate`. (The server migrates at start too.) */
export const migrateCommand: Command<{ migrate: true }> = {
  usage: USAGE,
  parse(argv) {
    const values = parseCommandArgs(argv, {}, USAGE);
    if (values.help) return { help: USAGE };
    return { migrate: true };
  },
  async run(db) {
    const result = await migrateToLatest(db);
    const applied = result.results?.filter((r) => r.status === "Success") ?? [];
    return applied.length
      ? `applied ${applied.length} migration(s): ${applied.map((r) => r.migrationName).join(", ")}`
      : "database schema is up to date";
  },
};
