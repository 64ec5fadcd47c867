// Small text formats shared by the dashboard views.

export function statusLabel(status: string): string {
  return status.replace("_", " ");
}

/** "#42" for a GitHub issue URL, else "issue". */
export function issueLabel(url: string): string {
  const number = /\/issues\/(\d+)(?:$|[?#])/.exec(url)?.[1];
  return number ? `#${number}` : "issue";
}
