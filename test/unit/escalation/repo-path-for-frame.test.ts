import { describe, expect, it } from "vitest";
import { repoPathForFrame } from "../../../src/escalation/index.js";

describe("repoPathForFrame", () => {
  it.each([
    // Docker / Heroku-style roots
    ["/app/src/cart/checkout.ts", ["src/cart/checkout.ts"]],
    ["/usr/src/app/lib/orders.js", ["lib/orders.js"]],
    ["/var/task/handler.js", ["handler.js"]],
    ["/workspace/server/main.go", ["server/main.go"]],
    // PHP: the Laravel `app/` under the web root is part of the repo path
    [
      "/var/www/html/app/Http/Controllers/CartController.php",
      ["app/Http/Controllers/CartController.php"],
    ],
    // Capistrano releases and current symlinks
    ["/var/www/shop/releases/20261123090000/app/models/cart.rb", ["app/models/cart.rb"]],
    ["/home/deploy/shop/current/app/models/cart.rb", ["app/models/cart.rb"]],
    ["/srv/shop/app/models/cart.py", ["app/models/cart.py"]],
    ["/home/runner/work/shop/shop/src/cart.ts", ["src/cart.ts"]],
    // bundler URLs
    ["webpack:///./src/cart.ts", ["src/cart.ts"]],
    ["webpack:///src/cart.ts", ["src/cart.ts"]],
    ["webpack://shop-web/./src/components/Cart.tsx", ["src/components/Cart.tsx"]],
    ["app:///src/screens/Cart.tsx", ["src/screens/Cart.tsx"]],
    // served URLs: the path on the server, query and hash dropped
    ["https://shop.example.com/static/js/main.3f2a.js", ["static/js/main.3f2a.js"]],
    ["https://cdn.example.com/assets/cart%20page.js?v=3#L1", ["assets/cart page.js"]],
    // already relative
    ["app/models/cart.py", ["app/models/cart.py"]],
    ["./src/cart.ts", ["src/cart.ts"]],
    ["src/../lib/x.ts", ["lib/x.ts"]],
    // Windows
    ["C:\\inetpub\\wwwroot\\Controllers\\CartController.cs", ["Controllers/CartController.cs"]],
    ["file:///app/src/cart.ts", ["src/cart.ts"]],
  ])("%s -> %j", (filename, expected) => {
    expect(repoPathForFrame({ filename })).toEqual(expected);
  });

  it("guesses ever shorter tails for an unknown absolute root", () => {
    expect(repoPathForFrame({ filename: "/opt/build/src/cart/checkout.ts" })).toEqual([
      "opt/build/src/cart/checkout.ts",
      "build/src/cart/checkout.ts",
      "src/cart/checkout.ts",
      "cart/checkout.ts",
    ]);
  });

  it("uses configured roots before the built-in ones", () => {
    expect(
      repoPathForFrame({ filename: "/opt/shop/src/cart.ts" }, { extraRoots: ["/opt/shop"] }),
    ).toEqual(["src/cart.ts"]);
    expect(
      repoPathForFrame(
        { filename: "/app/services/api/src/x.ts" },
        { extraRoots: ["/app/services/api/"] },
      ),
    ).toEqual(["src/x.ts"]);
  });

  it("puts sure paths first, longest first, then guesses, then the module path", () => {
    expect(
      repoPathForFrame({
        filename: "cart.py",
        absPath: "/srv/shop/app/models/cart.py",
        module: "app.models.cart",
      }),
    ).toEqual(["app/models/cart.py", "cart.py"]);
    expect(
      repoPathForFrame({
        filename: "CartService.java",
        absPath: "/opt/builds/42/CartService.java",
        module: "com.acme.cart.CartService",
      }),
    ).toEqual([
      "CartService.java",
      "opt/builds/42/CartService.java",
      "builds/42/CartService.java",
      "42/CartService.java",
      "com/acme/cart/CartService.java",
    ]);
  });

  it("does not derive a path from a module that does not name the file", () => {
    expect(repoPathForFrame({ filename: "cart.py", module: "app.models.orders" })).toEqual([
      "cart.py",
    ]);
  });

  it("returns nothing for frames without a usable file", () => {
    expect(repoPathForFrame({})).toEqual([]);
    expect(repoPathForFrame({ filename: "" })).toEqual([]);
    expect(repoPathForFrame({ filename: "<anonymous>" })).toEqual([]);
    expect(repoPathForFrame({ filename: "node:internal/process/task_queues" })).toEqual([]);
    expect(repoPathForFrame({ filename: "[native code]" })).toEqual([]);
  });
});
