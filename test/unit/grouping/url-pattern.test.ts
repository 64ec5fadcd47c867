import { describe, expect, it } from "vitest";
import { urlPattern } from "../../../src/grouping/index.js";

describe("urlPattern", () => {
  it.each([
    ["/api/pets/123/", "/api/pets/{id}/"],
    ["https://x.com/u/550e8400-e29b-41d4-a716-446655440000?x=1", "/u/{id}"],
    [
      "https://shop.example.com:8443/orders/5f2c1a7b9e3d4c2b1a0f9e8d/items#top",
      "/orders/{id}/items",
    ],
    ["/t/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0/x", "/t/{id}/x"],
    ["/reset/sk_live_4eC39HqLyjWDarjtT1zdp7dc", "/reset/{id}"],
    ["/users/bob@example.com/settings", "/users/{id}/settings"],
    // Words, slugs and versions are routes, not ids.
    ["/blog/how-to-install-node-on-ubuntu", "/blog/how-to-install-node-on-ubuntu"],
    ["/api/v2/checkout", "/api/v2/checkout"],
    ["//cdn.example.com/a/b", "/a/b"],
    ["api/x", "/api/x"],
    ["", "/"],
  ])("%j -> %j", (input, expected) => {
    expect(urlPattern(input)).toBe(expected);
  });
});
