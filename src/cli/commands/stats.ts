import { createStatsService } from "../../stats/stats-service.js";
import type { CountBy, StatsSummary } from "../../stats/stats-types.js";
import { formatTable, formatUtc } from "./bugs.js";
import { parseCommandArgs, repoFlag, sinceFlag } from "./read-args.js";
import type { ReadCommand } from "./read-command.js";
import { projectScope } from "./read-scope.js";

const USAGE = `usage: faultline stats [--repo owner/repo] [--since 7d]
  --since: a duration back from now (30m, 24h, 7d, 2w) or an ISO date; default 24h`;

export interface StatsOptions {
  repo: string | undefined;
  since: Date;
}

/** `faultline stats`: a readable summary of the same figures as GET /api/stats. */
export const statsCommand: ReadCommand<StatsOptions> = {
  usage: USAGE,
  parse(argv, now) {
    const values = parseCommandArgs(
      argv,
      { repo: { type: "string" }, since: { type: "string" } },
      USAGE,
    );
    if (values.help) return { help: USAGE };
    return { repo: repoFlag(values.repo), since: sinceFlag(values.since, "24h", now) };
  },
  async run(db, options, io) {
    const projectIds = await projectScope(db, options.repo);
    const summary = await createStatsService(db).summary({
      projectIds,
      from: options.since,
      to: io.now,
    });
    return formatSummary(summary, options.repo ?? "all projects");
  },
};

/**
 * The summary, with its units: an event is one error report (an occurrence of a bug), a bug is
 * what reports are grouped into.
 */
export function formatSummary(s: StatsSummary, scope: string): string {
  const t = s.totals;
  const n = (x: number) => x.toLocaleString("en");
  const busiest = s.errorRate.reduce((a, b) => (b.count > a.count ? b : a), {
    hour: s.from,
    count: 0,
  });
  const lines = [
    `${scope}: ${formatUtc(s.from)} to ${formatUtc(s.to)} UTC`,
    "",
    formatTable(
      ["", "", ""],
      [
        ["events", n(t.occurrences), "error reports received (occurrences of bugs)"],
        ["bugs seen", n(t.activeBugs), "bugs with events in the range"],
        ["new bugs", n(t.newBugs), "bugs first seen in the range"],
        ["regressions", n(t.regressions), "bugs seen again after they were resolved"],
        ["resolved", n(t.resolved), "bugs resolved in the range"],
        ["unresolved now", n(t.unresolvedNow), "bugs open or in progress, all time"],
        ["affected users", n(t.affectedUsers), "distinct user ids in the range's events"],
        [
          "mean time to resolve",
          formatDuration(s.meanTimeToResolutionMs),
          "first seen to resolved",
        ],
      ],
      new Set([1]),
    )
      .split("\n")
      .slice(1)
      .map((line) => `  ${line}`.trimEnd())
      .join("\n"),
    `  busiest hour: ${busiest.count > 0 ? `${formatUtc(busiest.hour)} UTC, ${n(busiest.count)} events` : "-"}`,
    "",
    "events (and bugs) by:",
    `  severity:     ${formatCounts(s.bySeverity)}`,
    `  status:       ${formatCounts(s.byStatus)}`,
    `  environment:  ${formatCounts(s.byEnvironment)}`,
    `  service:      ${formatCounts(s.byService)}`,
    `  error type:   ${formatCounts(s.byErrorType)}`,
  ];
  if (s.topBugs.length > 0) {
    lines.push("", "top bugs, by events in the range:");
    for (const bug of s.topBugs.slice(0, 5)) {
      lines.push(`  ${bug.ref.padEnd(6)} ${n(bug.countInRange).padStart(8)} events  ${bug.title}`);
    }
  }
  return lines.join("\n");
}

/** `high 42 events (1 bug), low 3 events (2 bugs)`. */
function formatCounts(counts: CountBy[], max = 6): string {
  const shown = counts.filter((c) => c.count > 0).slice(0, max);
  if (shown.length === 0) return "-";
  const rest = counts.filter((c) => c.count > 0).length - shown.length;
  const plural = (x: number, unit: string) =>
    `${x.toLocaleString("en")} ${unit}${x === 1 ? "" : "s"}`;
  const text = shown
    .map((c) => `${c.key || "(none)"} ${plural(c.count, "event")} (${plural(c.bugs, "bug")})`)
    .join(", ");
  return rest > 0 ? `${text}, +${rest} more` : text;
}

/** 93784000 -> "1d 2h 3m"; null -> "-". */
export function formatDuration(ms: number | null): string {
  if (ms === null) return "-";
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return `${Math.round(ms / 1000)}s`;
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  return [d ? `${d}d` : "", h ? `${h}h` : "", m ? `${m}m` : ""].filter(Boolean).join(" ");
}
