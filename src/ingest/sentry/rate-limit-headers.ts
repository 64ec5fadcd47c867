export interface SentryRateLimitHeaders {
  "Retry-After": string;
  "X-Sentry-Rate-Limits": string;
}

/** Used when the caller hands us a non-number: the spec's own fallback for a bare 429. */
const DEFAULT_RETRY_AFTER_SECONDS = 60;

/** Data category names are lowercase words; anything else could break or inject into the header. */
const CATEGORY = /^[a-z][a-z0-9_]*$/;

/**
 * Headers for a 429 that SDKs understand (https://develop.sentry.dev/sdk/rate-limiting/):
 * `X-Sentry-Rate-Limits: <retry_after>:<categories>:<scope>`, categories `;`-separated, empty
 * meaning every category. Scope is `project`: Faultline's quotas are per project (its ingest key
 * belongs to one project) and it has no organisations. SDKs ignore the scope anyway.
 */
export function formatRateLimitHeaders(
  retryAfterSeconds: number,
  categories: string[] = [],
): SentryRateLimitHeaders {
  const seconds =
    typeof retryAfterSeconds === "number" && Number.isFinite(retryAfterSeconds)
      ? Math.max(0, Math.ceil(retryAfterSeconds))
      : DEFAULT_RETRY_AFTER_SECONDS;
  // Invalid names are dropped rather than thrown: callers pass constants, and a header must
  // still go out on the 429.
  const names = Array.isArray(categories)
    ? [...new Set(categories.filter((c) => typeof c === "string" && CATEGORY.test(c)))]
    : [];
  return {
    "Retry-After": String(seconds),
    "X-Sentry-Rate-Limits": `${seconds}:${names.join(";")}:project`,
  };
}
