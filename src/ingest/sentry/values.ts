/**
 * Small readers for the loosely typed corners of Sentry payloads. Lenient: a field of the wrong
 * type reads as absent, never failing the event (SDKs and hand-rolled clients disagree on the
 * small things). Plain reads rather than schemas: they run for every field of every event, and a
 * schema library's object parse copies every key of the object it checks.
 */

/**
 * An object's own field, any type (never one inherited from Object.prototype, like
 * `constructor`); the typed readers below build on it.
 */
export function readValue(record: Record<string, unknown> | undefined, key: string): unknown {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

export function readString(record: Record<string, unknown> | undefined, key: string) {
  const value = readValue(record, key);
  return typeof value === "string" ? value : undefined;
}

export function readBoolean(record: Record<string, unknown> | undefined, key: string) {
  const value = readValue(record, key);
  return typeof value === "boolean" ? value : undefined;
}

/** A safe integer within [min, max]. */
export function readInt(
  record: Record<string, unknown> | undefined,
  key: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
) {
  const value = readValue(record, key);
  return Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max
    ? (value as number)
    : undefined;
}

/** Ids come as strings or numbers. */
export function readId(record: Record<string, unknown> | undefined, key: string) {
  const value = readValue(record, key);
  return typeof value === "string" || (typeof value === "number" && Number.isFinite(value))
    ? value
    : undefined;
}

/** The value when it is a plain object, else undefined. */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return isRecord(value) ? value : undefined;
}

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
