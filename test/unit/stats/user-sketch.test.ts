import { describe, expect, it } from "vitest";
import {
  REGISTER_COUNT,
  SPARSE_MAX_HASHES,
  UserSketch,
  UserSketchFormatError,
  userHash,
} from "../../../src/stats/user-sketch.js";

/** Hashes of `count` distinct user ids; the seed makes disjoint, reproducible sets. */
function hashes(count: number, seed: string): string[] {
  return Array.from({ length: count }, (_, i) => userHash(`${seed}-user-${i}`));
}

function sketchOf(values: readonly string[]): UserSketch {
  const sketch = new UserSketch();
  for (const h of values) sketch.add(h);
  return sketch;
}

describe("userHash", () => {
  it("is the first 16 hex chars of md5, as Postgres's left(md5(user_id), 16)", () => {
    // md5('user-1') = 'd6d7705392bc7af633328bea8c4c6904' (also checked against Postgres in
    // test/integration/user-sketches.test.ts).
    expect(userHash("user-1")).toBe("d6d7705392bc7af6");
  });
});

describe("UserSketch", () => {
  it("counts exactly while sparse, duplicates included", () => {
    const values = hashes(SPARSE_MAX_HASHES, "exact");
    const sketch = sketchOf([...values, ...values.slice(0, 500)]);
    expect(sketch.isSparse).toBe(true);
    expect(sketch.estimate()).toBe(SPARSE_MAX_HASHES);
    expect(new UserSketch().estimate()).toBe(0);
  });

  it("turns dense past the sparse threshold and stays close to the exact count there", () => {
    const sketch = sketchOf(hashes(SPARSE_MAX_HASHES + 1, "switch"));
    expect(sketch.isSparse).toBe(false);
    expect(Math.abs(sketch.estimate() / (SPARSE_MAX_HASHES + 1) - 1)).toBeLessThan(0.01);
  });

  it.each([10_000, 50_000, 100_000, 1_000_000])("estimates %i distinct within 3 percent", (n) => {
    const sketch = new UserSketch();
    for (let i = 0; i < n; i++) sketch.add(userHash(`dense-${n}-${i}`));
    // Repeats change nothing.
    for (let i = 0; i < 1000; i++) sketch.add(userHash(`dense-${n}-${i}`));
    expect(Math.abs(sketch.estimate() / n - 1)).toBeLessThan(0.03);
  });

  it("merges as a union: commutative, idempotent, disjoint sets add up", () => {
    const a = hashes(30_000, "a");
    const b = hashes(20_000, "b");
    const ab = sketchOf(a).merge(sketchOf(b));
    const ba = sketchOf(b).merge(sketchOf(a));
    expect(ab.toBuffer()).toEqual(ba.toBuffer());
    expect(ab.toBuffer()).toEqual(sketchOf([...a, ...b]).toBuffer());
    expect(Math.abs(ab.estimate() / 50_000 - 1)).toBeLessThan(0.03);

    const self = sketchOf(a);
    const before = self.toBuffer();
    expect(self.merge(sketchOf(a)).toBuffer()).toEqual(before);
    expect(self.merge(self).toBuffer()).toEqual(before);
  });

  it("merges sparse into sparse exactly, and turns dense when the union outgrows the threshold", () => {
    const small = sketchOf(hashes(1500, "s1")).merge(sketchOf(hashes(300, "s2")));
    expect(small.isSparse).toBe(true);
    expect(small.estimate()).toBe(1800);
    const big = sketchOf(hashes(1500, "s1")).merge(sketchOf(hashes(1500, "s3")));
    expect(big.isSparse).toBe(false);
    expect(Math.abs(big.estimate() / 3000 - 1)).toBeLessThan(0.03);
    // Sparse into dense and dense into sparse give the same registers.
    const dense = sketchOf(hashes(5000, "d"));
    const sparse = sketchOf(hashes(100, "e"));
    expect(sketchOf(hashes(100, "e")).merge(dense).toBuffer()).toEqual(
      sketchOf(hashes(5000, "d")).merge(sparse).toBuffer(),
    );
  });

  it("round-trips through its binary format, sparse and dense", () => {
    for (const n of [0, 1, 700, 40_000]) {
      const sketch = sketchOf(hashes(n, `rt${n}`));
      const buf = sketch.toBuffer();
      const back = UserSketch.fromBuffer(buf);
      expect(back.isSparse).toBe(sketch.isSparse);
      expect(back.estimate()).toBe(sketch.estimate());
      expect(back.toBuffer()).toEqual(buf);
    }
    // The layout is fixed: version 1, kind, precision 14, then the payload.
    const sparse = sketchOf(["00000000000000ff", "0000000000000001"]).toBuffer();
    expect(sparse.toString("hex")).toBe("01000e000000020000000000000001" + "00000000000000ff");
    const dense = sketchOf(hashes(3000, "layout")).toBuffer();
    expect(dense.length).toBe(3 + REGISTER_COUNT);
    expect([...dense.subarray(0, 3)]).toEqual([1, 1, 14]);
  });

  it("rejects anything that is not a sketch with a clear error", () => {
    const dense = sketchOf(hashes(3000, "bad")).toBuffer();
    const sparse = sketchOf(["0000000000000002", "0000000000000001"]).toBuffer();
    const cases: [Buffer, RegExp][] = [
      [Buffer.alloc(0), /0 bytes/],
      [Buffer.from("hello world"), /unknown format version 104/],
      [Buffer.from([1, 0, 12, 0, 0, 0, 0]), /precision 12/],
      [Buffer.from([1, 7, 14]), /unknown kind 7/],
      [dense.subarray(0, dense.length - 1), /bytes for a dense sketch/],
      [Buffer.concat([dense.subarray(0, 3), Buffer.alloc(REGISTER_COUNT, 52)]), /register above/],
      [sparse.subarray(0, sparse.length - 3), /bytes for 2 sparse hashes/],
      [
        Buffer.concat([sparse.subarray(0, 7), sparse.subarray(15), sparse.subarray(7, 15)]),
        /not ascending/,
      ],
      [Buffer.from([1, 0, 14, 0, 0, 0x10, 0]), /4096 sparse hashes/],
    ];
    for (const [buf, message] of cases) {
      expect(() => UserSketch.fromBuffer(buf)).toThrow(UserSketchFormatError);
      expect(() => UserSketch.fromBuffer(buf)).toThrow(message);
    }
  });

  it("refuses a hash that is not 16 lowercase hex characters", () => {
    expect(() => new UserSketch().add("user-1")).toThrow(/16 lowercase hex/);
    expect(() => new UserSketch().add("B6BB43DF4525B928")).toThrow(/16 lowercase hex/);
  });
});
