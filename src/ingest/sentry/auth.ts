import { memoizeString } from "../../grouping/memo.js";

export interface SentryAuth {
  sentryKey?: string;
  sentryVersion?: string;
  sentryClient?: string;
}

/** Keys we read; anything else (`sentry_secret`, `sentry_timestamp`) is ignored on purpose. */
const FIELDS: Record<string, keyof SentryAuth> = {
  sentry_key: "sentryKey",
  sentry_version: "sentryVersion",
  sentry_client: "sentryClient",
};

/**
 * Parses `X-Sentry-Auth: Sentry sentry_key=abc, sentry_version=7, sentry_client=x/1.0`.
 * SDKs differ in spacing and some old ones omit the `Sentry ` prefix or quote values, so all of
 * that is tolerated; a header that says nothing useful yields `{}` and the route decides.
 * Memoised: an SDK sends the same header with every request, and the rate limiter's key and the
 * route both read it. The result is shared, hence frozen.
 */
export function parseSentryAuth(header: string | undefined): Readonly<SentryAuth> {
  return typeof header === "string" ? parseMemoised(header) : NO_AUTH;
}

const NO_AUTH: Readonly<SentryAuth> = Object.freeze({});

const parseMemoised = memoizeString(
  (header: string): Readonly<SentryAuth> => {
    const result: SentryAuth = {};
    const body = header.replace(/^\s*sentry(?=\s)/i, "");
    for (const part of body.split(",")) {
      const eq = part.indexOf("=");
      if (eq < 0) continue;
      const key = part.slice(0, eq).trim().toLowerCase();
      // hasOwn, not `FIELDS[key]`: a key such as `constructor` must not find Object's members.
      const field = Object.hasOwn(FIELDS, key) ? FIELDS[key] : undefined;
      const value = unquote(part.slice(eq + 1).trim());
      if (field !== undefined && value !== "") result[field] = value;
    }
    return Object.freeze(result);
  },
  { maxEntries: 1000 },
);

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"')
    ? value.slice(1, -1).trim()
    : value;
}
