import { describe, expect, it } from "vitest";
import { EnvError, loadEnv } from "../../../src/config/env.js";

describe("ingest rate limits from the environment", () => {
  it("defaults to 1000 requests a minute per key", () => {
    const env = loadEnv({});
    expect(env.REPORT_RATE_LIMIT_PER_MINUTE).toBe(1000);
    expect(env.SENTRY_RATE_LIMIT_PER_MINUTE).toBe(1000);
  });

  it("reads positive integers and names a bad variable", () => {
    expect(loadEnv({ REPORT_RATE_LIMIT_PER_MINUTE: "50" }).REPORT_RATE_LIMIT_PER_MINUTE).toBe(50);
    expect(loadEnv({ REPORT_RATE_LIMIT_PER_MINUTE: "" }).REPORT_RATE_LIMIT_PER_MINUTE).toBe(1000);
    expect(() => loadEnv({ SENTRY_RATE_LIMIT_PER_MINUTE: "0" })).toThrow(EnvError);
    expect(() => loadEnv({ REPORT_RATE_LIMIT_PER_MINUTE: "lots" })).toThrow(
      /REPORT_RATE_LIMIT_PER_MINUTE/,
    );
  });
});
