import { memoizeString } from "../memo.js";
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
} from "../message-patterns.js";

/**
 * Message normalisation of fingerprint version 1, frozen: bugs created under version 1 are found
 * again during a grouping transition by recomputing their version-1 hash, so this must keep
 * giving the same output (test/unit/grouping/fingerprint-v1.test.ts). The current normaliser is
 * ../normalise-message.ts.
 */

/** Memoised: a bug's reports mostly repeat one message, and this is a dozen regex passes. */
export const normaliseMessageV1: (message: string) => string = memoizeString(normaliseUncached, {
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
  text = replaceIpv6(text);
  text = text.replace(IPV4, "<ip>");
  text = text.replace(DATE, "<timestamp>");
  text = text.replace(TIME, "<timestamp>");
  text = text.replace(ADDRESS, "<addr>");
  text = text.replace(HEX, "<hex>");
  text = replaceNumbers(text);
  text = text.replace(/\s+/g, " ").trim();
  return capLength(text, MAX_NORMALISED_MESSAGE);
}
