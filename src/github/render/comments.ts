import { bugRef } from "./bug-ref.js";
import { escapeInline, formatAge, formatCount, formatTime, inlineCode } from "./markdown.js";
import type { BugSeverity, IssueBugView } from "./types.js";

/** `alice`, `@alice`, `acme/backend`: anything else is not mentioned (it would not ping anyway). */
const HANDLE = /^@?([A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\/[A-Za-z0-9][A-Za-z0-9_.-]*)?)$/;

function mention(handle: string): string | undefined {
  const match = HANDLE.exec(handle.trim());
  return match ? `@${match[1]}` : undefined;
}

function environmentsOf(bug: IssueBugView): string {
  if (bug.environments.length === 0) return "";
  const shown = bug.environments
    .slice(0, 3)
    .map((e) => inlineCode(e))
    .join(", ");
  const more = bug.environments.length > 3 ? ` and ${bug.environments.length - 3} more` : "";
  return ` in ${shown}${more}`;
}

/** Posted when the occurrence count crosses a configured milestone. */
export function renderMilestoneComment(bug: IssueBugView, milestone: number): string {
  return [
    `${bugRef(bug.number)} has now happened **${formatCount(milestone)}** times${environmentsOf(bug)}.`,
    `Last seen ${formatTime(bug.lastSeen)}; first seen ${formatTime(bug.firstSeen)}.`,
  ].join(" ");
}

export interface RegressionInfo {
  release?: string;
  environment?: string;
  countSinceResolution: number;
  resolvedAt?: Date;
  resolvedInRelease?: string;
}

/** Posted when a resolved bug happens again and its issue is reopened. */
export function renderRegressionComment(bug: IssueBugView, info: RegressionInfo): string {
  const resolved: string[] = [];
  if (info.resolvedInRelease) resolved.push(`in ${inlineCode(info.resolvedInRelease)}`);
  if (info.resolvedAt) resolved.push(`on ${formatTime(info.resolvedAt)}`);
  const where: string[] = [];
  if (info.release) where.push(`release ${inlineCode(info.release)}`);
  if (info.environment) where.push(inlineCode(info.environment));
  const count = info.countSinceResolution;
  const times = count === 1 ? "once" : `${formatCount(count)} times`;
  return [
    `**Regression:** ${bugRef(bug.number)} was resolved${resolved.length ? ` ${resolved.join(" ")}` : ""} but has happened ${times} since${where.length ? `, latest in ${where.join(", ")}` : ""}.`,
    "Reopening this issue.",
  ].join(" ");
}

/** Posted on an issue whose bug was merged into another one. */
export function renderDuplicateComment(targetRef: string, url: string): string {
  const link = /^https?:\/\//i.test(url) ? url.replace(/[\s()<>]/g, encodeURIComponent) : "";
  const target = link ? `[${escapeInline(targetRef)}](${link})` : escapeInline(targetRef);
  return `Merged into ${target}: further occurrences are counted there. Closing this one as a duplicate.`;
}

export interface EscalationInfo {
  ref: string;
  assignees: string[];
  team: string[];
  severity: BugSeverity;
  /** How long the bug has been unresolved, in ms. */
  age: number;
}

/** Posted at escalation steps: the people and teams named here are meant to be pinged. */
export function renderEscalationComment(info: EscalationInfo): string {
  const people = [...info.assignees, ...info.team]
    .map(mention)
    .filter((m): m is string => m !== undefined);
  const unique = [...new Set(people)];
  const first = `${escapeInline(info.ref)} (${info.severity}) has been unresolved for ${formatAge(info.age)}.`;
  const ask =
    unique.length > 0
      ? `${unique.join(" ")}, could you take a look, or set the severity with \`/faultline severity <level>\` if it can wait?`
      : "Nobody is assigned yet: set `escalation.default_assignees` or `oncall` in `.github/faultline.yml`.";
  return `${first} ${ask}`;
}

/** Posted when `.github/faultline.yml` has problems; the defaults are used for those settings. */
export function renderConfigErrorComment(errors: string[]): string {
  const shown = errors.slice(0, 30).map((e) => `- ${inlineCode(e)}`);
  const more = errors.length > 30 ? [`- … and ${errors.length - 30} more`] : [];
  return [
    "Faultline found problems in `.github/faultline.yml`. The defaults are used for these settings until the file is fixed:",
    "",
    ...shown,
    ...more,
  ].join("\n");
}

/**
 * Reply to a `/faultline …` command. `text` is escaped: it may quote what the user typed.
 */
export function renderCommandReply(ok: boolean, text: string): string {
  return `${ok ? "✅" : "⚠️"} ${escapeInline(text)}`;
}
