import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { keyValuePatterns } from "../../../src/scrub/string-patterns.js";

// The inputs of scrub-string.test.ts that can hold a pair, and near misses of them.
const CORPUS = [
  "pan=5555-5555-5555-4444",
  "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig",
  "Authorization: Basic dXNlcjpodW50ZXIy",
  "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  'AWS_SECRET_ACCESS_KEY="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"',
  "aws secret key: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  "https://api.example.com/cb?access_token=ya29.a0AfH6SM&page=2",
  "/search?q=shoes&token=abc&page=2",
  "/login?next=/account?session_id=8f2c9a&x=1",
  "retrying with password: hunter2 for bob",
  'body {"email":"bob@example.com","password":"hunter2"}',
  "{'api_key': 'sk_live_51Hx', 'plan': 'pro'}",
  "['password' => 'secret123', 'name' => 'Bob']",
  "Cookie: sessionid=abc123; theme=dark; uid=42\nHost: shop",
  "at login (/app/src/auth.js:10:5)",
  "TokenExpiredError: jwt expired",
  "connect ECONNREFUSED https://user:pass@api.example.com/v1",
  "https://example.com/invite?email=bob@example.com",
  "SQLSTATE[23000]: Integrity constraint violation",
  "GET /api/orders?page=2&sort=desc",
  "4111 1111 1111 1111Bearer password: ",
  "cus_token=4111 1111 1111 1111token=token=",
  "A://token=/&@",
  "Authorization: Bearer 'token=",
  "X-Api-Key: abc",
  "PHPSESSID=abc",
  "csrf-token: x",
  "private.key = x",
  "customer_email: bob@example.com",
  "μ-code: 12",
];

// Edits that make and break terms: separators, case, quotes and pair punctuation.
const ALPHABET = [..."-_. =:\"'>&aApPsSwWoOrRdDtTkKeEnNcCiIyYuUhHfFμΜµ"];

const mutated = fc
  .tuple(
    fc.constantFrom(...CORPUS),
    fc.array(
      fc.tuple(fc.constantFrom("insert", "delete", "case"), fc.nat(), fc.constantFrom(...ALPHABET)),
      { maxLength: 8 },
    ),
  )
  .map(([base, edits]) => {
    let s = base;
    for (const [kind, at, ch] of edits) {
      const i = s.length === 0 ? 0 : at % s.length;
      if (kind === "insert") s = s.slice(0, i) + ch + s.slice(i);
      else if (kind === "delete") s = s.slice(0, i) + s.slice(i + 1);
      else {
        const c = s.charAt(i);
        const flipped = c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase();
        s = s.slice(0, i) + flipped + s.slice(i + 1);
      }
    }
    return s;
  });

describe("keyValuePatterns: the hasTerm prefilter", () => {
  it.each([
    ["default keys", []],
    ["extra keys", ["customer_email", "μ-code"]],
  ])("never skips a string the pair regex would change (%s)", (_name, extraKeys) => {
    const { keyValue, hasTerm } = keyValuePatterns(extraKeys);
    // No `g`: a test on one string must not move where the next one starts.
    expect(hasTerm.flags).not.toContain("g");
    let pairs = 0;
    const check = (s: string) => {
      const matches = s.search(keyValue) !== -1;
      if (matches) pairs++;
      if (!hasTerm.test(s)) expect(matches, s).toBe(false);
    };
    for (const s of CORPUS) check(s);
    fc.assert(
      fc.property(mutated, (s) => check(s)),
      { numRuns: 5_000 },
    );
    fc.assert(
      fc.property(fc.string(), (s) => check(s)),
      { numRuns: 1_000 },
    );
    // Not vacuous: many of the strings hold a pair.
    expect(pairs).toBeGreaterThan(1_000);
  });
});
