import type { StackFrame } from "../error-event.js";

/**
 * A parser for one runtime's stack format. It gets the text already split into bounded lines and
 * returns frames in Sentry order (outermost first, raising frame last), or [] when the text is
 * not in its format. Parsers never throw on text they do not understand; they skip it.
 */
export type StackParser = (lines: readonly string[]) => StackFrame[];

export function toInt(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number.parseInt(value, 10);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Builds a frame without `undefined` keys, so frames compare and serialise cleanly. */
export function frame(fields: StackFrame): StackFrame {
  const out: StackFrame = {};
  for (const [key, value] of Object.entries(fields) as [keyof StackFrame, unknown][]) {
    if (value !== undefined && value !== "") (out as Record<string, unknown>)[key] = value;
  }
  return out;
}

/** Splits `Namespace.Class.method` at the last separator into module and function. */
export function splitQualified(
  name: string,
  separator: string,
): { module?: string; function: string } {
  const at = name.lastIndexOf(separator);
  if (at <= 0) return { function: name };
  return { module: name.slice(0, at), function: name.slice(at + separator.length) };
}
