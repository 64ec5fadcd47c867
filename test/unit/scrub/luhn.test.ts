import { describe, expect, it } from "vitest";
import { isLuhnValid } from "../../../src/scrub/luhn.js";

describe("isLuhnValid", () => {
  it.each([
    "4111111111111111", // Visa test card
    "5555555555554444", // Mastercard test card
    "378282246310005", // Amex test card
    "6011111111111117", // Discover test card
    "79927398713", // the textbook example
  ])("accepts %s", (digits) => {
    expect(isLuhnValid(digits)).toBe(true);
  });

  it.each(["4111111111111112", "1234567812345678", "79927398710", "", "4111 1111", "abc"])(
    "rejects %j",
    (digits) => {
      expect(isLuhnValid(digits)).toBe(false);
    },
  );
});
