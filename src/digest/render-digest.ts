import { escapeInline, formatCount, formatTime } from "../github/render/markdown.js";
import type { DigestBug, DigestData, DigestEscalation, DigestRegression } from "./digest-data.js";

export const DIGEST_ISSUE_TITLE = "Faultline digest";
/** Hidden in the body: how the digest issue is found again (search) before one is created. */
export const DIGEST_MARKER = "<!-- faultline:digest -->";

const TITLE_MAX = 80;

function bugLink(bug: { ref: string; issueUrl: string | null }): string {
  return bug.issueUrl ? `[${bug.ref}](${bug.issueUrl})` : bug.ref;
}

function cellTitle(title: string): string {
  const short = title.length > TITLE_MAX ? `${title.slice(0, TITLE_MAX - 1)}…` : title;
  return escapeInline(short);
}

function table(head: string[], align: string[], rows: string[][]): string {
  if (rows.length === 0) return "_None._";
  return [
    `| ${head.join(" | ")} |`,
    `|${align.join("|")}|`,
    ...rows.map((cells) => `| ${cells.join(" | ")} |`),
  ].join("\n");
}

function more(shown: number, total: number): string {
  return total > shown ? `\n\n_…and ${formatCount(total - shown)} more._` : "";
}

function plural(n: number, one: string, many: string): string {
  return `**${formatCount(n)}** ${n === 1 ? one : many}`;
}

/** The digest issue body: replaced in full every day. */
export function renderDigest(project: string, d: DigestData): string {
  const summary = [
    plural(d.totalEvents, "event", "events"),
    plural(d.newBugCount, "new bug", "new bugs"),
    plural(d.regressionCount, "regression", "regressions"),
    plural(d.escalationCount, "escalation", "escalations"),
  ].join(", ");

  const top = table(
    ["Bug", "Title", "Severity", "Status", "Events (24 h)", "Total"],
    ["---", "---", "---", "---", "---:", "---:"],
    d.topBugs.map((b: DigestBug) => [
      bugLink(b),
      cellTitle(b.title),
      b.severity,
      b.status,
      formatCount(b.windowCount),
      formatCount(b.total),
    ]),
  );
  const fresh = table(
    ["Bug", "Title", "Severity", "Events (24 h)", "First seen"],
    ["---", "---", "---", "---:", "---"],
    d.newBugs.map((b: DigestBug) => [
      bugLink(b),
      cellTitle(b.title),
      b.severity,
      formatCount(b.windowCount),
      formatTime(new Date(b.firstSeen)),
    ]),
  );
  const regressions = table(
    ["Bug", "Title", "Severity", "Status", "Reopened"],
    ["---", "---", "---", "---", "---"],
    d.regressions.map((b: DigestRegression) => [
      bugLink(b),
      cellTitle(b.title),
      b.severity,
      b.status,
      formatTime(new Date(b.regressedAt)),
    ]),
  );
  const escalations = table(
    ["Bug", "Title", "Step", "At"],
    ["---", "---", "---", "---"],
    d.escalations.map((e: DigestEscalation) => [
      bugLink(e),
      cellTitle(e.title),
      escapeInline(e.step),
      formatTime(new Date(e.at)),
    ]),
  );

  return [
    DIGEST_MARKER,
    `## Faultline digest for ${escapeInline(project)}, ${d.day}`,
    `Last 24 hours (${formatTime(new Date(d.since))} to ${formatTime(new Date(d.until))}): ${summary}.`,
    "### Top bugs",
    top,
    "### New bugs",
    fresh + more(d.newBugs.length, d.newBugCount),
    "### Regressions",
    regressions + more(d.regressions.length, d.regressionCount),
    "### Escalations",
    escalations + more(d.escalations.length, d.escalationCount),
    "---",
    "_Faultline edits this issue once a day (`digest` in `.github/faultline.yml`); it is not a bug report._",
  ].join("\n\n");
}
