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
    ["Timeout of 30000ms exceeded after 2.5s", "Timeout of <duration> exceeded after <duration>"],
    ["retrying in 30 seconds (attempt 3)", "retrying in <duration> (attempt <n>)"],
    // Sentry's parameterisation, pattern by pattern.
    [
      "could not reach db-3.eu.shop.io (pool api.internal)",
      "could not reach <hostname> (pool <hostname>)",
    ],
    ["bad header 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "bad header <trace>"],
    ["commit 3f2a1b9 and 8d7e6f5a9c0b1d2e3f4a5b6c7d8e9f0a1b2c3d4e", "commit <hex> and <hex>"],
    ["Mon, 02 Jan 2006 15:04:05 GMT is past", "<timestamp> is past"],
    [
      "expired Mon Jan 02 2006 15:04:05 GMT+0000 (Coordinated Universal Time)",
      "expired <timestamp>",
    ],
    ["due Jan 2, 2006", "due <timestamp>"],
    ["at datetime.datetime(2024, 1, 2, 3, 4, 5)", "at <timestamp>"],
    [
      "lookup failed: sku='pear' store=\"berlin-2\" cached=true",
      "lookup failed: sku=<value> store=<value> cached=<bool>",
    ],
    // Ids that APIs mint, and random tokens.
    ["customer cus_8fK2xQ91mZ not found", "customer <id> not found"],
    ["invoice in_849291 is locked", "invoice <id> is locked"],
    ["session KoaZ1F4VX9 expired", "session <token> expired"],
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
