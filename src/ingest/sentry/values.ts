import { z } from "zod";

/** Small readers for the loosely typed corners of Sentry payloads. */

// Lenient field schemas: `.catch(undefined)` makes one wrong-typed optional field drop that
// field only, never the whole event (SDKs and hand-rolled clients disagree on the small things).
export const optString = z.string().optional().catch(undefined);
export const optBoolean = z.boolean().optional().catch(undefined);
export const optId = z.union([z.string(), z.number()]).optional().catch(undefined);

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Sentry accepts maps (tags, headers, query) either as an object or as a list of `[key, value]`
 * pairs; both become one object. Keys are bounded in number, and `__proto__` is skipped because
 * assigning it would change the result's prototype instead of adding a key.
 */
export function entriesOf(value: unknown, maxEntries: number): [string, unknown][] {
  const out: [string, unknown][] = [];
  if (Array.isArray(value)) {
    for (const pair of value) {
      if (out.length >= maxEntries) break;
      if (Array.isArray(pair) && pair.length === 2 && typeof pair[0] === "string") {
        out.push([pair[0], pair[1]]);
      }
    }
  } else if (isRecord(value)) {
    for (const key of Object.keys(value)) {
      if (out.length >= maxEntries) break;
      out.push([key, value[key]]);
    }
  }
  return out.filter(([key]) => key !== "" && key !== "__proto__");
}

/** A map of scalar values as strings; objects, arrays and nulls are left out. */
export function stringRecord(value: unknown, maxEntries: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, v] of entriesOf(value, maxEntries)) {
    const text = scalarText(v);
    if (text !== undefined) out[key] = text;
  }
  return out;
}

export function scalarText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value === "boolean") return String(value);
  return undefined;
}

export function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}

/** The schema's output, or undefined when the value does not fit at all. */
export function parseOr<T>(schema: z.ZodType<T>, value: unknown): T | undefined {
  // Absent parts (no `sdk`, no `logentry`) are the common case, and a failed parse builds
  // error objects: ask each schema once whether it takes undefined/null at all.
  if ((value === undefined || value === null) && !acceptsNullish(schema, value)) return undefined;
  const result = schema.safeParse(value);
  return result.success ? result.data : undefined;
}

const nullishVerdicts = new WeakMap<z.ZodType, { undefined: boolean; null: boolean }>();

function acceptsNullish(schema: z.ZodType, value: undefined | null): boolean {
  let verdict = nullishVerdicts.get(schema);
  if (!verdict) {
    verdict = {
      undefined: schema.safeParse(undefined).success,
      null: schema.safeParse(null).success,
    };
    nullishVerdicts.set(schema, verdict);
  }
  return value === undefined ? verdict.undefined : verdict.null;
}

/** Drops undefined members so results compare and serialise cleanly. */
export function definedOnly<T extends Record<string, unknown>>(value: T): T {
  for (const key of Object.keys(value)) if (value[key] === undefined) delete value[key];
  return value;
}

export function assignDefined<T extends object, K extends keyof T>(
  target: T,
  key: K,
  value: T[K] | undefined,
): void {
  if (value !== undefined) target[key] = value as T[K];
}
