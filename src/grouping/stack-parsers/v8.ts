import type { StackFrame } from "../error-event.js";
import { type StackParser, frame, toInt } from "./shared.js";

/**
 * V8 (Node.js, Chrome, Edge, Deno): `    at fn (file:line:col)`, `    at file:line:col`,
 * `    at async fn (...)`, `    at new X (...)`, `    at fn (native)`, `    at eval (eval at ...)`.
 * Printed innermost first.
 */
const AT = /^\s*at\s+(.*?)\s*$/;
const LOCATION = /^(.*?):(\d+)(?::(\d+))?$/;
// `eval at fn (file:1:2), <anonymous>:3:4`: the code's own location is the innermost one.
const EVAL_ORIGIN = /\(([^()]*:\d+:\d+)\)/;
const NO_FILE = /^index \d+$/;

function parseLocation(location: string): Pick<StackFrame, "filename" | "lineno" | "colno"> {
  let loc = location;
  if (loc.startsWith("eval at ")) loc = EVAL_ORIGIN.exec(loc)?.[1] ?? loc;
  const m = LOCATION.exec(loc);
  if (m) return { filename: m[1], lineno: toInt(m[2]), colno: toInt(m[3]) };
  return NO_FILE.test(loc) ? {} : { filename: loc };
}

function parseLine(line: string): StackFrame | undefined {
  const at = AT.exec(line);
  if (!at?.[1]) return undefined;
  let body = at[1];
  if (body.startsWith("async ")) body = body.slice(6);
  // `fn (location)`: the first " (" ends the name (names never contain one; locations may).
  const open = body.indexOf(" (");
  if (open > 0 && body.endsWith(")")) {
    const fn = body.slice(0, open).replace(/ \[as [^\]]*\]$/, "");
    return frame({ function: fn, ...parseLocation(body.slice(open + 2, -1)) });
  }
  // Bare location: only a real `file:line[:col]`, so Java's `at a.B.c(B.java:1)` is not taken.
  const m = LOCATION.exec(body);
  if (!m || /[\s()]/.test(m[1] ?? "")) return undefined;
  return frame({ filename: m[1], lineno: toInt(m[2]), colno: toInt(m[3]) });
}

export const parseV8: StackParser = (lines) => {
  const frames: StackFrame[] = [];
  for (const line of lines) {
    const parsed = parseLine(line);
    if (parsed) frames.push(parsed);
  }
  return frames.reverse();
};
