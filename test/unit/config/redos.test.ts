import { performance } from "node:perf_hooks";
import { describe, expect, it } from "vitest";
import {
  compilePathPattern,
  compileRepoPatterns,
  matchSeverityRule,
  parseRepoConfig,
} from "../../../src/config/repo-config.js";
import { createScrubber } from "../../../src/scrub/index.js";

// `(a+)+$` on V8's backtracking engine: 26 `a`s and a `!` take ~0.6 s, 29 ~5-11 s, doubling with
// each further character. On RE2 the time is linear in the text.
const EVIL = "(a+)+$";
const attack = (n: number) => `${"a".repeat(n)}!`;

function timed(run: () => void): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

describe("user regexes run in linear time", () => {
  it("severity rules, filters and scrub patterns of `(a+)+$` answer at once", () => {
    const { config, errors } = parseRepoConfig({
      severity_rules: [{ match: { message: EVIL }, severity: "critical" }],
      filters: { exclude_messages: [EVIL], exclude_error_types: [EVIL] },
      scrub: { extra_patterns: ["(x+x+)+y"] },
    });
    expect(errors).toEqual([]);
    const patterns = compileRepoPatterns(config);
    const scrubber = createScrubber({ extraPatterns: config.scrub.extra_patterns });
    const text = attack(28);
    const elapsed = timed(() => {
      expect(matchSeverityRule(patterns.severityRules, { errorType: "E", message: text })).toBe(
        undefined,
      );
      expect(patterns.excludeMessages.some((re) => re.test(text))).toBe(false);
      expect(patterns.excludeErrorTypes.some((re) => re.test(text))).toBe(false);
      expect(scrubber.scrubString(`${"x".repeat(28)}!`)).toBe(`${"x".repeat(28)}!`);
    });
    expect(elapsed).toBeLessThan(100);
    // And stays linear on a megabyte.
    const long = attack(1_000_000);
    expect(timed(() => patterns.excludeMessages[0]?.test(long))).toBeLessThan(500);
  });

  it("path globs with repeated ** do not backtrack polynomially", () => {
    const glob = compilePathPattern("/**/**/**/**/**/x");
    const path = `/${"a/".repeat(5_000)}`;
    expect(timed(() => expect(glob.test(path)).toBe(false))).toBeLessThan(100);
  });

  it("refuses what RE2 cannot run with a clear config error, keeping the rest", () => {
    const { config, errors } = parseRepoConfig({
      filters: { exclude_messages: ["(?<=id=)\\d+", "(a)\\1", "timeout"] },
      scrub: { extra_patterns: ["(?<=order_ref=)\\w+"] },
    });
    expect(config.filters.exclude_messages).toEqual(["timeout"]);
    expect(config.scrub.extra_patterns).toEqual([]);
    const text = errors.join("\n");
    expect(text).toMatch(
      /exclude_messages\[0\]: unsupported .*lookarounds.*run on RE2, in linear time/,
    );
    expect(text).toMatch(/exclude_messages\[1\]: unsupported .*backreferences/);
    expect(text).toMatch(/scrub.extra_patterns\[0\]: unsupported .*lookarounds/);
    expect(() => createScrubber({ extraPatterns: ["(?<=ref=)\\d+"] })).toThrow(
      /uses a lookaround, which RE2 lacks: name the part to replace with \(\?<secret>…\)/,
    );
  });

  it("a scrub pattern's `secret` group is replaced, the rest of the match kept", () => {
    const scrubber = createScrubber({ extraPatterns: ["order_ref=(?<secret>[\\w-]+)"] });
    expect(scrubber.scrubString("a order_ref=A-1 b order_ref=B-2;")).toBe(
      "a order_ref=[Filtered] b order_ref=[Filtered];",
    );
  });
});
