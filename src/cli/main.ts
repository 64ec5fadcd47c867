import { parseArgs } from "node:util";
import { EnvError, loadDotEnv, loadEnv } from "../config/index.js";
import { EmbeddedDbBusyError, MigrationError, migrateToLatest } from "../db/index.js";
import { ProjectNameError } from "../projects/index.js";
import { CliError } from "./cli-error.js";
import { dsnCommand } from "./commands/dsn.js";
import { READ_COMMANDS, READ_USAGE } from "./commands/read-commands.js";
import { openDatabase } from "./open-database.js";

const USAGE = `usage: faultline <command> [options]

commands:
  migrate                      bring the database schema up to date
  dsn <owner/repo> [--rotate] [--rotate-read-key]
                               create or show a project's ingest key, report URL and Sentry DSN;
                               --rotate issues a new ingest key (the old one works for
                               KEY_ROTATION_GRACE_HOURS more); --rotate-read-key issues a new
                               read key (the old one stops working at once)
${READ_USAGE}

The database is DATABASE_URL, or the embedded one in DATA_DIR (default ./.data).`;

async function run(argv: string[]): Promise<string> {
  const readCommand = argv[0] ? READ_COMMANDS[argv[0]] : undefined;
  if (readCommand) return runReadCommand(readCommand, argv.slice(1));
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      rotate: { type: "boolean", default: false },
      "rotate-read-key": { type: "boolean", default: false },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) return USAGE;
  loadDotEnv();
  const env = loadEnv();
  switch (command) {
    case "migrate": {
      const handle = await openDatabase(env);
      try {
        const result = await migrateToLatest(handle.db);
        const applied = result.results?.filter((r) => r.status === "Success") ?? [];
        return applied.length
          ? `applied ${applied.length} migration(s): ${applied.map((r) => r.migrationName).join(", ")}`
          : "database schema is up to date";
      } finally {
        await handle.close();
      }
    }
    case "dsn": {
      const fullName = rest[0];
      if (!fullName || rest.length > 1)
        throw new CliError("usage: faultline dsn <owner/repo> [--rotate] [--rotate-read-key]");
      const handle = await openDatabase(env);
      try {
        return await dsnCommand(handle.db, {
          fullName,
          rotate: values.rotate ?? false,
          rotateReadKey: values["rotate-read-key"] ?? false,
          publicUrl: env.publicUrl,
          graceHours: env.KEY_ROTATION_GRACE_HOURS,
          now: new Date(),
        });
      } finally {
        await handle.close();
      }
    }
    default:
      throw new CliError(`unknown command "${command}"\n\n${USAGE}`);
  }
}

/** bugs, stats, export: each parses its own flags (before the database is opened). */
async function runReadCommand(
  command: (typeof READ_COMMANDS)[string] & {},
  argv: string[],
): Promise<string> {
  const now = new Date();
  const options = command.parse(argv, now);
  if (options && typeof options === "object" && "help" in options) return options.help;
  loadDotEnv();
  const handle = await openDatabase(loadEnv());
  try {
    return await command.run(handle.db, options, { now, stdout: process.stdout });
  } finally {
    await handle.close();
  }
}

const USER_ERRORS = [CliError, EnvError, EmbeddedDbBusyError, ProjectNameError, MigrationError];

run(process.argv.slice(2)).then(
  (output) => {
    // "" = the command streamed its own output (faultline export to stdout).
    if (output) console.log(output);
  },
  (error: unknown) => {
    const known =
      USER_ERRORS.some((E) => error instanceof E) ||
      (error instanceof TypeError &&
        "code" in error &&
        String(error.code).startsWith("ERR_PARSE_ARGS"));
    console.error(
      `faultline: ${known ? (error as Error).message : String((error as Error)?.stack ?? error)}`,
    );
    process.exitCode = known ? 2 : 1;
  },
);
