import type { Writable } from "node:stream";
import type { Kysely } from "kysely";
import type { Env } from "../../config/index.js";
import type { Database } from "../../db/index.js";

export interface ReadCommandIo {
  now: Date;
  /** Where streamed output goes (export without --out). */
  stdout: Writable;
  /** The process settings (dsn prints the server's URLs with them); required by those that say. */
  env?: Env;
  /**
   * The command runs in a server for a CLI on the same machine (an embedded database the server
   * holds): files are the CLI's to write, so output goes to stdout.
   */
  remote?: boolean;
}

/**
 * A `faultline` command: flags are parsed (and rejected) before the database is opened; run
 * returns the text to print, or "" when it wrote its output itself.
 */
export interface ReadCommand<O> {
  usage: string;
  parse(argv: string[], now: Date): O | { help: string };
  run(db: Kysely<Database>, options: O, io: ReadCommandIo): Promise<string>;
}

/** Any command (migrate, dsn, outbox write too). */
export type Command<O> = ReadCommand<O>;
