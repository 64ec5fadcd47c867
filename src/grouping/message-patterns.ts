/**
 * The placeholder passes of message normalisation. Fingerprint version 1 runs exactly these, in
 * its own order (legacy/normalise-message-v1.ts): a change to one of them changes version-1
 * hashes, which the version-1 golden table catches. Newer versions add passes of their own in
 * normalise-message.ts rather than editing these.
 */

/** Work on a bounded prefix: the output is capped anyway, and regexes stay cheap on huge input. */
export const MAX_INPUT = 4000;
export const MAX_NORMALISED_MESSAGE = 500;

export const URL = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]*[^\s"'<>`.,;:!?)\]}]/gi;
const WINDOWS_PATH = /(?<![\w/\\])[a-z]:\\(?:[^\\\s"'<>|:*?]+\\)*[^\\\s"'<>|:*?]+/gi;
const UNIX_PATH = /(?<![\w.:/<>-])(?:~|\.{1,2})?(?:\/[\w.@+-]+)+\/?/g;
// Roots that mark a path even without a file extension (`/tmp/upload_x`, `/home/bob/data`).
const PATH_ROOT =
  /^(?:~|\.{1,2})?\/(?:var|usr|home|tmp|opt|etc|srv|root|Users|private|mnt|data|proc|dev)\//;
const FILE_EXTENSION = /\.[a-z][a-z0-9]{0,7}\/?$/i;
export const EMAIL = /[\w.+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+/gi;
export const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
export const ISO_TIMESTAMP =
  /\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s?(?:Z|UTC|[+-]\d{2}:?\d{2}))?)?\b/gi;
// Candidates only; `isIpv6` decides, so `std::vector` or `a:b:c` stay text.
const IPV6 =
  /(?<![\w:.])(?:[0-9a-f]{0,4}:){2,7}(?:[0-9a-f]{1,4}|\d{1,3}(?:\.\d{1,3}){3})?(?![\w:])/gi;
export const IPV4 = /\b(?:\d{1,3}\.){3}\d{1,3}\b/g;
export const DATE = /\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b/g;
export const TIME = /\b\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s?[ap]m)?\b/gi;
export const ADDRESS = /\b0x[0-9a-f]+\b/gi;
// A digit is required: plain words made of a-f letters (`accessed`, `defaced`) are not hashes.
export const HEX = /\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b/gi;
// Standalone numbers only: digits inside identifiers (`utf8`, `B2B`, `v2`) are kept. A unit
// suffix stays (`100ms` -> `<n>ms`) so a timeout of 100 ms and one of 200 ms group together.
const NUMBER =
  /(?<![\w.<>])-?\d+(?:[.,]\d+)*(?=(?:ms|us|ns|s|m|h|d|b|kb|mb|gb|tb|px|%)?(?![\w]))/gi;
// HTTP status codes distinguish errors ("status code 404" vs "500"), so they are kept.
const STATUS_BEFORE = /(?:status(?: code)?|http(?:\/\d(?:\.\d)?)?)[\s:=]*$/i;

function isIpv6(candidate: string): boolean {
  const colons = candidate.split(":").length - 1;
  const doubles = candidate.split("::").length - 1;
  if (doubles > 1 || colons < 2) return false;
  if (doubles === 0 && colons !== 7 && !candidate.includes(".")) return false;
  return /\d/.test(candidate) || candidate === "::";
}

export function replacePaths(text: string): string {
  return text.replace(WINDOWS_PATH, "<path>").replace(UNIX_PATH, (match) => {
    const segments = match.split("/").filter(Boolean).length;
    if (segments < 2 && !FILE_EXTENSION.test(match)) return match;
    return PATH_ROOT.test(match) || FILE_EXTENSION.test(match) ? "<path>" : match;
  });
}

export function replaceNumbers(text: string): string {
  return text.replace(NUMBER, (match, offset: number) => {
    const n = Number(match);
    if (Number.isInteger(n) && n >= 100 && n <= 599) {
      const before = text.slice(Math.max(0, offset - 20), offset);
      if (STATUS_BEFORE.test(before)) return match;
    }
    return "<n>";
  });
}

export function capLength(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max);
  // Never leave half a surrogate pair: it would not survive a round trip through Postgres.
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return cut.trimEnd();
}

/** IPv6 candidates that are addresses (`std::vector` and `a:b:c` stay text). */
export function replaceIpv6(text: string): string {
  return text.replace(IPV6, (m) => (isIpv6(m) ? "<ip>" : m));
}
