/**
 * Cuts long text and says so where it was cut, so a reader of the issue or the event never
 * mistakes a shortened value for the whole one.
 */
export function truncationMarker(removed: number): string {
  return `…[truncated ${removed} chars]`;
}

/** `text` when it fits in `max` characters, else its first `max` characters and the marker. */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  // Never split a surrogate pair: half an emoji is not valid UTF-8 for Postgres.
  let end = max;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return text.slice(0, end) + truncationMarker(text.length - end);
}
