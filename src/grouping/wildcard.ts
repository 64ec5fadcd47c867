/**
 * Glob-style matching for grouping rules: `*` is any run of characters (`**` too, so paths and
 * dotted modules read naturally), `?` one character, case-insensitive, over the whole text.
 * Matched without a regex: the iterative two-pointer walk costs at most pattern × text steps,
 * whatever the pattern, so a rule from a repository's config cannot stall ingestion.
 */
export const MAX_WILDCARD_PATTERN = 200;
/** Texts are matched on their first this many characters (messages run to kilobytes). */
const MAX_TEXT = 1024;

export type WildcardMatcher = (text: string) => boolean;

export function compileWildcard(pattern: string): WildcardMatcher {
  const p = pattern.slice(0, MAX_WILDCARD_PATTERN).toLowerCase().replace(/\*+/g, "*");
  if (p === "*") return () => true;
  if (!p.includes("*") && !p.includes("?")) {
    return (text) => text.slice(0, MAX_TEXT).toLowerCase() === p;
  }
  return (text) => wildcardMatch(p, text.slice(0, MAX_TEXT).toLowerCase());
}

function wildcardMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    const ch = pattern[p];
    if (ch === "?" || (ch !== undefined && ch !== "*" && ch === text[t])) {
      p++;
      t++;
    } else if (ch === "*") {
      // Try the star as empty first; on a later mismatch it takes one more character.
      star = p++;
      resume = t;
    } else if (star >= 0) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (pattern[p] === "*") p++;
  return p === pattern.length;
}
