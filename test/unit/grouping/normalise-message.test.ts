import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normaliseMessage } from "../../../src/grouping/index.js";

describe("normaliseMessage", () => {
  it.each([
    // Quoted identifiers are what tell TypeErrors apart: kept.
    [
      "Cannot read properties of undefined (reading 'id')",
      "Cannot read properties of undefined (reading 'id')",
    ],
    ["User 550e8400-e29b-41d4-a716-446655440000 not found", "User <uuid> not found"],
    [
      "Invalid email bob.smith+test@example.co.uk for account 1234",
      "Invalid email <email> for account <n>",
    ],
    ["GET https://api.example.com/v1/users/42?token=abc failed.", "GET <url> failed."],
    ["connect ECONNREFUSED 127.0.0.1:5432", "connect ECONNREFUSED <ip>:<n>"],
    ["Host fe80::1ff:fe23:4567:890a unreachable", "Host <ip> unreachable"],
    ["std::vector out of range in Foo::bar", "std::vector out of range in Foo::bar"],
    ["Segfault at 0x7ffd5e8c1a20", "Segfault at <addr>"],
    [
      "Object 5f2c1a7b9e3d not found; sha d41d8cd98f00b204e9800998ecf8427e",
      "Object <hex> not found; sha <hex>",
    ],
    // Words made only of a-f letters are not hashes.
    ["accessed defaced facade deadbeef", "accessed defaced facade deadbeef"],
    ["Job started at 2024-01-15T10:23:45.123Z timed out", "Job started at <timestamp> timed out"],
    ["Date 15/01/2024 at 10:23 is invalid", "Date <timestamp> at <timestamp> is invalid"],
    [
      "Failed to open /var/www/app/storage/logs/laravel-2024-01-15.log: Permission denied",
      "Failed to open <path>: Permission denied",
    ],
    [
      "Could not find file 'C:\\inetpub\\wwwroot\\App_Data\\users.json'",
      "Could not find file '<path>'",
    ],
    ["Timeout of 30000ms exceeded after 2.5s", "Timeout of <n>ms exceeded after <n>s"],
    // Status codes distinguish errors: kept.
    ["Request failed with status code 404", "Request failed with status code 404"],
    [
      "Invalid encoding utf8 for B2B partner v2 id 77",
      "Invalid encoding utf8 for B2B partner v2 id <n>",
    ],
    ["Price -12.50 is below 1,000.00", "Price <n> is below <n>"],
    [
      "Duplicate entry 'bob@x.com' for key 'users_email_unique'",
      "Duplicate entry '<email>' for key 'users_email_unique'",
    ],
    ["  lots   of\n\n whitespace  ", "lots of whitespace"],
    ["", ""],
  ])("%j -> %j", (input, expected) => {
    expect(normaliseMessage(input)).toBe(expected);
  });

  it("caps the length at 500 characters", () => {
    expect(normaliseMessage("word ".repeat(1000))).toHaveLength(499);
    expect(normaliseMessage("x".repeat(10_000)).length).toBeLessThanOrEqual(500);
  });

  it("is idempotent and never throws", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const once = normaliseMessage(text);
        expect(normaliseMessage(once)).toBe(once);
      }),
      { numRuns: 300 },
    );
  });
});
