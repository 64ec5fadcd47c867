import RE2 from "re2";

/**
 * User-written patterns from `.github/faultline.yml`: regular expressions (error types, messages,
 * scrub patterns) and path patterns (prefix or glob). Compiling never throws: a bad pattern is a
 * config error, reported, never a crash during ingestion.
 *
 * Whoever can push the file writes these, and whoever holds an ingest key writes the text they
 * run on: on V8's backtracking engine `(a+)+$` against 29 `a`s and a `!` blocks the one event
 * loop ~11 s, for every tenant. They therefore run on RE2 (the `re2` binding), whose matching
 * time is linear in the text. RE2 has no lookarounds and no backreferences: such a pattern is a
 * config error that says so.
 */

/** Longest pattern accepted; long user regexes are where catastrophic backtracking hides. */
export const MAX_PATTERN_LENGTH = 500;

export type CompiledRegex = { ok: true; regex: RegExp } | { ok: false; error: string };

/** What RE2 refuses that JavaScript has, found in the source for a readable error. */
const UNSUPPORTED: readonly [RegExp, string][] = [
  [/\(\?<?[=!]/, "lookarounds ((?=, (?!, (?<=, (?<!)"],
  [/\\[1-9]|\\k</, "backreferences (\\1, \\k<name>)"],
];

/**
 * Compiles a user's regex on RE2 (linear-time matching). Errors name what RE2 cannot do; the
 * returned object is used like a RegExp (`test`, `exec`, `String.prototype.replace`).
 */
export function compileLinearRegex(
  source: string,
  flags = "",
): { ok: true; regex: RegExp } | { ok: false; error: string } {
  try {
    // A JavaScript syntax error is reported as such (RE2's own messages are terser).
    new RegExp(source, flags);
  } catch (err) {
    // V8 says "Invalid regular expression: /(/: Unterminated group"; keep the reason only.
    const message = (err instanceof Error ? err.message : String(err)).replace(/^.*\/: /s, "");
    return { ok: false, error: `invalid regular expression (${message})` };
  }
  try {
    return { ok: true, regex: new RE2(source, flags) };
  } catch (err) {
    const unsupported = UNSUPPORTED.find(([re]) => re.test(source))?.[1];
    const reason = unsupported ?? (err instanceof Error ? err.message : String(err));
    return {
      ok: false,
      error: `unsupported regular expression: ${reason} (patterns run on RE2, in linear time, so that no text can stall the server)`,
    };
  }
}

const SLASHED = /^\/(.+)\/([a-z]*)$/s;
const ALLOWED_FLAGS = /^[imsu]*$/;

/**
 * Compiles `pattern` as a JavaScript regex. `/…/flags` form is accepted for flags (`/timeout/i`);
 * only `i`, `m`, `s`, `u` — `g` and `y` make `.test()` stateful, which would skip matches.
 */
export function compileRegex(pattern: string): CompiledRegex {
  if (pattern.length === 0) return { ok: false, error: "empty pattern" };
  if (pattern.length > MAX_PATTERN_LENGTH) {
    return { ok: false, error: `pattern longer than ${MAX_PATTERN_LENGTH} characters` };
  }
  let source = pattern;
  let flags = "";
  const slashed = SLASHED.exec(pattern);
  if (slashed) {
    source = slashed[1] ?? "";
    flags = slashed[2] ?? "";
    if (!ALLOWED_FLAGS.test(flags)) {
      return { ok: false, error: `unsupported regex flags "${flags}" (use i, m, s or u)` };
    }
  }
  return compileLinearRegex(source, flags);
}

/** True when compileRegex would accept the pattern. */
export function isValidRegex(pattern: string): boolean {
  return compileRegex(pattern).ok;
}

const GLOB_CHARS = /[*?]/;

/**
 * A path pattern: without `*` or `?` it is a prefix (`/health/` matches `/health/live`); with
 * them it is a glob over the whole path, `*` within one segment, `**` across segments, `?` one
 * character (`/api/*\/internal/**`). A prefix is a literal (linear on V8); a glob runs on RE2,
 * since `**` repeated is `.*` repeated, polynomial backtracking on V8.
 */
export function compilePathPattern(pattern: string): RegExp {
  if (!GLOB_CHARS.test(pattern)) {
    return new RegExp(`^${escapeRegex(pattern)}`);
  }
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] ?? "";
    if (ch === "*") {
      if (pattern[i + 1] === "*") {
        source += ".*";
        i++;
      } else {
        source += "[^/]*";
      }
    } else if (ch === "?") {
      source += "[^/]";
    } else {
      source += escapeRegex(ch);
    }
  }
  return new RE2(`^${source}$`);
}

export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
