import { createHash } from "node:crypto";

/**
 * Distinct-user sketches for "affected users": a HyperLogLog++-style sketch over 64-bit user
 * hashes, stored per day in user_day_sketches and merged at read time.
 *
 * Written here rather than taken from npm: `bloom-filters` (the well-kept one) has an HLL that
 * hashes values itself, has no sparse/exact mode and serialises to JSON only, and
 * `hyperloglog-lite` hashes with a native murmur addon. We need (1) the hash Postgres can compute
 * in the query (`left(md5(user_id), 16)`), so the edge hours are read as hashes and never as
 * user ids; (2) an exact sparse mode, so small projects and the tests get exact counts; (3) a
 * stable binary format, because sketches outlive deploys in a bytea column.
 *
 * - Hash: the first 16 hex chars (64 bits) of md5(user id): `userHash()` here, the same as
 *   `left(md5(user_id), 16)` in Postgres (md5 of the UTF-8 bytes on a UTF8 database).
 * - Dense: precision 14 = 16,384 one-byte registers (top 14 bits pick the register, the rank is
 *   the leading zeros of the other 50 bits + 1): standard error 1.04 / sqrt(16384) ~ 0.8%.
 * - Sparse: up to SPARSE_MAX_HASHES distinct hashes are kept as an exact set, so the estimate is
 *   the exact count. 2,048 hashes x 8 bytes = 16 KiB, the size of the dense registers, so the
 *   sparse form is never the bigger one; and at 2,048 distinct values (1/8 of the registers
 *   filled) the dense estimate is in the linear-counting regime (~0.6% standard error), so the step
 *   from exact to estimated is small.
 * - Estimate: Ertl's improved estimator ("New cardinality estimation algorithms for HyperLogLog
 *   sketches", 2017; what Redis uses). Its sigma term is the linear-counting correction for empty
 *   registers, its tau term the one for saturated registers, so it is unbiased over the whole
 *   range without HLL++'s empirical bias tables and without a jump at the switch-over point of
 *   classic HLL (2.5 m ~ 41k users, right where mid-sized projects sit).
 *
 * Binary format (a Buffer, stored as bytea), all integers big-endian:
 *   byte 0: format version (1); byte 1: kind (0 sparse, 1 dense); byte 2: precision (14);
 *   sparse: uint32 count, then count 8-byte hashes in strictly ascending order;
 *   dense: 16,384 register bytes, each 0..51.
 */

export const SKETCH_PRECISION = 14;
export const REGISTER_COUNT = 1 << SKETCH_PRECISION;
/** Distinct hashes kept exactly before a sketch turns dense (see above for why 2,048). */
export const SPARSE_MAX_HASHES = 2048;

const FORMAT_VERSION = 1;
const KIND_SPARSE = 0;
const KIND_DENSE = 1;
const HEADER_BYTES = 3;
/** Bits after the register index: the rank is at most this + 1. */
const RANK_BITS = 64 - SKETCH_PRECISION;
const MAX_RANK = RANK_BITS + 1;
const HASH_PATTERN = /^[0-9a-f]{16}$/;

/** The sketch hash of a user id: as Postgres's `left(md5(user_id), 16)`. */
export function userHash(userId: string): string {
  return createHash("md5").update(userId, "utf8").digest("hex").slice(0, 16);
}

export class UserSketchFormatError extends Error {
  constructor(detail: string) {
    super(`Invalid user sketch: ${detail} (expected the user_day_sketches binary format v1)`);
    this.name = "UserSketchFormatError";
  }
}

export class UserSketch {
  /** Exact hashes (16 lowercase hex chars) while sparse; null once dense. */
  private hashes: Set<string> | null = new Set();
  /** Registers once dense; null while sparse. */
  private registers: Uint8Array | null = null;

  get isSparse(): boolean {
    return this.hashes !== null;
  }

  /** Adds one hash (16 lowercase hex chars, e.g. from `userHash` or `left(md5(...), 16)`). */
  add(hash: string): this {
    if (!HASH_PATTERN.test(hash)) {
      throw new RangeError(`A user hash is 16 lowercase hex characters, got "${hash}"`);
    }
    if (this.hashes) {
      this.hashes.add(hash);
      if (this.hashes.size > SPARSE_MAX_HASHES) this.toDense();
    } else {
      addToRegisters(this.registers as Uint8Array, hash);
    }
    return this;
  }

  /** Adds everything `other` holds (a union); `other` is left unchanged. */
  merge(other: UserSketch): this {
    if (other.hashes) {
      for (const hash of other.hashes) this.add(hash);
      return this;
    }
    const theirs = other.registers as Uint8Array;
    const mine = this.toDense();
    for (let i = 0; i < REGISTER_COUNT; i++) {
      if ((theirs[i] as number) > (mine[i] as number)) mine[i] = theirs[i] as number;
    }
    return this;
  }

  /** Distinct hashes added: exact while sparse, else an estimate (not rounded). */
  estimate(): number {
    if (this.hashes) return this.hashes.size;
    return ertlEstimate(this.registers as Uint8Array);
  }

  toBuffer(): Buffer {
    if (this.hashes) {
      const sorted = [...this.hashes].sort();
      const buf = Buffer.alloc(HEADER_BYTES + 4 + sorted.length * 8);
      writeHeader(buf, KIND_SPARSE);
      buf.writeUInt32BE(sorted.length, HEADER_BYTES);
      sorted.forEach((hash, i) => buf.write(hash, HEADER_BYTES + 4 + i * 8, "hex"));
      return buf;
    }
    const buf = Buffer.alloc(HEADER_BYTES + REGISTER_COUNT);
    writeHeader(buf, KIND_DENSE);
    buf.set(this.registers as Uint8Array, HEADER_BYTES);
    return buf;
  }

