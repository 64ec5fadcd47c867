import { describe, expect, it } from "vitest";
import { memoizeString } from "../../../src/grouping/memo.js";
import { parseStackTrace } from "../../../src/grouping/parse-stack-trace.js";

describe("memoizeString", () => {
  it("computes each input once and answers repeats from the cache", () => {
    const calls: string[] = [];
    const upper = memoizeString((s: string) => {
      calls.push(s);
      return s.toUpperCase();
    });
    expect([upper("a"), upper("b"), upper("a"), upper("a")]).toEqual(["A", "B", "A", "A"]);
    expect(calls).toEqual(["a", "b"]);
  });

  it("stays bounded: a full cache is emptied, so old inputs are computed again", () => {
    const calls: string[] = [];
    const id = memoizeString(
      (s: string) => {
        calls.push(s);
        return s;
      },
      { maxEntries: 2 },
    );
    for (const s of ["a", "b", "c", "a"]) id(s);
    expect(calls).toEqual(["a", "b", "c", "a"]);
  });

  it("does not keep inputs longer than maxKeyLength", () => {
    let calls = 0;
    const len = memoizeString(
      (s: string) => {
        calls++;
        return s.length;
      },
      { maxKeyLength: 3 },
    );
    expect(len("abcd")).toBe(4);
    expect(len("abcd")).toBe(4);
    expect(calls).toBe(2);
  });

  it("keeps only the results `keep` accepts; the others are computed every time", () => {
    const calls: string[] = [];
    const redact = memoizeString(
      (s: string) => {
        calls.push(s);
        return s.replace("secret", "[Filtered]");
      },
      { keep: (input, output) => output === input },
    );
    for (const s of ["clean", "a secret", "clean", "a secret"]) redact(s);
    expect(redact("a secret")).toBe("a [Filtered]");
    expect(calls).toEqual(["clean", "a secret", "a secret", "a secret"]);
  });
});

describe("parseStackTrace with its cache", () => {
  const stack = `TypeError: x is undefined
    at applyCoupon (/app/src/cart/checkout.ts:42:17)
    at CartController.checkout (/app/src/cart/controller.ts:18:5)`;

  it("hands out fresh frames: changing one result does not change the next", () => {
    const first = parseStackTrace(stack);
    expect(first).toHaveLength(2);
    (first[0] as { function?: string }).function = "changed";
    first.pop();
    const second = parseStackTrace(stack);
    expect(second).toHaveLength(2);
    expect(second[0]?.function).toBe("CartController.checkout");
    expect(second[0]).not.toBe(first[0]);
  });
});
