import type { StackFrame } from "../error-event.js";
import { type StackParser, frame, toInt } from "./shared.js";

/**
 * Firefox and Safari: `fn@url:line:col`, `@url:line:col` (anonymous), `global code@url:1:2`,
 * `fn@[native code]`, Firefox eval `fn@url line 2 > eval:1:3`. Printed innermost first.
 */
const GECKO = /^\s*([^@]*)@(.+?):(\d+)(?::(\d+))?\s*$/;
const NATIVE = /^\s*([^@]*)@\[native code\]\s*$/;
const FIREFOX_EVAL = /^(.*?) line (\d+) > (?:eval|Function)/;

function parseLine(line: string): StackFrame | undefined {
  // Both forms need an `@`; most lines of other runtimes have none.
  if (!line.includes("@")) return undefined;
  const native = NATIVE.exec(line);
  if (native) return frame({ function: native[1], filename: "[native code]" });
  const m = GECKO.exec(line);
  if (!m) return undefined;
  const fn = m[1] ?? "";
  // Guards against V8 lines with scoped packages (`at f (/x/node_modules/@scope/...)`) and prose.
  if (fn.includes("(") || /^\s*at\s/.test(fn)) return undefined;
  const url = m[2] ?? "";
  const evalOrigin = FIREFOX_EVAL.exec(url);
  if (evalOrigin)
    return frame({ function: fn, filename: evalOrigin[1], lineno: toInt(evalOrigin[2]) });
  if (/\s/.test(url)) return undefined;
  return frame({ function: fn, filename: url, lineno: toInt(m[3]), colno: toInt(m[4]) });
}

export const parseGecko: StackParser = (lines) => {
  const frames: StackFrame[] = [];
  for (const line of lines) {
    const parsed = parseLine(line);
    if (parsed) frames.push(parsed);
  }
  return frames.reverse();
};
