import { memoizeString } from "../grouping/memo.js";

/**
 * Key names whose values are secrets. Matching is Sentry-style: case-insensitive, ignoring `-`,
 * `_`, `.` and spaces, and as a substring — so `x-api-key`, `db_password`, `sessionId` and
 * `HTTP_AUTHORIZATION` all match. Substring matching over-filters on purpose: `token_count`,
 * `author` and `csrfHeaderName` are filtered too; losing a harmless value is cheaper than
 * storing a secret in the database and a GitHub issue.
 */
export const DEFAULT_SENSITIVE_KEYS: readonly string[] = [
  "password",
  "passwd",
  "secret",
  "token",
  "api_key",
  "apikey",
  "auth", // also covers authorization, oauth, http_authorization
  "cookie", // also covers set-cookie
  "credential", // singular so both credential and credentials match
  "private_key",
  "session", // also covers JSESSIONID, session_id
  "sessid", // PHPSESSID, which "session" does not cover
  "csrf",
];

export type KeyMatcher = (key: string) => boolean;

/** Folds the spellings of one key (`X-Api-Key`, `x_api_key`, `xApiKey`) to one form. */
export function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[-_.\s]/g, "");
}

/**
 * The default and extra keys in normalised form, deduplicated. Extra keys that normalise to an
 * empty string are ignored: as a substring they would match, and filter, every key.
 */
export function sensitiveTerms(extraKeys: readonly string[] = []): string[] {
  const terms = new Set<string>();
  for (const key of [...DEFAULT_SENSITIVE_KEYS, ...extraKeys]) {
    if (typeof key !== "string") continue;
    const term = normalizeKey(key);
    if (term !== "") terms.add(term);
  }
  return [...terms];
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Builds the object-key matcher once per repo config. Verdicts are cached: the same keys
 * (`name`, `version`, `timestamp`…) come in report after report, and a lookup costs less than
 * folding and testing the key again. Bounded like every memo: long keys are not kept.
 */
export function createKeyMatcher(extraKeys: readonly string[] = []): KeyMatcher {
  const re = new RegExp(sensitiveTerms(extraKeys).map(escapeRegExp).join("|"));
  return memoizeString((key) => re.test(normalizeKey(key)), {
    maxEntries: 5000,
    maxKeyLength: 100,
  });
}
