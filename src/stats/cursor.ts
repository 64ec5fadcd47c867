/**
 * Opaque keyset cursors: base64url JSON of the last row's sort key. A cursor that does not decode
 * to the expected shape is the client's mistake (InvalidCursorError), never a crash.
 */

export class InvalidCursorError extends Error {
  override name = "InvalidCursorError";
  constructor() {
    super("cursor is not one this API returned");
  }
}

export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key), "utf8").toString("base64url");
}

/** Decodes a cursor whose parts have the given types, in order. */
export function decodeCursor<const T extends readonly ("string" | "number")[]>(
  cursor: string,
  types: T,
): { [I in keyof T]: T[I] extends "number" ? number : string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw new InvalidCursorError();
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== types.length ||
    parsed.some((part, i) =>
      types[i] === "number" ? !Number.isSafeInteger(part) : typeof part !== "string",
    )
  ) {
    throw new InvalidCursorError();
  }
  return parsed as { [I in keyof T]: T[I] extends "number" ? number : string };
}

/** Clamps a page size to 1..max; undefined -> fallback. */
export function pageSize(limit: number | undefined, fallback = 50, max = 200): number {
  if (limit === undefined || !Number.isFinite(limit)) return fallback;
  return Math.min(max, Math.max(1, Math.trunc(limit)));
}
