/**
 * User-written patterns from `.github/faultline.yml`: regular expressions (error types, messages,
 * scrub patterns) and path patterns (prefix or glob). Compiling never throws: a bad pattern is a
 * config error, reported, never a crash during ingestion.
 */

/** Longest pattern accepted; long user regexes are where catastrophic backtracking hides. */
export const MAX_PATTERN_LENGTH = 500;

export type CompiledRegex = { ok: true; regex: RegExp } | { ok: false; error: string };

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
  try {
    return { ok: true, regex: new RegExp(source, flags) };
  } catch (err) {
    // V8 says "Invalid regular expression: /(/: Unterminated group"; keep the reason only.
    const message = (err instanceof Error ? err.message : String(err)).replace(/^.*\/: /s, "");
    return { ok: false, error: `invalid regular expression (${message})` };
  }
}

/** True when compileRegex would accept the pattern. */
export function isValidRegex(pattern: string): boolean {
  return compileRegex(pattern).ok;
}

const GLOB_CHARS = /[*?]/;

/**
 * A path pattern: without `*` or `?` it is a prefix (`/health/` matches `/health/live`); with
 * them it is a glob over the whole path, `*` within one segment, `**` across segments, `?` one
 * character (`/api/*\/internal/**`).
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
  return new RegExp(`^${source}$`);
}

export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
