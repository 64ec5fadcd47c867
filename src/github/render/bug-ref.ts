/** `7` -> `B-007`; numbers past 999 keep all their digits (`B-1234`). */
export function bugRef(number: number): string {
  return `B-${String(Math.trunc(number)).padStart(3, "0")}`;
}

/** `B-007` / `b-7` -> `7`; anything else -> null. */
export function parseBugRef(text: string): number | null {
  const match = /^\s*B-(\d{1,9})\s*$/i.exec(text);
  if (!match) return null;
  const n = Number(match[1]);
  return n > 0 ? n : null;
}
