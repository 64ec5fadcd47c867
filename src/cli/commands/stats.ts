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
      ["", ""],
      [
        ["occurrences", n(t.occurrences)],
        ["bugs seen", n(t.activeBugs)],
        ["new bugs", n(t.newBugs)],
        ["regressions", n(t.regressions)],
        ["resolved", n(t.resolved)],
        ["unresolved now", n(t.unresolvedNow)],
        ["affected users", n(t.affectedUsers)],
        ["mean time to resolve", formatDuration(s.meanTimeToResolutionMs)],
        [
          "busiest hour",
          busiest.count > 0 ? `${formatUtc(busiest.hour)} (${n(busiest.count)})` : "-",
        ],
      ],
    )
      .split("\n")
      .slice(1)
      .map((line) => `  ${line}`)
      .join("\n"),
    "",
    `by severity:     ${formatCounts(s.bySeverity)}`,
    `by status:       ${formatCounts(s.byStatus)}`,
    `by environment:  ${formatCounts(s.byEnvironment)}`,
    `by service:      ${formatCounts(s.byService)}`,
    `by error type:   ${formatCounts(s.byErrorType)}`,
  ];
  if (s.topBugs.length > 0) {
    lines.push("", "top bugs:");
    for (const bug of s.topBugs.slice(0, 5)) {
      lines.push(`  ${bug.ref.padEnd(6)} ${n(bug.countInRange).padStart(8)}  ${bug.title}`);
    }
  }
  return lines.join("\n");
}

function formatCounts(counts: CountBy[], max = 6): string {
  const shown = counts.filter((c) => c.count > 0).slice(0, max);
  if (shown.length === 0) return "-";
  const rest = counts.length - shown.length;
  const text = shown.map((c) => `${c.key || "(none)"} ${c.count.toLocaleString("en")}`).join(", ");
  return rest > 0 && counts.length > max ? `${text}, +${counts.length - max} more` : text;
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
