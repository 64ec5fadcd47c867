import { describe, expect, it } from "vitest";
import {
  ownerMatchForFrame,
  ownersForFrame,
  parseCodeowners,
} from "../../../src/escalation/index.js";

/** A shop with a Laravel backend, a Python worker and a TS storefront in one repo. */
const SHOP = parseCodeowners(`
*                          @shop/maintainers
*.php                      @shop/backend
/app/Http/Controllers/     @shop/checkout @bob
/app/models/               @alice
/src/cart/                 @carol
/static/js/                @shop/frontend
/src/generated/
`);

describe("ownersForFrame", () => {
  it.each([
    [{ filename: "/app/src/cart/checkout.ts" }, ["@carol"]],
    [{ filename: "webpack:///./src/cart/total.ts" }, ["@carol"]],
    [{ filename: "https://shop.example.com/static/js/main.3f2a.js" }, ["@shop/frontend"]],
    [
      { filename: "/var/www/html/app/Http/Controllers/CartController.php" },
      ["@shop/checkout", "@bob"],
    ],
    [{ filename: "/var/www/html/app/Providers/AppServiceProvider.php" }, ["@shop/backend"]],
    [{ filename: "app/models/cart.py", absPath: "/srv/worker/app/models/cart.py" }, ["@alice"]],
    [{ filename: "/app/README" }, ["@shop/maintainers"]],
    [{ filename: "/app/src/generated/api.ts" }, []],
  ])("%j -> %j", (frame, owners) => {
    expect(ownersForFrame(SHOP, frame)).toEqual(owners);
  });

  it("looks past a catch-all match to the tail a specific rule owns", () => {
    const frame = { filename: "/opt/build/7/src/cart/checkout.ts" };
    expect(ownerMatchForFrame(SHOP, frame)).toMatchObject({
      path: "src/cart/checkout.ts",
      rule: { pattern: "/src/cart/", line: 6 },
    });
  });

  it("falls back to the catch-all on the most specific path", () => {
    const frame = { filename: "/opt/build/7/tools/seed.ts" };
    expect(ownerMatchForFrame(SHOP, frame)).toMatchObject({
      path: "opt/build/7/tools/seed.ts",
      rule: { pattern: "*" },
    });
  });

  it("returns no owners when no rule matches or nothing is known of the file", () => {
    const rules = parseCodeowners("/src/ @carol");
    expect(ownersForFrame(rules, { filename: "/app/lib/x.ts" })).toEqual([]);
    expect(ownersForFrame(SHOP, {})).toEqual([]);
    expect(ownerMatchForFrame([], { filename: "/app/src/x.ts" })).toBeUndefined();
  });
});
