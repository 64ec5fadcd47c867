import fc from "fast-check";
import { compareBuild, compare as semverCompare } from "semver";
import { describe, expect, it } from "vitest";
import { releaseRegresses, semverKey } from "../../../src/bugs/index.js";

const sign = (n: number) => (n > 0 ? 1 : n < 0 ? -1 : 0);
const keyCompare = (a: string, b: string) =>
  sign(Buffer.compare(Buffer.from(semverKey(a) as string), Buffer.from(semverKey(b) as string)));

const ident = fc.oneof(
  fc.nat({ max: 2_000_000 }).map(String),
  fc
    .stringMatching(/^[0-9A-Za-z-]{1,6}$/)
    .filter((s) => !/^\d+$/.test(s) || s === "0" || !s.startsWith("0")),
);
const version = fc
  .record({
    major: fc.nat({ max: 120 }),
    minor: fc.nat({ max: 120 }),
    patch: fc.nat({ max: 1_000_000 }),
    pre: fc.array(ident, { maxLength: 4 }),
    build: fc.option(fc.stringMatching(/^[0-9A-Za-z]{1,5}$/), { nil: undefined }),
  })
  .map(
    (v) =>
      `${v.major}.${v.minor}.${v.patch}${v.pre.length ? `-${v.pre.join(".")}` : ""}${v.build ? `+${v.build}` : ""}`,
  );

describe("semverKey", () => {
  it("orders bytewise exactly as semver precedence (build metadata ignored)", () => {
    fc.assert(
      fc.property(version, version, (a, b) => {
        expect(keyCompare(a, b)).toBe(sign(semverCompare(a, b)));
      }),
      { numRuns: 5_000 },
    );
  });

  it("handles the cases semver's spec lists", () => {
    const spec = [
      "1.0.0-alpha",
      "1.0.0-alpha.1",
      "1.0.0-alpha.beta",
      "1.0.0-beta",
      "1.0.0-beta.2",
      "1.0.0-beta.11",
      "1.0.0-rc.1",
      "1.0.0",
      "1.0.1",
      "1.9.0",
      "1.10.0",
      "2.0.0",
      "10.0.0",
    ];
    const shuffled = [...spec].reverse();
    shuffled.sort((a, b) => keyCompare(a, b));
    expect(shuffled).toEqual(spec);
    expect([...spec].sort(compareBuild)).toEqual(spec);
  });

  it("reads a leading v and Sentry's package@version; anything else is not semver", () => {
    expect(semverKey("v2.4.1")).toBe(semverKey("2.4.1"));
    expect(semverKey("shop-web@2.4.1+build.7")).toBe(semverKey("2.4.1"));
    expect(semverKey("@acme/shop@2.4.1")).toBe(semverKey("2.4.1"));
    for (const other of ["2.4", "3f9c0e1d", "release-17", "", "@", "1.2.3.4", "x".repeat(300)]) {
      expect(semverKey(other)).toBeNull();
    }
  });
});

describe("releaseRegresses", () => {
  const rel = (version: string, seq?: number) => ({
    version,
    key: semverKey(version),
    ...(seq !== undefined ? { seq } : {}),
  });

  it("next release: newer by semver, else first seen after the fix; no release never", () => {
    const next = { mode: "next" as const, version: null, key: semverKey("2.4.1"), seq: 5 };
    expect(releaseRegresses(rel("2.4.1", 5), next)).toBe(false);
    expect(releaseRegresses(rel("2.3.0", 2), next)).toBe(false);
    expect(releaseRegresses(rel("2.4.2"), next)).toBe(true);
    // A backport first seen after the fix is still older by semver.
    expect(releaseRegresses(rel("2.3.9"), next)).toBe(false);
    expect(releaseRegresses(rel("nightly-a", 4), next)).toBe(false);
    expect(releaseRegresses(rel("nightly-b"), next)).toBe(true);
    expect(releaseRegresses(null, next)).toBe(false);
    const none = { mode: "next" as const, version: null, key: null, seq: 0 };
    expect(releaseRegresses(rel("1.0.0", 1), none)).toBe(true);
  });

  it("in a release: that release or a newer one", () => {
    const inSemver = { mode: "in" as const, version: "2.5.0", key: semverKey("2.5.0"), seq: null };
    expect(releaseRegresses(rel("2.4.9", 3), inSemver)).toBe(false);
    expect(releaseRegresses(rel("2.5.0"), inSemver)).toBe(true);
    expect(releaseRegresses(rel("v2.6.0", 1), inSemver)).toBe(true);
    const inName = { mode: "in" as const, version: "cobalt", key: null, seq: null };
    expect(releaseRegresses(rel("argon", 2), inName)).toBe(false);
    expect(releaseRegresses(rel("cobalt"), inName)).toBe(true);
    expect(releaseRegresses(rel("argon", 2), inName, 3)).toBe(false);
    expect(releaseRegresses(rel("neon", 4), inName, 3)).toBe(true);
  });
});
