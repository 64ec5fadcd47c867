/**
 * One CODEOWNERS pattern -> a path predicate. CODEOWNERS patterns are gitignore patterns with a
 * few GitHub differences; the gitignore part is left to the `ignore` package (well kept, tested
 * against `git check-ignore`) rather than hand-written globbing, and only the differences are
 * handled here.
 */
import ignore from "ignore";

export type PathMatcher = (repoPath: string) => boolean;

/**
 * Why a pattern is refused, or undefined when GitHub would use it. GitHub skips a CODEOWNERS line
 * with invalid syntax, and documents that `!` negation, `[ ]` ranges and `\#` escapes do not work,
 * so such lines are dropped instead of being given gitignore meaning GitHub would not give them.
 */
export function invalidPatternReason(pattern: string): string | undefined {
  if (pattern.startsWith("!")) return "negation (!) is not supported in CODEOWNERS";
  if (pattern.includes("[") || pattern.includes("]")) {
    return "character ranges ([ ]) are not supported in CODEOWNERS";
  }
  if (pattern.startsWith("\\#")) return "escaping # is not supported in CODEOWNERS";
  if (pattern.includes("***")) return "three consecutive asterisks";
  return undefined;
}

/**
 * Compiles a valid pattern (see `invalidPatternReason`). Paths are repo-relative with `/`
 * separators; a leading `/` or `./` is tolerated.
 */
export function compileCodeownersPattern(pattern: string): PathMatcher {
  // CODEOWNERS paths are case sensitive (GitHub docs); `ignore` folds case by default.
  const ig = ignore({ ignorecase: false }).add(pattern);
  const directChildrenOnly = endsWithLoneStar(pattern);

  return (repoPath) => {
    const path = normaliseRepoPath(repoPath);
    if (path === "" || !ignore.isPathValid(path)) return false;
    if (!ig.ignores(path)) return false;
    if (!directChildrenOnly) return true;
    // gitignore's `docs/*` also covers `docs/a/b.md` (its parent `docs/a` is ignored), but GitHub
    // says `docs/*` owns direct children only: refuse a match that only comes from an ancestor.
    return !strictAncestorDirs(path).some((dir) => ig.ignores(dir));
  };
}

/** `docs/*`, `/*`, `**\/foo/*` — but not `*` alone (everything) nor `foo/**\/*` (any depth). */
function endsWithLoneStar(pattern: string): boolean {
  const segments = pattern.split("/");
  if (segments.length < 2 || segments.at(-1) !== "*") return false;
  return segments.at(-2) !== "**";
}

function strictAncestorDirs(path: string): string[] {
  const parts = path.split("/");
  const dirs: string[] = [];
  for (let i = 1; i < parts.length; i++) dirs.push(`${parts.slice(0, i).join("/")}/`);
  return dirs;
}

export function normaliseRepoPath(path: string): string {
  let p = path;
  while (p.startsWith("./")) p = p.slice(2);
  return p.replace(/^\/+/, "");
}
