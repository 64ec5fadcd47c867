import { bugRef } from "./bug-ref.js";

/**
 * Hidden first line of every issue body. It lets the sync worker find an issue it created but
 * failed to record (crash between the API call and the commit), by searching for it.
 */
export function issueMarker(bug: { number: number; fingerprint: string }): string {
  return `<!-- faultline:${bugRef(bug.number)} fp=${encodeFingerprint(bug.fingerprint)} -->`;
}

// `--` and `>` would end the HTML comment early; percent-encode them (and spaces) away.
function encodeFingerprint(fp: string): string {
  return encodeURIComponent(fp).replace(/-/g, "%2D");
}

const MARKER = /<!--\s*faultline:(B-(\d+))(?:\s+fp=(\S*?))?\s*-->/;

/** Reads the marker back; a marker without `fp=` (older bodies) gives an empty fingerprint. */
export function parseIssueMarker(
  body: string,
): { ref: string; number: number; fingerprint: string } | null {
  const match = MARKER.exec(body);
  if (!match) return null;
  const number = Number(match[2]);
  let fingerprint = match[3] ?? "";
  try {
    fingerprint = decodeURIComponent(fingerprint);
  } catch {
    return null;
  }
  return { ref: bugRef(number), number, fingerprint };
}
