import { isIP } from "node:net";
import { FILTERED } from "./filtered.js";

// Loose candidates, confirmed by node:net, so the regexes stay simple and cannot backtrack badly.
// Version strings such as `1.2.3.4` are indistinguishable from IPv4 and are filtered too; that is
// why IP scrubbing is opt-in.
const IPV4_CANDIDATE = /(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?!\w|\.\d)/g;
const IPV6_CANDIDATE =
  /(?<![\w:])(?:[0-9a-f]{0,4}:){2,7}(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f]{0,4})(?![\w:])/gi;

/** IPv6 first, so `::ffff:10.0.0.1` goes as one address rather than leaving its prefix. */
export function scrubIpAddresses(s: string): string {
  return s
    .replace(IPV6_CANDIDATE, (m) => (isIP(m) === 6 ? FILTERED : m))
    .replace(IPV4_CANDIDATE, (m) => (isIP(m) === 4 ? FILTERED : m));
}