  /** Reads a sketch written by toBuffer; throws UserSketchFormatError on anything else. */
  static fromBuffer(buf: Uint8Array): UserSketch {
    const bytes = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    if (bytes.length < HEADER_BYTES) throw new UserSketchFormatError(`${bytes.length} bytes`);
    if (bytes[0] !== FORMAT_VERSION) {
      throw new UserSketchFormatError(`unknown format version ${bytes[0]}`);
    }
    if (bytes[2] !== SKETCH_PRECISION) {
      throw new UserSketchFormatError(`precision ${bytes[2]}, not ${SKETCH_PRECISION}`);
    }
    const sketch = new UserSketch();
    if (bytes[1] === KIND_SPARSE) {
      if (bytes.length < HEADER_BYTES + 4) throw new UserSketchFormatError("no sparse count");
      const count = bytes.readUInt32BE(HEADER_BYTES);
      if (count > SPARSE_MAX_HASHES) {
        throw new UserSketchFormatError(`${count} sparse hashes, at most ${SPARSE_MAX_HASHES}`);
      }
      if (bytes.length !== HEADER_BYTES + 4 + count * 8) {
        throw new UserSketchFormatError(`${bytes.length} bytes for ${count} sparse hashes`);
      }
      const hashes = sketch.hashes as Set<string>;
      let previous = "";
      for (let i = 0; i < count; i++) {
        const at = HEADER_BYTES + 4 + i * 8;
        const hash = bytes.toString("hex", at, at + 8);
        if (hash <= previous) throw new UserSketchFormatError("sparse hashes not ascending");
        hashes.add(hash);
        previous = hash;
      }
      return sketch;
    }
    if (bytes[1] === KIND_DENSE) {
      if (bytes.length !== HEADER_BYTES + REGISTER_COUNT) {
        throw new UserSketchFormatError(`${bytes.length} bytes for a dense sketch`);
      }
      const registers = new Uint8Array(bytes.subarray(HEADER_BYTES));
      for (let i = 0; i < REGISTER_COUNT; i++) {
        if ((registers[i] as number) > MAX_RANK) {
          throw new UserSketchFormatError(`a register above ${MAX_RANK}`);
        }
      }
      sketch.hashes = null;
      sketch.registers = registers;
      return sketch;
    }
    throw new UserSketchFormatError(`unknown kind ${bytes[1]}`);
  }

  private toDense(): Uint8Array {
    if (this.registers) return this.registers;
    const registers = new Uint8Array(REGISTER_COUNT);
    for (const hash of this.hashes as Set<string>) addToRegisters(registers, hash);
    this.hashes = null;
    this.registers = registers;
    return registers;
  }
}

function writeHeader(buf: Buffer, kind: number) {
  buf[0] = FORMAT_VERSION;
  buf[1] = kind;
  buf[2] = SKETCH_PRECISION;
}

/** Register = top 14 bits; rank = leading zeros of the remaining 50 bits + 1 (51 if all zero). */
function addToRegisters(registers: Uint8Array, hash: string) {
  const high = Number.parseInt(hash.slice(0, 8), 16);
  const low = Number.parseInt(hash.slice(8, 16), 16);
  const index = high >>> (32 - SKETCH_PRECISION);
  const highRest = high & ((1 << (32 - SKETCH_PRECISION)) - 1);
  let rank: number;
  if (highRest !== 0) rank = Math.clz32(highRest) - SKETCH_PRECISION + 1;
  else if (low !== 0) rank = 32 - SKETCH_PRECISION + Math.clz32(low) + 1;
  else rank = MAX_RANK;
  if (rank > (registers[index] as number)) registers[index] = rank;
}

/** Ertl (2017), algorithm 6: the improved raw estimator from the register histogram. */
function ertlEstimate(registers: Uint8Array): number {
  const m = REGISTER_COUNT;
  const histogram = new Uint32Array(MAX_RANK + 1);
  for (let i = 0; i < m; i++) {
    const rank = registers[i] as number;
    histogram[rank] = (histogram[rank] as number) + 1;
  }
  let z = m * tau(1 - (histogram[MAX_RANK] as number) / m);
  for (let k = RANK_BITS; k >= 1; k--) z = 0.5 * (z + (histogram[k] as number));
  z += m * sigma((histogram[0] as number) / m);
  return (m * m * (0.5 / Math.LN2)) / z;
}

/** sigma(x) = x + sum_k x^(2^k) 2^(k-1): the linear-counting part (empty registers). */
function sigma(x: number): number {
  if (x === 1) return Number.POSITIVE_INFINITY;
  let power = x;
  let weight = 1;
  let sum = x;
  for (;;) {
    power *= power;
    const previous = sum;
    sum += power * weight;
    weight += weight;
    if (sum === previous) return sum;
  }
}

/** tau(x): the correction for saturated registers (only matters near 2^64 users). */
function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let root = x;
  let weight = 1;
  let sum = 1 - x;
  for (;;) {
    root = Math.sqrt(root);
    const previous = sum;
    weight *= 0.5;
    sum -= (1 - root) ** 2 * weight;
    if (sum === previous) return sum / 3;
  }
}
