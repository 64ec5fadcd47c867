import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { resolve } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { type AdminFile, readAdminFile } from "../admin/admin-file.js";
import { ADMIN_CLI_PATH } from "../admin/admin-routes.js";
import { loadDotEnv, loadEnv } from "../config/index.js";
import { EmbeddedDbBusyError, embeddedDbHolder } from "../db/index.js";
import { CliError } from "./cli-error.js";
import { COMMANDS } from "./commands/read-commands.js";
import { openDatabase } from "./open-database.js";
import { USAGE, runCommand } from "./run-command.js";
import { isUserError } from "./user-errors.js";
import { faultlineVersion } from "./version.js";

/** How long a command waits for a server that holds the database and is starting. */
const SERVER_START_WAIT_MS = 60_000;

async function main(argv: string[]): Promise<void> {
  const first = argv[0];
  if (first === "--version" || first === "-v" || first === "version") {
    console.log(`faultline ${faultlineVersion()}`);
    return;
  }
  if (first === undefined || first === "--help" || first === "-h" || first === "help") {
    console.log(USAGE);
    return;
  }
  loadDotEnv();
  const env = loadEnv();
  if (!env.DATABASE_URL) {
    // PGlite is one process at a time: while a server has it open, the command runs there.
    const dataDir = resolve(env.DATA_DIR);
    const holder = embeddedDbHolder(dataDir);
    if (holder !== undefined) return runThroughServer(argv, dataDir, holder);
  }
  const output = await runCommand(argv, {
    env,
    now: new Date(),
    stdout: process.stdout,
    openDb: () => openDatabase(env),
  });
  // "" = the command streamed its own output (faultline export to stdout).
  if (output) console.log(output);
}

/**
 * The command line goes to the server holding the embedded database (admin-routes.ts), which
 * runs it on its own connection; its output comes back as text. Flags are checked here first.
 */
async function runThroughServer(argv: string[], dataDir: string, pid: number): Promise<void> {
  const [name = "", ...rest] = argv;
  const command = COMMANDS[name];
  let out: string | undefined;
  if (command) {
    const options = command.parse(rest, new Date());
    if (options && typeof options === "object" && "help" in options) {
      console.log(options.help);
      return;
    }
    if (name === "export") out = (options as { out?: string }).out;
  }
  const admin = await waitForAdminFile(dataDir, pid);
  let answer: Response;
  try {
    answer = await fetch(`${admin.url}${ADMIN_CLI_PATH}`, {
      method: "POST",
      headers: { authorization: `Bearer ${admin.token}`, "content-type": "application/json" },
      body: JSON.stringify({ argv }),
    });
  } catch (error) {
    throw new CliError(
      `Faultline (pid ${pid}) holds the embedded database in ${dataDir} but cannot be reached at ${admin.url} (${(error as Error).cause ?? (error as Error).message})`,
    );
  }
  if (!answer.ok || !answer.body) {
    const body = (await answer.json().catch(() => ({}))) as { message?: string };
    const message = body.message ?? `HTTP ${answer.status}`;
    if (answer.status === 400) throw new CliError(message);
    if (answer.status === 401) {
      throw new CliError(
        `the server at ${admin.url} refused the token in ${dataDir} (is it another server?): ${message}`,
      );
    }
    throw new Error(`the server failed: ${message}`);
  }
  const body = Readable.fromWeb(answer.body as WebReadableStream<Uint8Array>);
  try {
    if (out === undefined) {
      await pipeline(body, process.stdout, { end: false });
      return;
    }
    // Write beside the target and rename at the end: a failed export leaves no partial file.
    const partial = `${out}.partial`;
    try {
      await pipeline(body, createWriteStream(partial));
      await rename(partial, out);
    } catch (error) {
      await rm(partial, { force: true });
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "EACCES" || code === "EISDIR" || code === "ENOTDIR") {
        throw new CliError(`--out: cannot write ${out} (${code})`);
      }
      throw error;
    }
    console.log(`wrote ${out}`);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new Error(`the output was cut short: ${(error as Error).message}; see the server's log`);
  }
}

/**
 * Where the server `pid` listens, from its admin file, waiting while it starts. No file (or
 * another's): not a server that takes commands (an older one, or another command), so busy.
 */
async function waitForAdminFile(dataDir: string, pid: number): Promise<AdminFile> {
  const deadline = Date.now() + SERVER_START_WAIT_MS;
  let warned = false;
  for (;;) {
    const admin = readAdminFile(dataDir);
    if (!admin || admin.pid !== pid || embeddedDbHolder(dataDir) !== pid) {
      throw new EmbeddedDbBusyError(dataDir, pid);
    }
    if (admin.url) return admin;
    if (Date.now() >= deadline) {
      throw new CliError(
        `Faultline (pid ${pid}) holds the embedded database in ${dataDir} but has not started listening in ${SERVER_START_WAIT_MS / 1000} s: see its log`,
      );
    }
    if (!warned) {
      console.error(`faultline: waiting for Faultline (pid ${pid}) to finish starting…`);
      warned = true;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const known = isUserError(error);
  console.error(
    `faultline: ${known ? (error as Error).message : String((error as Error)?.stack ?? error)}`,
  );
  process.exitCode = known ? 2 : 1;
});
