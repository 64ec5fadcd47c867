import RE2 from "re2";
import { FILTERED } from "./filtered.js";
import { ScrubConfigError } from "./scrub-config-error.js";

/** The named group whose text alone is replaced, when a pattern has one. */
const SECRET_GROUP = /\(\?P?<secret>/;

/** What RE2 refuses that JavaScript has, found in the source for a readable error. */
const LOOKAROUND = /\(\?<?[=!]/;
const BACKREFERENCE = /\\[1-9]|\\k</;

export interface ExtraPattern {
  regex: RegExp;
  /** Only the `(?<secret>…)` group is replaced, the rest of the match kept. */
  secretGroup: boolean;
}

/**
 * Compiles the repo's `extraPatterns` once. Each is a regex source run on RE2 with the `g` flag
 * (no `i`: write `[Tt]oken` or `(?i)token` when case matters). RE2 matches in time linear in the
 * text: repo config is written by anyone with push access and the text by anyone with an ingest
 * key, and a backtracking `(a+)+$` stalled the whole server. RE2 has no lookarounds, so to keep
 * context name the part to replace: `order_ref=(?<secret>[\w-]+)` replaces only the group named
 * `secret`; without one the whole match becomes "[Filtered]".
 *
 * A pattern that does not compile, uses what RE2 lacks (lookarounds, backreferences), or matches
 * the empty string (it would insert "[Filtered]" between every character), throws a
 * ScrubConfigError naming every such pattern.
 */
export function compileExtraPatterns(sources: readonly string[] = []): ExtraPattern[] {
  const compiled: ExtraPattern[] = [];
  const bad: string[] = [];
  const details: string[] = [];
  for (const source of sources) {
    const text = String(source);
    const secretGroup = SECRET_GROUP.test(text);
    let re: RegExp;
    try {
      new RegExp(text, "g");
    } catch (err) {
      bad.push(text);
      details.push(`${JSON.stringify(text)} does not compile (${(err as Error).message})`);
      continue;
    }
    try {
      re = new RE2(text, secretGroup ? "gd" : "g");
    } catch (err) {
      const reason = LOOKAROUND.test(text)
        ? "uses a lookaround, which RE2 lacks: name the part to replace with (?<secret>…) instead"
        : BACKREFERENCE.test(text)
          ? "uses a backreference, which RE2 lacks"
          : `is not supported by RE2 (${(err as Error).message})`;
      bad.push(text);
      details.push(`${JSON.stringify(text)} ${reason}`);
      continue;
    }
    if (new RE2(text).test("")) {
      bad.push(text);
      details.push(`${JSON.stringify(text)} matches the empty string`);
      continue;
    }
    compiled.push({ regex: re, secretGroup });
  }
  if (bad.length > 0) throw new ScrubConfigError(bad, details);
  return compiled;
}

export function applyExtraPatterns(s: string, patterns: readonly ExtraPattern[]): string {
  let out = s;
  for (const { regex, secretGroup } of patterns) {
    if (secretGroup) {
      out = replaceSecretGroup(out, regex);
      continue;
    }
    // An empty match can still happen mid-string (`\b`); never insert a marker for it.
    out = out.replace(regex, (m) => (m === "" ? m : FILTERED));
  }
  return out;
}

/** Replaces each match's `secret` group (RE2 with the `d` flag gives its offsets). */
function replaceSecretGroup(s: string, regex: RegExp): string {
  regex.lastIndex = 0;
  let out = "";
  let kept = 0;
  for (let m = regex.exec(s); m !== null; m = regex.exec(s)) {
    const span = m.indices?.groups?.secret;
    if (span && span[1] > span[0] && span[0] >= kept) {
      out += `${s.slice(kept, span[0])}${FILTERED}`;
      kept = span[1];
    }
    // Step past an empty match, as String.prototype.replace does.
    if (m[0] === "") regex.lastIndex++;
  }
  return kept === 0 ? s : out + s.slice(kept);
}
