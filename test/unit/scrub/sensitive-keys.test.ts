import { describe, expect, it } from "vitest";
import { createKeyMatcher } from "../../../src/scrub/sensitive-keys.js";

describe("createKeyMatcher", () => {
  const isSensitive = createKeyMatcher();

  it.each([
    "password",
    "Password",
    "db_password",
    "passwd",
    "client_secret",
    "token",
    "access_token",
    "refreshToken",
    "api_key",
    "apiKey",
    "x-api-key",
    "X-API-KEY",
    "auth",
    "Authorization",
    "HTTP_AUTHORIZATION",
    "Proxy-Authorization",
    "oauth_verifier",
    "cookie",
    "Set-Cookie",
    "credentials",
    "aws_credential",
    "private_key",
    "privateKey",
    "session",
    "sessionId",
    "JSESSIONID",
    "PHPSESSID",
    "csrf",
    "csrfmiddlewaretoken",
    "X-CSRF-Token",
    "aws.secret",
  ])("filters %s", (key) => {
    expect(isSensitive(key)).toBe(true);
  });

  it.each(["id", "user_id", "email", "order", "url", "method", "page", "status", "message"])(
    "keeps %s",
    (key) => {
      expect(isSensitive(key)).toBe(false);
    },
  );

  // Decision: substring matching as in Sentry. These are over-filtered on purpose; a lost
  // counter is cheaper than a leaked secret, and exceptions would be a list to maintain.
  it.each(["token_count", "author", "sessionCount"])("over-filters %s (documented)", (key) => {
    expect(isSensitive(key)).toBe(true);
  });

  it("gives the same verdict from its cache and for keys too long to cache", () => {
    for (let i = 0; i < 3; i++) {
      expect(isSensitive("X-Api-Key")).toBe(true);
      expect(isSensitive("version")).toBe(false);
    }
    expect(isSensitive(`${"x".repeat(200)}_token`)).toBe(true);
    expect(isSensitive("x".repeat(200))).toBe(false);
  });

  it("adds extra keys with the same folding", () => {
    const withExtra = createKeyMatcher(["customer_email", "  ", ""]);
    expect(withExtra("customerEmail")).toBe(true);
    expect(withExtra("X-Customer-Email")).toBe(true);
    // Blank extra keys are ignored instead of matching everything.
    expect(withExtra("page")).toBe(false);
  });
});
