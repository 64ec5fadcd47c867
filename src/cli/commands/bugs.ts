import { createStatsService } from "../../stats/stats-service.js";
import type { BugListItem } from "../../stats/stats-types.js";
import {
  categoryFlag,
  limitFlag,
  parseCommandArgs,
  repoFlag,
  severityFlag,
  statusFlag,
} from "./read-args.js";
import type { ReadCommand } from "./read-command.js";
import { projectScope } from "./read-scope.js";

const USAGE = `usage: faultline bugs [--repo owner/repo] [--status open] [--severity high] [--category network] [--limit 50]
  newest bugs first; --status open|in_progress|resolved|wontfix|ignored,
  --severity critical|high|medium|low, --category network|timeout|database|validation|
  authentication|authorisation|not_found|configuration|resource_exhaustion|external_service|
  programming_error|unknown, --limit 1..200 (default 50)`;

export interface BugsOptions {
  repo: string | undefined;
  status: BugListItem["status"] | undefined;
  severity: BugListItem["severity"] | undefined;
  category: BugListItem["category"] | undefined;
  limit: number;
}

/** `faultline bugs`: an aligned table of bugs. */
export const bugsCommand: ReadCommand<BugsOptions> = {
  usage: USAGE,
  parse(argv) {
    const values = parseCommandArgs(
      argv,
      {
        repo: { type: "string" },
        status: { type: "string" },
        severity: { type: "string" },
        category: { type: "string" },
        limit: { type: "string" },
      },
      USAGE,
    );
    if (values.help) return { help: USAGE };
    return {
      repo: repoFlag(values.repo),
      status: statusFlag(values.status),
      severity: severityFlag(values.severity),
      category: categoryFlag(values.category),
      limit: limitFlag(values.limit, 50, 200),
    };
  },
  async run(db, options) {
    const projectIds = await projectScope(db, options.repo);
    const page = await createStatsService(db).listBugs({
      projectIds,
      status: options.status,
      severity: options.severity,
      category: options.category,
      limit: options.limit,
    });
    if (page.items.length === 0) return "no bugs match";
    const table = formatTable(
      [
        "REF",
        ...(options.repo ? [] : ["REPO"]),
        "SEVERITY",
        "CATEGORY",
        "STATUS",
        "COUNT",
        "LAST SEEN",
        "TITLE",
      ],
      page.items.map((bug) => [
        bug.ref,
        ...(options.repo ? [] : [bug.repo]),
        bug.severity,
        bug.category,
        bug.status,
        String(bug.occurrenceCount),
        formatUtc(bug.lastSeen),
        truncate(bug.title, 70),
      ]),
      new Set([options.repo ? 4 : 5]),
    );
    const more = page.nextCursor ? "\n(more bugs match: raise --limit, up to 200)" : "";
    return `${table}${more}`;
  },
};

/** Columns padded to their widest cell; right-aligned columns by index (numbers). */
export function formatTable(header: string[], rows: string[][], rightAligned = new Set<number>()) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => {
        const width = widths[i] ?? 0;
        if (i === cells.length - 1) return cell; // no trailing spaces after the last column
        return rightAligned.has(i) ? cell.padStart(width) : cell.padEnd(width);
      })
      .join("  ");
  return [line(header), ...rows.map(line)].join("\n");
}

export function formatUtc(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace("T", " ")}`;
}

function truncate(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, " ");
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}
