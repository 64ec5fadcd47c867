import { FILTERED } from "./filtered.js";
import { isLuhnValid } from "./luhn.js";

/**
 * A run of 13–19 digits, single spaces or dashes allowed between them. The first digit must be
 * 2–6 (Mastercard 2-series, Amex/Diners/JCB, Visa, Mastercard, Discover/Maestro/UnionPay): that
 * keeps millisecond timestamps (`1700000000000`) out even when they happen to pass Luhn.
 *
 * Only a whole token is a card: no letter, digit, `_` or `.` right before or after it, and no
 * such character joined to it by a dash or dot. So the digit groups of a UUID
 * (`40739154-1142-4891-a344-…`), a hash, a version or an id like `ORD-4111…` stay as they are.
 */
const CARD_CANDIDATE = /(?<![\w.]|[\w.][-.])[2-6](?:[ -]?\d){12,18}(?![\w]|[-.]\w)/g;

interface DigitGroup {
  start: number;
  end: number;
  digits: string;
}

/**
 * Filters Luhn-valid card numbers; Luhn-invalid runs (order ids, phone numbers) stay. The regex
 * match can be longer than the card (`4111 1111 1111 1111 7`), so when the whole run fails Luhn
 * the card is looked for among its space/dash-separated groups.
 */
export function scrubCreditCards(s: string): string {
  // Shorter than the shortest card: nothing to scan (most strings are names and paths).
  if (s.length < 13) return s;
  return s.replace(CARD_CANDIDATE, (candidate) => {
    if (isLuhnValid(candidate.replace(/[ -]/g, ""))) return FILTERED;
    return scrubGroups(candidate);
  });
}

function scrubGroups(candidate: string): string {
  const groups: DigitGroup[] = [];
  for (const m of candidate.matchAll(/\d+/g)) {
    groups.push({ start: m.index, end: m.index + m[0].length, digits: m[0] });
  }
  let out = "";
  let cursor = 0;
  let i = 0;
  while (i < groups.length) {
    const end = longestCardFrom(groups, i);
    const first = groups[i];
    const last = groups[end];
    if (end === -1 || first === undefined || last === undefined) {
      i++;
      continue;
    }
    out += candidate.slice(cursor, first.start) + FILTERED;
    cursor = last.end;
    i = end + 1;
  }
  return out + candidate.slice(cursor);
}

/** Index of the last group of the longest Luhn-valid card starting at group `i`, or -1. */
function longestCardFrom(groups: readonly DigitGroup[], i: number): number {
  const firstDigit = groups[i]?.digits[0] ?? "";
  if (firstDigit < "2" || firstDigit > "6") return -1;
  let digits = "";
  let best = -1;
  for (let j = i; j < groups.length; j++) {
    digits += groups[j]?.digits ?? "";
    if (digits.length > 19) break;
    if (digits.length >= 13 && isLuhnValid(digits)) best = j;
  }
  return best;
}
