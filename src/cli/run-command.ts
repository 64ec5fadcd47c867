import type { Writable } from "node:stream";
import type { Kysely } from "kysely";
import type { Env } from "../config/index.js";
import type { Database } from "../db/index.js";
import { CliError } from "./cli-error.js";
import { COMMANDS, READ_USAGE } from "./commands/read-commands.js";

export const USAGE = `usage: faultline <command> [options]

commands:
  migrate                      bring the database schema up to date
  dsn <owner/repo> [--rotate] [--rotate-read-key]
                               create or show a project's ingest key, report URL and Sentry DSN;
                               --rotate issues a new ingest key (the old one works for
                               KEY_ROTATION_GRACE_HOURS more); --rotate-read-key issues a new
                               read key (the old one stops working at once)
${READ_USAGE}

  --version                    print Faultline's version

The database is DATABASE_URL, or the embedded one in DATA_DIR (default ./.data). While a
Faultline server has the embedded database open, commands run through that server.`;

export interface CommandContext {
  env: Env;
  now: Date;
  stdout: Writable;
  /** Opens the database for one command (the CLI's own, or the running server's). */
  openDb(): Promise<{ db: Kysely<Database>; close(): Promise<void> }>;
  /** Run inside a server for a CLI: files are the CLI's to write. */
  remote?: boolean;
}

/**
 * Runs one `faultline` command line: flags are checked before the database is opened. Returns
 * the text to print ("" when the command streamed its output to ctx.stdout).
 */
export async function runCommand(argv: readonly string[], ctx: CommandContext): Promise<string> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") return USAGE;
  const command = COMMANDS[name];
  if (!command) throw new CliError(`unknown command "${name}"\n\n${USAGE}`);
  const options = command.parse(rest, ctx.now);
  if (options && typeof options === "object" && "help" in options) return options.help;
  const handle = await ctx.openDb();
  try {
    return await command.run(handle.db, options, {
      now: ctx.now,
      stdout: ctx.stdout,
      env: ctx.env,
      ...(ctx.remote ? { remote: true } : {}),
    });
  } finally {
    await handle.close();
  }
}
