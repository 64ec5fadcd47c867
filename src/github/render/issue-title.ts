import { bugRef } from "./bug-ref.js";
import { oneLine } from "./markdown.js";

/** GitHub refuses issue titles longer than this. */
export const MAX_TITLE_LENGTH = 256;
/** A culprit longer than this is cut rather than kept whole when the title is too long. */
const MAX_KEPT_CULPRIT = 80;

/**
 * `B-007: TypeError: Cannot read properties of undefined (reading 'id') in cart/checkout.ts`.
 * Titles are plain text on GitHub (no mentions, no HTML), so they are only folded to one line.
 * Too long: the message is cut with an ellipsis, keeping the ref and a short culprit.
 */
export function issueTitle(bug: { number: number; title: string; culprit?: string }): string {
  const prefix = `${bugRef(bug.number)}: `;
  const title = oneLine(bug.title).replace(/\s+/g, " ") || "Unknown error";
  const culprit = bug.culprit ? oneLine(bug.culprit).replace(/\s+/g, " ") : "";
  const suffix = culprit && !title.includes(culprit) ? ` in ${culprit}` : "";
  const full = `${prefix}${title}${suffix}`;
  if (full.length <= MAX_TITLE_LENGTH) return full;
  if (suffix.length <= MAX_KEPT_CULPRIT + 4) {
    const room = MAX_TITLE_LENGTH - prefix.length - suffix.length - 1;
    return `${prefix}${cut(title, room)}…${suffix}`;
  }
  return `${cut(full, MAX_TITLE_LENGTH - 1)}…`;
}

function cut(text: string, length: number): string {
  let end = length;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return text.slice(0, end).trimEnd();
}
