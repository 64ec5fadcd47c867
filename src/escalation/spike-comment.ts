/** Texts of a spike announcement: the issue comment and the notification line. Pure. */
import { bugRef } from "../github/render/index.js";
import { escapeInline, formatCount, formatTime } from "../github/render/markdown.js";

export interface SpikeFacts {
  hourStart: Date;
  count: number;
  /** Trailing events per hour over the previous 24 hours. */
  average: number;
  reason: "absolute" | "relative";
  /** The absolute limit that was passed (reason absolute). */
  threshold: number | null;
  factor: number;
}

export interface ProjectSpikeFacts extends SpikeFacts {
  fullName: string;
  /** The hour's busiest bugs, most events first. */
  topBugs: { number: number; count: number }[];
  /** The bug whose issue carries the comment; null when there is none (notification only). */
  commentOn: number | null;
}

function why(f: SpikeFacts): string {
  if (f.reason === "absolute" && f.threshold !== null) {
    return `above the limit of ${formatCount(f.threshold)} per hour`;
  }
  const usual = f.average < 10 ? f.average.toFixed(1) : formatCount(Math.round(f.average));
  return `more than ${f.factor}× its usual ${usual} per hour over the previous 24 hours`;
}

function hour(f: SpikeFacts): string {
  return `in the hour from ${formatTime(f.hourStart)}`;
}

export function renderBugSpikeComment(bugNumber: number, f: SpikeFacts): string {
  return `**Spike:** ${bugRef(bugNumber)} happened **${formatCount(f.count)}** times ${hour(f)}, ${why(f)}.`;
}

export function renderProjectSpikeComment(f: ProjectSpikeFacts): string {
  const top = f.topBugs
    .slice(0, 5)
    .map((b) => `${bugRef(b.number)} (${formatCount(b.count)})`)
    .join(", ");
  const headline = `**Spike across ${escapeInline(f.fullName)}:** **${formatCount(f.count)}** errors ${hour(f)}, ${why(f)}.`;
  // The repository has no issue of its own: the busiest bug's issue is where people look first.
  const where =
    f.commentOn === null
      ? ""
      : `Posted on ${bugRef(f.commentOn)} because it is the bug with the most events in that hour. `;
  return `${headline}\n\n${where}Busiest bugs: ${top}.`;
}
