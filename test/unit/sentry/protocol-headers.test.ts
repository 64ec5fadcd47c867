import { describe, expect, it } from "vitest";
import {
  dsnKeyFromEnvelopeHeader,
  formatRateLimitHeaders,
  parseSentryAuth,
} from "../../../src/ingest/sentry/index.js";

describe("parseSentryAuth", () => {
  it("reads the header as the JavaScript SDK sends it", () => {
    expect(
      parseSentryAuth(
        "Sentry sentry_key=abc, sentry_version=7, sentry_client=sentry.javascript.node/8.0.0",
      ),
    ).toEqual({
      sentryKey: "abc",
      sentryVersion: "7",
      sentryClient: "sentry.javascript.node/8.0.0",
    });
  });

  it("reads the Python/Java form with a secret and timestamp, ignoring those", () => {
    expect(
      parseSentryAuth(
        "Sentry sentry_key=pub, sentry_version=7, sentry_client=sentry.python/2.5.1, sentry_timestamp=1717937020, sentry_secret=s3cr3t",
      ),
    ).toEqual({ sentryKey: "pub", sentryVersion: "7", sentryClient: "sentry.python/2.5.1" });
  });

  it("tolerates no prefix, odd whitespace, case and quotes", () => {
    expect(parseSentryAuth("sentry_key=abc,sentry_version=7")).toEqual({
      sentryKey: "abc",
      sentryVersion: "7",
    });
    expect(parseSentryAuth('  sentry\tSENTRY_KEY = "abc" ,  sentry_client=x/1 ')).toEqual({
      sentryKey: "abc",
      sentryClient: "x/1",
    });
  });

  it("returns {} for missing or useless headers", () => {
    expect(parseSentryAuth(undefined)).toEqual({});
    expect(parseSentryAuth("")).toEqual({});
    expect(parseSentryAuth("Bearer xyz")).toEqual({});
    expect(parseSentryAuth("Sentry sentry_key=, constructor=1, __proto__=2")).toEqual({});
    expect(parseSentryAuth(42 as unknown as string)).toEqual({});
  });
});

describe("dsnKeyFromEnvelopeHeader", () => {
  it("reads the public key and project id", () => {
    expect(
      dsnKeyFromEnvelopeHeader({ dsn: "https://e12d836b15bb49d7@faultline.example.com/42" }),
    ).toEqual({ publicKey: "e12d836b15bb49d7", projectId: "42" });
  });

  it("handles a legacy secret, a port and a path prefix", () => {
    expect(
      dsnKeyFromEnvelopeHeader({ dsn: "http://pub:secret@localhost:3000/sentry/api/7" }),
    ).toEqual({ publicKey: "pub", projectId: "7" });
    expect(dsnKeyFromEnvelopeHeader({ dsn: "https://pub@host" })).toEqual({ publicKey: "pub" });
  });

  it("returns undefined without a usable DSN", () => {
    expect(dsnKeyFromEnvelopeHeader({})).toBeUndefined();
    expect(dsnKeyFromEnvelopeHeader(undefined)).toBeUndefined();
    expect(dsnKeyFromEnvelopeHeader({ dsn: "not a url" })).toBeUndefined();
    expect(dsnKeyFromEnvelopeHeader({ dsn: "https://host/42" })).toBeUndefined();
    expect(dsnKeyFromEnvelopeHeader({ dsn: 42 })).toBeUndefined();
  });
});

describe("formatRateLimitHeaders", () => {
  it("limits the given categories for the project", () => {
    expect(formatRateLimitHeaders(60, ["error", "transaction"])).toEqual({
      "Retry-After": "60",
      "X-Sentry-Rate-Limits": "60:error;transaction:project",
    });
  });

  it("uses an empty category list to mean all categories", () => {
    expect(formatRateLimitHeaders(60)).toEqual({
      "Retry-After": "60",
      "X-Sentry-Rate-Limits": "60::project",
    });
    expect(formatRateLimitHeaders(60, [])["X-Sentry-Rate-Limits"]).toBe("60::project");
  });

  it("rounds up to whole seconds and never goes negative", () => {
    expect(formatRateLimitHeaders(1.2)["Retry-After"]).toBe("2");
    expect(formatRateLimitHeaders(-5)["X-Sentry-Rate-Limits"]).toBe("0::project");
    expect(formatRateLimitHeaders(Number.NaN)["Retry-After"]).toBe("60");
  });

  it("leaves out category names that would break the header", () => {
    expect(
      formatRateLimitHeaders(30, ["error", "x:y", "a,b", "bad\r\nname", "error"])[
        "X-Sentry-Rate-Limits"
      ],
    ).toBe("30:error:project");
  });
});
