import type { StackFrame } from "../error-event.js";
import { type StackParser, frame, toInt } from "./shared.js";

/**
 * PHP `getTraceAsString()` (also inside Laravel logs): `#0 /app/X.php(42): App\Cart->checkout()`,
 * `#1 [internal function]: ...`, `#2 {main}`. Printed innermost first.
 *
 * A PHP trace line says "at X.php:42, checkout() was CALLED", so the line belongs to the caller.
 * Like Sentry's PHP SDK, each frame takes its file/line from entry k and its function from entry
 * k+1 (the function that was running there). The raising frame comes from the throw location in
 * the header (`... in /app/Cart.php:57`, Laravel's `... at /app/Cart.php:57)`, or
 * `thrown in /app/Cart.php on line 57`) with the function called by entry #0.
 * Parsing stops at Laravel's `[previous exception]` (the chained cause) or when numbering restarts.
 */
const ENTRY =
  /^\s*#(\d+)\s+(?:(\{main\})|\[internal function\]:\s*(.*?)|(.+?)\((\d+)\):\s*(.*?))\s*$/;
const THROWN_AT = [
  / at ((?:[A-Za-z]:)?[^\s:()]*\.php):(\d+)\)?\s*$/,
  / in ((?:[A-Za-z]:)?[^\s:()]*\.php):(\d+)\b/,
  /thrown in ((?:[A-Za-z]:)?[^\s:()]*\.php) on line (\d+)/,
];
const PREVIOUS = /\[previous exception\]/;
// The called name ends at the first "(" outside braces: PHP 8.4 closures are `{closure:X::y():12}`.
const CALLEE = /^((?:[^({]|\{[^}]*\})*)/;

interface Entry {
  main: boolean;
  file?: string;
  line?: number;
  call?: string;
}

function callee(call: string | undefined): Pick<StackFrame, "module" | "function"> {
  if (!call) return {};
  const name = CALLEE.exec(call)?.[1]?.trim() ?? "";
  const m = /^(.*?)(?:->|::)(.+)$/.exec(name);
  return m ? { module: m[1], function: m[2] } : { function: name };
}

function thrownAt(lines: readonly string[]): Pick<StackFrame, "filename" | "lineno"> {
  for (const pattern of THROWN_AT) {
    for (const line of lines) {
      const m = pattern.exec(line);
      if (m) return { filename: m[1], lineno: toInt(m[2]) };
    }
  }
  return {};
}

export const parsePhp: StackParser = (lines) => {
  const entries: Entry[] = [];
  let firstEntryLine = -1;
  for (const [index, line] of lines.entries()) {
    if (entries.length > 0 && PREVIOUS.test(line)) break;
    const m = ENTRY.exec(line);
    if (!m) continue;
    if (entries.length > 0 && m[1] === "0") break;
    if (firstEntryLine < 0) firstEntryLine = index;
    if (m[2]) entries.push({ main: true });
    else if (m[4] !== undefined)
      entries.push({ main: false, file: m[4], line: toInt(m[5]), call: m[6] });
    else entries.push({ main: false, call: m[3] });
  }
  if (entries.length === 0) return [];

  // The header (before #0) names the throw location; `thrown in` may follow the trace.
  const header = lines.slice(0, firstEntryLine);
  const trailer = lines.slice(firstEntryLine).filter((l) => l.includes("thrown in "));
  const raising = thrownAt([...header, ...trailer]);

  const innermostFirst: StackFrame[] = [];
  const first = entries[0];
  if (first && !first.main) innermostFirst.push(frame({ ...raising, ...callee(first.call) }));
  for (let k = 0; k < entries.length; k++) {
    const entry = entries[k];
    if (!entry || entry.main) break;
    const next = entries[k + 1];
    innermostFirst.push(
      frame({
        filename: entry.file,
        lineno: entry.line,
        ...callee(next && !next.main ? next.call : undefined),
      }),
    );
  }
  return innermostFirst.reverse();
};
