import { memoizeString } from "./memo.js";

/**
 * Message normalisation: two reports of one bug usually differ only by the data in the message
 * (an id, an e-mail, a time). Replacing that data with placeholders lets them group together.
 */

/** Work on a bounded prefix: the output is capped anyway, and regexes stay cheap on huge input. */
const MAX_INPUT = 4000;
export const MAX_NORMALISED_MESSAGE = 500;

const URL = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]*[^\s"'<>`.,;:!?)\]}]/gi;
const WINDOWS_PATH = /(?<![\w/\\])[a-z]:\\(?:[^\\\s"'<>|:*?]+\\)*[^\\\s"'<>|:*?]+/gi;
const UNIX_PATH = /(?<![\w.:/<>-])(?:~|\.{1,2})?(?:\/[\w.@+-]+)+\/?/g;
// Roots that mark a path even without a file extension (`/tmp/upload_x`, `/home/bob/data`).
const PATH_ROOT =
  /^(?:~|\.{1,2})?\/(?:var|usr|home|tmp|opt|etc|srv|root|Users|private|mnt|data|proc|dev)\//;
const FILE_EXTENSION = /\.[a-z][a-z0-9]{0,7}\/?$/i;
const EMAIL = /[\w.+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+/gi;
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
const ISO_TIMESTAMP =
  /\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s?(?:Z|UTC|[+-]\d{2}:?\d{2}))?)?\b/gi;
// Candidates only; `isIpv6` decides, so `std::vector` or `a:b:c` stay text.
const IPV6 =
  /(?<![\w:.])(?:[0-9a-f]{0,4}:){2,7}(?:[0-9a-f]{1,4}|\d{1,3}(?:\.\d{1,3}){3})?(?![\w:])/gi;
const IPV4 = /\b(?:\d{1,3}\.){3}\d{1,3}\b/g;
const DATE = /\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b/g;
const TIME = /\b\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s?[ap]m)?\b/gi;
const ADDRESS = /\b0x[0-9a-f]+\b/gi;
// A digit is required: plain words made of a-f letters (`accessed`, `defaced`) are not hashes.
const HEX = /\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b/gi;
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

function replacePaths(text: string): string {
  return text.replace(WINDOWS_PATH, "<path>").replace(UNIX_PATH, (match) => {
    const segments = match.split("/").filter(Boolean).length;
    if (segments < 2 && !FILE_EXTENSION.test(match)) return match;
    return PATH_ROOT.test(match) || FILE_EXTENSION.test(match) ? "<path>" : match;
  });
}

function replaceNumbers(text: string): string {
  return text.replace(NUMBER, (match, offset: number) => {
    const n = Number(match);
    if (Number.isInteger(n) && n >= 100 && n <= 599) {
      const before = text.slice(Math.max(0, offset - 20), offset);
      if (STATUS_BEFORE.test(before)) return match;
    }
    return "<n>";
  });
}

function capLength(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max);
  // Never leave half a surrogate pair: it would not survive a round trip through Postgres.
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return cut.trimEnd();
}

/** Memoised: a bug's reports mostly repeat one message, and this is a dozen regex passes. */
export const normaliseMessage: (message: string) => string = memoizeString(normaliseUncached, {
  maxEntries: 1000,
  maxKeyLength: 1024,
});

function normaliseUncached(message: string): string {
  if (typeof message !== "string") return "";
  // Order matters: containers (URLs, paths, e-mails) before their parts, UUIDs before hex,
  // timestamps before IPv6 (`12:30:00` looks like one), everything before bare numbers.
  let text = message.slice(0, MAX_INPUT);
  text = text.replace(URL, "<url>");
  text = replacePaths(text);
  text = text.replace(EMAIL, "<email>");
  text = text.replace(UUID, "<uuid>");
  text = text.replace(ISO_TIMESTAMP, "<timestamp>");
  text = text.replace(IPV6, (m) => (isIpv6(m) ? "<ip>" : m));
  text = text.replace(IPV4, "<ip>");
  text = text.replace(DATE, "<timestamp>");
  text = text.replace(TIME, "<timestamp>");
  text = text.replace(ADDRESS, "<addr>");
  text = text.replace(HEX, "<hex>");
  text = replaceNumbers(text);
  text = text.replace(/\s+/g, " ").trim();
  return capLength(text, MAX_NORMALISED_MESSAGE);
}
