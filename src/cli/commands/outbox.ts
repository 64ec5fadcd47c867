import {
  type OutboxEntry,
  countOutbox,
  dropOutbox,
  listOutbox,
  retryOutbox,
} from "../../github/index.js";
import { CliError } from "../cli-error.js";
import { formatTable, formatUtc } from "./bugs.js";
import { limitFlag, parseCommandLine } from "./read-args.js";
import type { Command } from "./read-command.js";

const USAGE = `usage: faultline outbox [--pending | --dead] [--limit 50]
       faultline outbox retry <id>... | --all-dead
       faultline outbox drop <id>... | --all-dead
  lists the GitHub and notification work not done yet (pending) and the work that stopped for
  good (dead), with its last error; retry runs rows again now (a dead one with its attempts
  reset), drop deletes them`;

export type OutboxOptions =
  | { action: "list"; state: "pending" | "dead" | undefined; limit: number }
  | { action: "retry" | "drop"; ids: number[]; allDead: boolean };

/** `faultline outbox`: see and unblock the queue of GitHub work. */
export const outboxCommand: Command<OutboxOptions> = {
  usage: USAGE,
  parse(argv) {
    const { values, positionals } = parseCommandLine(
      argv,
      {
        pending: { type: "boolean" },
        dead: { type: "boolean" },
        limit: { type: "string" },
        "all-dead": { type: "boolean" },
      },
      USAGE,
      Number.MAX_SAFE_INTEGER,
    );
    if (values.help) return { help: USAGE };
    const [action, ...rest] = positionals;
    if (action === undefined || action === "list") {
      if (rest.length > 0) throw new CliError(`unexpected argument "${rest[0]}"\n\n${USAGE}`);
      if (values["all-dead"]) throw new CliError("--all-dead goes with retry or drop");
      if (values.pending && values.dead) throw new CliError("--pending or --dead, not both");
      return {
        action: "list",
        state: values.pending ? "pending" : values.dead ? "dead" : undefined,
        limit: limitFlag(values.limit, 50, 1000),
      };
    }
    if (action !== "retry" && action !== "drop") {
      throw new CliError(`unknown outbox action "${action}"\n\n${USAGE}`);
    }
    if (values.pending || values.dead || values.limit !== undefined) {
      throw new CliError(`--pending, --dead and --limit go with the list, not ${action}`);
    }
    const ids = rest.map((text) => {
      if (!/^\d{1,15}$/.test(text)) throw new CliError(`${action}: "${text}" is not a row id`);
      return Number(text);
    });
    const allDead = values["all-dead"] ?? false;
    if (allDead === ids.length > 0) {
      throw new CliError(`${action}: give row ids (from 'faultline outbox') or --all-dead`);
    }
    return { action, ids, allDead };
  },
  async run(db, options, io) {
    if (options.action === "list") {
      const counts = await countOutbox(db);
      const rows = await listOutbox(db, {
        ...(options.state ? { state: options.state } : {}),
        limit: options.limit,
      });
      const summary = `outbox: ${counts.pending} pending (${counts.failing} failing), ${counts.dead} dead, ${counts.done} done`;
      if (rows.length === 0) return `${summary}\nnothing ${options.state ?? "pending or dead"}`;
      const shown = options.state ? counts[options.state] : counts.pending + counts.dead;
      const more = shown > rows.length ? `\n(${shown - rows.length} more: raise --limit)` : "";
      return `${summary}\n\n${formatOutbox(rows)}${more}`;
    }
    const selection = options.allDead ? { allDead: true } : { ids: options.ids };
    const result =
      options.action === "retry"
        ? await retryOutbox(db, selection, io.now)
        : await dropOutbox(db, selection);
    const verb = options.action === "retry" ? "retrying" : "dropped";
    const lines = [
      result.changed.length === 0
        ? `${options.action}: no row changed`
        : `${verb} ${result.changed.length} row(s): ${result.changed.join(", ")}`,
    ];
    if (result.skipped.length > 0) {
      lines.push(
        `not found, or finished successfully (nothing to ${options.action}): ${result.skipped.join(", ")}`,
      );
    }
    return lines.join("\n");
  },
};

function formatOutbox(rows: OutboxEntry[]): string {
  return formatTable(
    ["ID", "KIND", "REPO", "BUG", "STATE", "TRIES", "NEXT / DIED", "LAST ERROR"],
    rows.map((row) => [
      String(row.id),
      row.kind,
      row.repo ?? "-",
      row.bug ?? "-",
      row.state === "dead" ? `dead (${row.deadReason ?? "?"})` : "pending",
      String(row.attempts),
      formatUtc(row.state === "dead" && row.deadAt ? row.deadAt : row.runAfter),
      oneLine(row.lastError ?? "", 100),
    ]),
    new Set([0, 5]),
  );
}

function oneLine(text: string, max: number): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line || "-";
}
