import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  FILTERED,
  FILTERED_CIRCULAR,
  FILTERED_TOO_DEEP,
  MAX_DEPTH,
  createScrubber,
} from "../../../src/scrub/index.js";
import { makeEvent } from "./make-event.js";

const scrubber = createScrubber({ scrubIpAddresses: true, extraPatterns: ["cus_\\w+"] });

function nest(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: "x" };
  for (let i = 0; i < levels; i++) value = { child: value };
  return value;
}

describe("depth and cycles", () => {
  it("replaces containers nested past the limit", () => {
    const scrubbed = scrubber.scrubValue(nest(MAX_DEPTH + 5)) as Record<string, unknown>;
    let node: unknown = scrubbed;
    for (let i = 0; i < MAX_DEPTH; i++) node = (node as Record<string, unknown>).child;
    expect(node).toBe(FILTERED_TOO_DEEP);
  });

  it("keeps data within the limit", () => {
    const value = nest(MAX_DEPTH - 2);
    expect(scrubber.scrubValue(value)).toEqual(value);
  });

  it("survives nesting far deeper than the stack allows", () => {
    expect(() => scrubber.scrubValue(nest(100_000))).not.toThrow();
  });

  it("breaks cycles and still copies shared references", () => {
    const shared = { note: "token=abc" };
    const loop: Record<string, unknown> = { name: "cart", a: shared, b: shared };
    loop.self = loop;
    const list: unknown[] = ["x"];
    list.push(list);
    expect(scrubber.scrubValue(loop)).toEqual({
      name: "cart",
      a: { note: `token=${FILTERED}` },
      b: { note: `token=${FILTERED}` },
      self: FILTERED_CIRCULAR,
    });
    expect(scrubber.scrubValue(list)).toEqual(["x", FILTERED_CIRCULAR]);
  });

  it("handles a cycle inside an event", () => {
    const context: Record<string, unknown> = {};
    context.parent = context;
    const scrubbed = scrubber.scrubEvent(makeEvent({ context }));
    expect(scrubbed.context).toEqual({ parent: FILTERED_CIRCULAR });
  });

  it("keeps a JSON `__proto__` key as data", () => {
    const value = JSON.parse('{"__proto__": {"password": "x"}, "ok": 1}') as object;
    const scrubbed = scrubber.scrubValue(value) as Record<string, unknown>;
    expect(Object.getPrototypeOf(scrubbed)).toBe(Object.prototype);
    expect(Object.hasOwn(scrubbed, "__proto__")).toBe(true);
    expect(JSON.stringify(scrubbed)).toBe(`{"__proto__":{"password":"${FILTERED}"},"ok":1}`);
  });

  it("filters a value whose getter throws instead of throwing", () => {
    const value = {
      ok: 1,
      get broken(): never {
        throw new Error("boom");
      },
    };
    expect(scrubber.scrubValue(value)).toEqual({ ok: 1, broken: FILTERED });
  });
});

describe("fuzz", () => {
  it("never throws on JSON values and never mutates them", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 30 }), (value) => {
        const before = JSON.stringify(value);
        scrubber.scrubValue(value);
        expect(JSON.stringify(value)).toBe(before);
      }),
      { numRuns: 500 },
    );
  });

  it("never throws on malformed events", () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.constantFrom("message", "frames", "request", "tags", "context", "timestamp", "x"),
          fc.jsonValue({ maxDepth: 6 }),
        ),
        (junk) => {
          const event = { ...makeEvent(), ...junk } as unknown as Parameters<
            typeof scrubber.scrubEvent
          >[0];
          expect(() => scrubber.scrubEvent(event)).not.toThrow();
        },
      ),
      { numRuns: 300 },
    );
    const nonObject = null as unknown as Parameters<typeof scrubber.scrubEvent>[0];
    expect(scrubber.scrubEvent(nonObject)).toBe(null);
  });

  it("is idempotent on strings full of near-secrets", () => {
    const piece = fc.constantFrom(
      "token=",
      "Bearer ",
      "4111 1111 1111 1111",
      "eyJ",
      ".",
      "://",
      "@",
      "password: ",
      "AKIA",
      "10.0.0.1",
      "::",
      "'",
      '"',
      "&",
      " ",
      "cus_",
      "Authorization: ",
      "Basic ",
      "Cookie: ",
      "\n",
      "-----BEGIN PRIVATE KEY-----",
      "-----END PRIVATE KEY-----",
      "https://u:p@h/",
      "aws_secret_access_key=",
      "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      "=>",
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(piece, piece, fc.string()), { maxLength: 30 }), (parts) => {
        const once = scrubber.scrubString(parts.join(""));
        expect(scrubber.scrubString(once)).toBe(once);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe("hostile strings stay fast", () => {
  // Each regex must stay linear; a quadratic one takes seconds on 200 KB.
  it.each([
    ["dashed word run", "a-".repeat(100_000)],
    ["dotted run", "a.".repeat(100_000)],
    ["key-like run without separator", "token".repeat(40_000)],
    ["spaced digits", "4 ".repeat(100_000)],
    ["colons", "a:".repeat(100_000)],
    ["scheme without userinfo", `https://${"a".repeat(200_000)}`],
    ["repeated PEM headers", '-----BEGIN PRIVATE KEY-----"'.repeat(7_000)],
    ["repeated JWT starts", "eyJa.".repeat(40_000)],
    ["unterminated PEM", `-----BEGIN PRIVATE KEY-----${"-".repeat(200_000)}`],
    ["unterminated quote", `password="${"a\\".repeat(100_000)}`],
    ["service token prefixes", "ghp_xoxb-AIza sk_live_github_pat_ ".repeat(8_000)],
    ["long token-like run", `ghp_${"a".repeat(200_000)}_${"xoxb-".repeat(40_000)}`],
  ])("%s", (_name, text) => {
    const start = performance.now();
    scrubber.scrubString(text);
    expect(performance.now() - start).toBeLessThan(1_000);
  });

  it("filters a sensitive value even in a huge string", () => {
    expect(
      scrubber
        .scrubString(`${"x ".repeat(50_000)}password=hunter2`)
        .endsWith(`password=${FILTERED}`),
    ).toBe(true);
  });
});
