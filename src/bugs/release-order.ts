import { parse as parseSemver } from "semver";

/**
 * Release order. Two releases that both parse as semver compare by semver precedence (build
 * metadata ignored, as semver says); otherwise the one first seen earlier is older. A Sentry-style
 * `package@1.2.3` and a leading `v` count as the version after them.
 *
 * The semver side is a key whose bytewise order (Postgres `COLLATE "C"`) is semver precedence,
 * so the set-based write path compares releases in SQL without knowing semver: each number is
 * length-prefixed, a release sorts after its prereleases, numeric prerelease identifiers before
 * alphanumeric ones, and a shorter identifier list before a longer one that it starts.
 */
export function semverKey(release: string): string | null {
  const version = release.trim().slice(release.trim().lastIndexOf("@") + 1);
  if (version.length === 0 || version.length > 256) return null;
  const parsed = parseSemver(version);
  if (!parsed) return null;
  const head = `${num(parsed.major)}.${num(parsed.minor)}.${num(parsed.patch)}`;
  if (parsed.prerelease.length === 0) return `${head}|`;
  const ids = parsed.prerelease.map((id) => {
    const text = String(id);
    return /^\d+$/.test(text) ? `0${num(text)}` : `1${text}`;
  });
  return `${head}!${ids.join(",")}`;
}

/** Digits with their count first (three digits), so that "10" sorts after "9". */
function num(value: number | string): string {
  const digits = String(value).replace(/^0+(?=\d)/, "");
  return `${String(digits.length).padStart(3, "0")}${digits}`;
}

/** A release as the write path knows it: its version, semver key and first-seen id (if stored). */
export interface KnownRelease {
  version: string;
  key: string | null;
  /** `releases.id`; undefined for a release first seen after the threshold was taken. */
  seq?: number;
}

/** The threshold a resolution stores (see bugs.resolved_release_*). */
export interface ReleaseThreshold {
  mode: "next" | "in";
  /** 'in': the release named; 'next': null. */
  version: string | null;
  key: string | null;
  /** 'next': the newest release id when resolved (0 when the project had none). */
  seq: number | null;
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Whether an event of `release` reopens a bug resolved with `threshold`: the JavaScript twin of
 * the SQL in batch-statements.ts (`regresses`), for tests and for explaining a regression.
 * `thresholdSeq` for 'in' is the named release's id if it has been seen.
 */
export function releaseRegresses(
  release: KnownRelease | null,
  threshold: ReleaseThreshold,
  thresholdSeq?: number,
): boolean {
  // An event without a release cannot be shown to come from a newer one.
  if (release === null) return false;
  const seq = release.seq ?? Number.POSITIVE_INFINITY;
  if (threshold.mode === "next") {
    if (release.key !== null && threshold.key !== null) {
      return compareKeys(release.key, threshold.key) > 0;
    }
    return seq > (threshold.seq ?? 0);
  }
  if (release.key !== null && threshold.key !== null) {
    return compareKeys(release.key, threshold.key) >= 0;
  }
  if (release.version === threshold.version) return true;
  return thresholdSeq !== undefined && seq >= thresholdSeq;
}
