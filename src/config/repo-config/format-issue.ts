/**
 * Turns zod issues into one readable line each, naming the key as written in the YAML file and
 * the value found there: `escalation.high.after: expected a duration like "4h", got "soon"`.
 */
import type { z } from "zod";

export type PathSegment = PropertyKey;

/** `["escalation", "high", "after"]` -> `escalation.high.after`; indices as `[2]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out === "" ? String(segment) : `.${String(segment)}`;
  }
  return out === "" ? "faultline.yml" : out;
}

/** The value at `path` in the raw input, or undefined when the path leads nowhere. */
export function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let current = root;
  for (const segment of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

/** A short rendering of a YAML value for an error message. */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "nothing";
  if (typeof value === "string") {
    const text = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return JSON.stringify(text);
  }
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return String(value);
}

const TYPE_NAMES: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  array: "a list",
  object: "a mapping",
  null: "null",
};

/**
 * Default wording per issue kind, used as the per-parse error map; schema-level `error:` messages
 * (durations, regexes, handles) take precedence over it.
 */
export function defaultMessage(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case "invalid_type":
      return `expected ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case "too_small": {
      const min = String(issue.minimum);
      if (issue.origin === "array") return `expected at least ${min} item(s)`;
      if (issue.origin === "string") return `expected at least ${min} character(s)`;
      return issue.inclusive ? `expected a number >= ${min}` : `expected a number > ${min}`;
    }
    case "too_big": {
      const max = String(issue.maximum);
      if (issue.origin === "array") return `expected at most ${max} item(s)`;
      if (issue.origin === "string") return `expected at most ${max} character(s)`;
      return issue.inclusive ? `expected a number <= ${max}` : `expected a number < ${max}`;
    }
    case "invalid_value":
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "invalid_format":
      return `expected ${issue.format === "url" ? "a URL" : `a ${issue.format}`}`;
    case "not_multiple_of":
      return `expected a multiple of ${String(issue.divisor)}`;
    default:
      return "invalid value";
  }
}

/** Levenshtein distance, for "did you mean" on misspelt keys. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] ?? 0;
      row[j] = Math.min(
        (row[j] ?? 0) + 1,
        (row[j - 1] ?? 0) + 1,
        prev + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      prev = tmp;
    }
  }
  return row[b.length] ?? 0;
}

/** The closest known key within two edits, if any. */
export function suggestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const d = distance(key.toLowerCase(), candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** One line for one issue, with the offending value as found in the raw input. */
export function formatIssue(
  issue: z.core.$ZodIssue,
  raw: unknown,
  knownKeysAt: (path: readonly PathSegment[]) => readonly string[],
): string[] {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => {
      const where = formatPath([...issue.path, key]);
      const hint = suggestKey(key, knownKeysAt(issue.path));
      return hint === undefined
        ? `${where}: unknown key (ignored)`
        : `${where}: unknown key (ignored), did you mean "${hint}"?`;
    });
  }
  const value = valueAt(raw, issue.path);
  const where = formatPath(issue.path);
  // "got a list" helps when the type is wrong; after "expected at least 1 item" it is noise.
  const scalar = value === null || typeof value !== "object";
  return scalar || issue.code === "invalid_type"
    ? [`${where}: ${issue.message}, got ${describeValue(value)}`]
    : [`${where}: ${issue.message}`];
}
