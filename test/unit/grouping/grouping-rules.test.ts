import { describe, expect, it } from "vitest";
import {
  type GroupingSettings,
  type StackFrame,
  compileGroupingRules,
  compileWildcard,
  computeFingerprint,
  culprit,
} from "../../../src/grouping/index.js";
import { makeEvent } from "./event.js";

const settings = (partial: Partial<GroupingSettings>): GroupingSettings => ({
  in_app: [],
  fingerprints: [],
  ...partial,
});

const thirdPartyFrames: StackFrame[] = [
  { filename: "src/app/checkout.js", function: "checkout", module: "app.checkout" },
  { filename: "src/thirdparty/payments/client.js", function: "charge", module: "payments.client" },
];

describe("grouping rules: in_app", () => {
  it("decides before the client and the heuristics, first matching rule first", () => {
    const event = makeEvent({ errorType: "PaymentError", frames: thirdPartyFrames });
    const plain = computeFingerprint(event);
    expect(plain.parts.at(-1)).toBe("frame: payments.client in charge");
    const rules = compileGroupingRules(
      settings({
        in_app: [
          { path: "**/thirdparty/**", app: false },
          { path: "**", app: true },
        ],
      }),
    );
    const ruled = computeFingerprint(event, { rules });
    expect(ruled.parts).toEqual(["type: PaymentError", "frame: app.checkout in checkout"]);
    expect(culprit(event, rules.inApp)).toBe("app.checkout in checkout");
  });

  it("matches modules and functions", () => {
    const event = makeEvent({
      frames: [
        { module: "shop.views", function: "total", filename: "/srv/x/shop/views.py", inApp: true },
        {
          module: "shoplib.cache",
          function: "get",
          filename: "/srv/x/shoplib/cache.py",
          inApp: true,
        },
      ],
    });
    const rules = compileGroupingRules(settings({ in_app: [{ module: "shoplib.*", app: false }] }));
    expect(computeFingerprint(event, { rules }).parts.at(-1)).toBe("frame: shop.views in total");
    const byFunction = compileGroupingRules(
      settings({ in_app: [{ function: "get", app: false }] }),
    );
    expect(computeFingerprint(event, { rules: byFunction }).parts.at(-1)).toBe(
      "frame: shop.views in total",
    );
  });
});

describe("grouping rules: fingerprints", () => {
  const rules = compileGroupingRules(
    settings({
      fingerprints: [
        {
          match: { type: "ConnectionError", message: "*timed out*" },
          fingerprint: ["db-timeouts"],
        },
        {
          match: { tags: { tenant: "acme-*" } },
          fingerprint: ["{{ default }}", "{{ tags.tenant }}"],
        },
        { match: { path: "**/legacy/**" }, fingerprint: ["legacy", "{{ type }}", "{{ message }}"] },
      ],
    }),
  );

  it("replaces the fingerprint when a rule matches, and says which rule", () => {
    const a = makeEvent({
      errorType: "ConnectionError",
      message: "connect to 10.0.0.7 timed out",
      frames: thirdPartyFrames,
    });
    const b = makeEvent({ errorType: "ConnectionError", message: "query TIMED OUT after 30s" });
    const fa = computeFingerprint(a, { rules });
    expect(fa).toMatchObject({ parts: ["db-timeouts"], basis: "rule", rule: 1 });
    expect(computeFingerprint(b, { rules }).hash).toBe(fa.hash);
    // Not matching: the built-in grouping.
    expect(computeFingerprint({ ...b, message: "refused" }, { rules }).basis).toBe("message");
  });

  it("fills {{ default }}, {{ type }}, {{ message }} and {{ tags.<name> }}", () => {
    const tenant = makeEvent({ errorType: "E", message: "x", tags: { tenant: "acme-eu" } });
    expect(computeFingerprint(tenant, { rules }).parts).toEqual([
      "type: E",
      "message: x",
      "acme-eu",
    ]);
    const legacy = makeEvent({
      errorType: "LegacyError",
      message: "order 42 failed",
      frames: [{ filename: "/srv/app/legacy/orders.php", function: "run" }],
    });
    expect(computeFingerprint(legacy, { rules }).parts).toEqual([
      "legacy",
      "LegacyError",
      "order <n> failed",
    ]);
  });

  it("wins over a client's fingerprint", () => {
    const event = makeEvent({
      errorType: "ConnectionError",
      message: "timed out",
      fingerprint: ["mine"],
    });
    expect(computeFingerprint(event, { rules }).parts).toEqual(["db-timeouts"]);
    expect(computeFingerprint(event).parts).toEqual(["mine"]);
  });
});

describe("compileWildcard", () => {
  it.each([
    ["shop.*", "shop.views", true],
    ["shop.*", "shoplib.views", false],
    ["**/vendor/**", "src/vendor/a/b.js", true],
    ["*timed out*", "Query TIMED OUT after 3s", true],
    ["Connection?rror", "ConnectionError", true],
    ["Connection?rror", "ConnectionErrorX", false],
    ["exact", "exact", true],
    ["exact", "exactly", false],
    ["*", "", true],
  ])("%s on %s: %s", (pattern, text, expected) => {
    expect(compileWildcard(pattern)(text)).toBe(expected);
  });

  it("stays quick on patterns that make backtracking regexes explode", () => {
    // As a regex (^.*a.*a.*a…b$) this takes minutes on a 1 KiB run of "a"; here, pattern x text.
    const evil = compileWildcard(`${"*a".repeat(40)}*b`);
    expect(evil("a".repeat(5000))).toBe(false);
    expect(evil(`${"a".repeat(5000)}b`)).toBe(false); // only the first 1 KiB is looked at
  });
});
