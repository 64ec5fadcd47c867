import { memoizeString } from "./memo.js";
import {
  ADDRESS,
  DATE,
  EMAIL,
  HEX,
  IPV4,
  ISO_TIMESTAMP,
  MAX_INPUT,
  MAX_NORMALISED_MESSAGE,
  TIME,
  URL,
  UUID,
  capLength,
  replaceIpv6,
  replaceNumbers,
  replacePaths,
} from "./message-patterns.js";

export { MAX_NORMALISED_MESSAGE } from "./message-patterns.js";

/**
 * Message normalisation: two reports of one bug usually differ only by the data in the message
 * (an id, an e-mail, a time). Replacing that data with placeholders lets them group together.
 * The message counts in a fingerprint only when no stack frame does, so this is what groups
 * `captureMessage` calls, log records without a template and frameless reports.
 *
 * Sentry's parameterisation (src/sentry/grouping/parameterization.py) is the floor: e-mails,
 * URLs, hostnames, IPs, trace ids, UUIDs, sha1/md5/git shas and other hex, dates and times in
 * the common textual forms, durations, floats, ints and `key='value'` / `key="value"` pairs. On
 * top of it: file paths, and the ids that APIs mint (`cus_8fK2xQ…`, `in_849291`, long random
 * tokens). HTTP status codes stay: "status 404" and "status 500" are different errors.
 */

const MONTH = "(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]{0,6}";
const WEEKDAY = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]{0,6}";
const ZONE = "(?:[+-]\\d{2}:?\\d{2}|UTC|UT|GMT(?:[+-]\\d{4})?|[ECMP][SD]T|Z)";
/**
 * Textual dates: RFC 822/1123 (`Mon, 02 Jan 2006 15:04:05 GMT`), RFC 850, JavaScript's
 * `Date#toString` (`Mon Jan 02 2006 15:04:05 GMT+0000 (Coordinated Universal Time)`), `Jan 2,
 * 2006`, and Python's `datetime.datetime(2024, 1, 2, 3, 4)` repr.
 */
