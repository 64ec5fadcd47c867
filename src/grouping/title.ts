import type { ErrorEvent } from "./error-event.js";

export const MAX_TITLE = 120;

/**
 * The bug's title: `TypeError: Cannot read properties of undefined (reading 'id')`. Only the
 * message's first line: later lines are usually details (SQL, validation lists) that bloat titles.
 */
export function titleFor(event: ErrorEvent): string {
  const type = (event.errorType ?? "").trim();
  const firstLine = (event.message ?? "")
    .split(/\r?\n/)
    .map((line) => line.replace(/\s+/g, " ").trim())
    .find((line) => line !== "");
  let title: string;
  if (!firstLine) title = type || "Error";
  else if (!type || firstLine.startsWith(`${type}:`) || firstLine === type) title = firstLine;
  else title = `${type}: ${firstLine}`;
  if (title.length <= MAX_TITLE) return title;
  let cut = title.slice(0, MAX_TITLE - 1);
  // Never end on half a surrogate pair (an emoji cut in two is not valid text for GitHub).
  if (/[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut.trimEnd()}…`;
}
