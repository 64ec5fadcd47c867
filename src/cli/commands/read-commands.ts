import { bugsCommand } from "./bugs.js";
import { dsnCliCommand } from "./dsn.js";
import { exportCommand } from "./export.js";
import { migrateCommand } from "./migrate.js";
import { outboxCommand } from "./outbox.js";
import type { Command, ReadCommand } from "./read-command.js";
import { statsCommand } from "./stats.js";

/** The commands that read bugs and statistics, by name. */
// biome-ignore lint/suspicious/noExplicitAny: each command pairs its own parse and run types
export const READ_COMMANDS: Record<string, ReadCommand<any>> = {
  bugs: bugsCommand,
  stats: statsCommand,
  export: exportCommand,
};

/** Every command, by name (run-command.ts dispatches to them). */
// biome-ignore lint/suspicious/noExplicitAny: each command pairs its own parse and run types
export const COMMANDS: Record<string, Command<any>> = {
  migrate: migrateCommand,
  dsn: dsnCliCommand,
  ...READ_COMMANDS,
  outbox: outboxCommand,
};

export const READ_USAGE = `  bugs [--repo o/r] [--status s] [--severity s] [--category c] [--limit n]
                               list bugs, newest first
  stats [--repo o/r] [--since 7d]
                               summary: events, bugs, new bugs, regressions, users, MTTR…
  export [--repo o/r] --format csv|json|ndjson [--what bugs|events] [--out file]
                               stream bugs or events to stdout or a file
  outbox [--pending|--dead] [--limit n] | outbox retry|drop <id>...|--all-dead
                               GitHub work pending or stopped (dead) with its last error;
                               run it again or drop it`;
