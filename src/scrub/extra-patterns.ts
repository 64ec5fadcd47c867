import { FILTERED } from "./filtered.js";
import { ScrubConfigError } from "./scrub-config-error.js";

/**
 * Compiles the repo's `extraPatterns` once. Each is a JavaScript regex source used with the `g`
 * flag only (no `i`: JavaScript has no inline flags, so write `[Tt]oken` when case matters).
 * The whole match becomes "[Filtered]"; keep surrounding context out of the match with
 * lookarounds, e.g. `(?<=order_ref=)\w+`.
 *
 * A pattern that does not compile, or that matches the empty string (it would insert
 * "[Filtered]" between every character), throws a ScrubConfigError naming every such pattern.
 */
export function compileExtraPatterns(sources: readonly string[] = []): RegExp[] {
  const compiled: RegExp[] = [];
  const bad: string[] = [];
  const details: string[] = [];
  for (const source of sources) {
    const text = String(source);
    let re: RegExp;
    try {
      re = new RegExp(text, "g");
    } catch (err) {
      bad.push(text);
      details.push(`${JSON.stringify(text)} does not compile (${(err as Error).message})`);
      continue;
    }
    if (new RegExp(text).test("")) {
      bad.push(text);
      details.push(`${JSON.stringify(text)} matches the empty string`);
      continue;
    }
    compiled.push(re);
  }
  if (bad.length > 0) throw new ScrubConfigError(bad, details);
  return compiled;
}

export function applyExtraPatterns(s: string, patterns: readonly RegExp[]): string {
  let out = s;
  for (const re of patterns) {
    // An empty match can still happen mid-string (`\b`); never insert a marker for it.
    out = out.replace(re, (m) => (m === "" ? m : FILTERED));
  }
  return out;
}
