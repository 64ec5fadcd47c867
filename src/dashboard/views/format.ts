// Small text formats shared by the dashboard views.

export function statusLabel(status: string): string {
  return status.replace("_", " ");
}

/** "#42" for a GitHub issue URL, else "issue". */
export function issueLabel(url: string): string {
  const number = /\/issues\/(\d+)(?:$|[?#])/.exec(url)?.[1];
  return number ? `#${number}` : "issue";
}

/** "programming error" for `programming_error`. */
export function categoryLabel(category: string): string {
  return category.replaceAll("_", " ");
}

/** "2026-11-23 14:05:09" (UTC). */
export function utc(date: Date): string {
  return date.toISOString().slice(0, 19).replace("T", " ");
}

/** "2026-11-23 14:05" (UTC). */
export function utcMinutes(date: Date): string {
  return date.toISOString().slice(0, 16).replace("T", " ");
}
