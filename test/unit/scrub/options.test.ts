import { describe, expect, it } from "vitest";
import { FILTERED, ScrubConfigError, createScrubber } from "../../../src/scrub/index.js";

describe("extraKeys", () => {
  const { scrubValue, scrubString } = createScrubber({ extraKeys: ["customer_email", "iban"] });

  it("filters values under extra keys in objects, in any spelling", () => {
    expect(
      scrubValue({ customerEmail: "bob@example.com", IBAN: "DE89370400440532013000", plan: "pro" }),
    ).toEqual({ customerEmail: FILTERED, IBAN: FILTERED, plan: "pro" });
  });

  it("filters extra keys in query strings and text", () => {
    expect(scrubString("/invite?customer-email=bob@example.com&plan=pro")).toBe(
      `/invite?customer-email=${FILTERED}&plan=pro`,
    );
  });

  it("keeps the default keys", () => {
    expect(scrubValue({ password: "hunter2" })).toEqual({ password: FILTERED });
  });
});

describe("extraPatterns", () => {
  it("filters every match of each pattern inside strings", () => {
    const { scrubString, scrubValue } = createScrubber({
      extraPatterns: ["cus_[A-Za-z0-9]{14}", "order_ref=(?<secret>\\w+)"],
    });
    expect(scrubString("Stripe customer cus_NffrFeUfNV2Hib not found")).toBe(
      `Stripe customer ${FILTERED} not found`,
    );
    expect(scrubString("order_ref=A77X&x=1")).toBe(`order_ref=${FILTERED}&x=1`);
    expect(scrubValue({ note: ["cus_NffrFeUfNV2Hib"] })).toEqual({ note: [FILTERED] });
  });

  it("reports an invalid pattern by name instead of crashing on reports", () => {
    const create = () => createScrubber({ extraPatterns: ["cus_\\w+", "([a-z"] });
    expect(create).toThrow(ScrubConfigError);
    expect(create).toThrow(/"\(\[a-z"/);
    try {
      create();
    } catch (err) {
      expect(err).toBeInstanceOf(ScrubConfigError);
      expect((err as ScrubConfigError).code).toBe("SCRUB_CONFIG_INVALID");
      expect((err as ScrubConfigError).patterns).toEqual(["([a-z"]);
    }
  });

  it("rejects a pattern that matches the empty string", () => {
    expect(() => createScrubber({ extraPatterns: ["\\d*"] })).toThrow(/matches the empty string/);
  });

  it("names every bad pattern at once", () => {
    expect(() => createScrubber({ extraPatterns: ["(", "x*", "ok"] })).toThrow(
      expect.objectContaining({ patterns: ["(", "x*"] }),
    );
  });
});

describe("scrubIpAddresses", () => {
  const text = "connect ETIMEDOUT 10.0.3.17:5432 from 2001:db8::8a2e:370:7334 (::1)";

  it("is off by default", () => {
    expect(createScrubber().scrubString(text)).toBe(text);
  });

  it("filters IPv4 and IPv6 when on, not clock times", () => {
    const { scrubString, scrubValue } = createScrubber({ scrubIpAddresses: true });
    expect(scrubString(text)).toBe(
      `connect ETIMEDOUT ${FILTERED}:5432 from ${FILTERED} (${FILTERED})`,
    );
    expect(scrubString("retry at 10:30:00 on 2025-03-14")).toBe("retry at 10:30:00 on 2025-03-14");
    expect(scrubValue({ "X-Forwarded-For": "203.0.113.7, 198.51.100.2" })).toEqual({
      "X-Forwarded-For": `${FILTERED}, ${FILTERED}`,
    });
    expect(scrubString("http://[2001:db8::1]:8080/health")).toBe(
      `http://[${FILTERED}]:8080/health`,
    );
  });
});
