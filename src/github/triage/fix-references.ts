import { bugRefsClosedBy } from "../webhooks/map-issue-event.js";

/**
 * What a pull request's title or body says it fixes: bugs by ref (`fixes B-007`) and issues of
 * the same repository by GitHub's closing keywords (`Fixes #42`, `closes octo-org/shop#42`,
 * `resolves https://github.com/octo-org/shop/issues/42`). Pure.
 */
export interface FixReferences {
  bugs: number[];
  issues: number[];
}

/** GitHub's closing keywords: close, closes, closed, fix, fixes, fixed, resolve, resolves, resolved. */
// `\s*:\s*` or `\s+` (not `\s*:?\s+`, whose two runs of spaces backtrack in O(n²)).
const KEYWORD = String.raw`\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)(?:\s*:\s*|\s+)`;
const ISSUE_REF = new RegExp(
  `${KEYWORD}(?:([A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100})#|https?://[^\\s/]+/([A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100})/issues/|#)(\\d{1,9})\\b`,
  "gi",
);

/** At most this much of a body is read: a 1 MB body costs nothing more than its first 64 KB. */
const MAX_TEXT = 65_536;

export function fixReferences(
  texts: readonly (string | null | undefined)[],
  repoFullName: string,
): FixReferences {
  const bugs = new Set<number>();
  const issues = new Set<number>();
  const repo = repoFullName.toLowerCase();
  for (const raw of texts) {
    if (!raw) continue;
    const text = raw.slice(0, MAX_TEXT);
    for (const n of bugRefsClosedBy(text)) bugs.add(n);
    for (const match of text.matchAll(ISSUE_REF)) {
      const other = (match[1] ?? match[2])?.toLowerCase();
      if (other !== undefined && other !== repo) continue; // another repository's issue
      const n = Number.parseInt(match[3] ?? "", 10);
      if (n > 0) issues.add(n);
    }
  }
  return { bugs: [...bugs], issues: [...issues] };
}
