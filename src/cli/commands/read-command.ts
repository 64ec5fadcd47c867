import type { Writable } from "node:stream";
import type { Kysely } from "kysely";
import type { Database } from "../../db/index.js";

export interface ReadCommandIo {
  now: Date;
  /** Where streamed output goes (export without --out). */
  stdout: Writable;
}

/**
 * A command that reads the database: flags are parsed (and rejected) before the database is
 * opened; run returns the text to print, or "" when it wrote its output itself.
 */
export interface ReadCommand<O> {
  usage: string;
  parse(argv: string[], now: Date): O | { help: string };
  run(db: Kysely<Database>, options: O, io: ReadCommandIo): Promise<string>;
}
