import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  EXPORT_FORMATS,
  type ExportFormat,
  exportColumns,
  formatExport,
} from "../../stats/export-format.js";
import { streamBugs, streamEvents } from "../../stats/export-stream.js";
import { CliError } from "../cli-error.js";
import { oneOfFlag, parseCommandArgs, repoFlag } from "./read-args.js";
import type { ReadCommand } from "./read-command.js";
import { projectScope } from "./read-scope.js";

const USAGE = `usage: faultline export [--repo owner/repo] --format csv|json|ndjson [--what bugs|events] [--out file]
  streams every bug (default) or every stored event; json is one array, ndjson one object a line;
  without --out, writes to stdout`;

const WHATS = ["bugs", "events"] as const;

export interface ExportOptions {
  repo: string | undefined;
  format: ExportFormat;
  what: (typeof WHATS)[number];
  out: string | undefined;
}

/** `faultline export`: streamed, batch by batch, to stdout or a file. */
export const exportCommand: ReadCommand<ExportOptions> = {
  usage: USAGE,
  parse(argv) {
    const values = parseCommandArgs(
      argv,
      {
        repo: { type: "string" },
        format: { type: "string" },
        what: { type: "string" },
        out: { type: "string", short: "o" },
      },
      USAGE,
    );
    if (values.help) return { help: USAGE };
    return {
      repo: repoFlag(values.repo),
      format: oneOfFlag("format", values.format, EXPORT_FORMATS),
      what: oneOfFlag("what", values.what, WHATS, "bugs"),
      out: values.out,
    };
  },
  async run(db, options, io) {
    const projectIds = await projectScope(db, options.repo);
    let rows = 0;
    const counting = async function* <T>(batches: AsyncIterable<T[]>) {
      for await (const batch of batches) {
        rows += batch.length;
        yield batch;
      }
    };
    const chunks = () =>
      options.what === "bugs"
        ? formatExport(
            counting(streamBugs(db, { projectIds })),
            options.format,
            exportColumns("bugs", options.format),
          )
        : formatExport(
            counting(streamEvents(db, { projectIds, full: options.format !== "csv" })),
            options.format,
            exportColumns("events", options.format),
          );
    // Run by a server for a CLI: the CLI writes the file.
    if (!options.out || io.remote) {
      await pipeline(Readable.from(chunks(), { highWaterMark: 1 }), io.stdout, { end: false });
      return "";
    }
    // Write beside the target and rename at the end: a failed export leaves no partial file.
    const partial = `${options.out}.partial`;
    try {
      await pipeline(Readable.from(chunks(), { highWaterMark: 1 }), createWriteStream(partial));
      await rename(partial, options.out);
    } catch (error) {
      await rm(partial, { force: true });
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "EACCES" || code === "EISDIR" || code === "ENOTDIR") {
        throw new CliError(`--out: cannot write ${options.out} (${code})`);
      }
      throw error;
    }
    return `wrote ${rows} ${options.what} to ${options.out}`;
  },
};