const TEXT_DATE = new RegExp(
  [
    `\\b(?:${WEEKDAY},?\\s+)?\\d{1,2}[\\s-]${MONTH}[\\s-]\\d{2,4}(?:\\s+\\d{1,2}:\\d{2}(?::\\d{2})?(?:\\s*${ZONE})?)?`,
    `\\b(?:${WEEKDAY},?\\s+)?${MONTH}\\s+\\d{1,2}(?:,\\s*|\\s+)\\d{4}(?:\\s+\\d{1,2}:\\d{2}(?::\\d{2})?(?:\\s*${ZONE})?(?:\\s\\([A-Za-z ]{1,60}\\))?)?`,
    `\\b${WEEKDAY}\\s+${MONTH}\\s+\\d{1,2}\\s+\\d{1,2}:\\d{2}:\\d{2}(?:\\s+${ZONE})?\\s+\\d{4}`,
    "\\bdatetime\\.(?:datetime|date)\\([\\d, ]{1,80}(?:tzinfo=[\\w.()]{1,60})?\\)",
  ].join("|"),
  "g",
);
/** W3C traceparent and AWS X-Ray ids: hex runs that HEX would split into several placeholders. */
const TRACE_ID = /\b(?:00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]|1-[0-9a-f]{8}-[0-9a-f]{24})\b/g;
/** `key='value'`, `key = "value"`: the value is data, the key says what it is. */
const QUOTED_VALUE = /(\b[\w.-]{1,64}\s?=\s?)(?:'[^'\n]{0,200}'|"[^"\n]{0,200}")/g;
const BOOL_VALUE = /(\b[\w.-]{1,64}\s?=\s?)(?:true|false|True|False)\b/g;
/** Host names under the 100 most used top-level domains (Sentry's list). */
const HOSTNAME =
  /(?<![\w.@-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:com|net|org|jp|de|uk|fr|br|it|ru|es|me|gov|pl|ca|au|cn|co|in|nl|edu|info|eu|ch|id|at|kr|cz|mx|be|tv|se|tr|tw|al|ua|ir|vn|cl|sk|ly|cc|to|no|fi|us|pt|dk|ar|hu|tk|gr|il|news|ro|my|biz|ie|za|nz|sg|ee|th|io|xyz|pe|bg|hk|rs|lt|link|ph|club|si|site|mobi|by|cat|wiki|la|ga|xxx|cf|hr|ng|jobs|online|kz|ug|gq|ae|is|lv|pro|fm|tips|ms|sa|app|local|internal)(?![\w.-]*\w)/gi;
/** `250ms`, `1.5 s`, `30 seconds`: a timeout of 100 ms and one of 200 ms are one error. */
const DURATION =
  /(?<![\w.])\d+(?:\.\d+)?\s?(?:ms|µs|us|ns|s|secs?|seconds?|mins?|minutes?|h|hrs?|hours?)(?![\w])/g;
/** Ids with a type prefix, as payment and SaaS APIs mint them: `cus_8fK2xQ`, `in_849291`. */
const PREFIXED_ID = /\b[A-Za-z]{2,12}_(?=[A-Za-z0-9]{0,63}\d)[A-Za-z0-9]{4,64}\b/g;
/**
 * Random tokens: 10+ letters and digits mixing both cases and a digit (session and order ids,
 * keys). An identifier such as `OAuth2Client` matches too: harmless, it is the same in every
 * report of its bug.
 */
const RANDOM_TOKEN =
  /\b(?=[A-Za-z0-9]{0,127}\d)(?=[A-Za-z0-9]{0,127}[A-Z])(?=[A-Za-z0-9]{0,127}[a-z])[A-Za-z0-9]{10,128}\b/g;
/** Short git shas: 7 lowercase hex characters with both a digit and a letter. */
const GIT_SHA = /\b(?=[a-f]{0,6}\d)(?=\d{0,6}[a-f])[0-9a-f]{7}\b/g;

/** Memoised: a bug's reports mostly repeat one message, and this is a score of regex passes. */
export const normaliseMessage: (message: string) => string = memoizeString(normaliseUncached, {
  maxEntries: 1000,
  maxKeyLength: 1024,
});

function normaliseUncached(message: string): string {
  if (typeof message !== "string") return "";
  // Order matters: containers (URLs, paths, e-mails, quoted values) before their parts, trace
  // ids and UUIDs before hex, dates before times, times before IPv6 (`12:30:00` looks like
  // one), everything before bare numbers.
  let text = message.slice(0, MAX_INPUT);
  text = text.replace(URL, "<url>");
  text = replacePaths(text);
  text = text.replace(EMAIL, "<email>");
  text = text.replace(TRACE_ID, "<trace>");
  text = text.replace(UUID, "<uuid>");
  text = text.replace(TEXT_DATE, "<timestamp>");
  text = text.replace(ISO_TIMESTAMP, "<timestamp>");
  text = text.replace(QUOTED_VALUE, "$1<value>");
  text = text.replace(BOOL_VALUE, "$1<bool>");
  text = replaceIpv6(text);
  text = text.replace(IPV4, "<ip>");
  text = text.replace(HOSTNAME, "<hostname>");
  text = text.replace(DATE, "<timestamp>");
  text = text.replace(TIME, "<timestamp>");
  text = text.replace(DURATION, "<duration>");
  text = text.replace(PREFIXED_ID, "<id>");
  text = text.replace(RANDOM_TOKEN, "<token>");
  text = text.replace(ADDRESS, "<addr>");
  text = text.replace(HEX, "<hex>");
  text = text.replace(GIT_SHA, "<hex>");
  text = replaceNumbers(text);
  text = text.replace(/\s+/g, " ").trim();
  return capLength(text, MAX_NORMALISED_MESSAGE);
}
