import { bugsCommand } from "./bugs.js";
import { exportCommand } from "./export.js";
import type { ReadCommand } from "./read-command.js";
import { statsCommand } from "./stats.js";

/** The commands that read bugs and statistics, by name (main.ts dispatches to them). */
// biome-ignore lint/suspicious/noExplicitAny: each command pairs its own parse and run types
export const READ_COMMANDS: Record<string, ReadCommand<any>> = {
  bugs: bugsCommand,
  stats: statsCommand,
  export: exportCommand,
};

export const READ_USAGE = `  bugs [--repo o/r] [--status s] [--severity s] [--category c] [--limit n]
                               list bugs, newest first
  stats [--repo o/r] [--since 7d]
                               summary: occurrences, new bugs, regressions, users, MTTR…
  export [--repo o/r] --format csv|json|ndjson [--what bugs|events] [--out file]
                               stream bugs or events to stdout or a file`;
