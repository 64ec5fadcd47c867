import type { StackFrame } from "../error-event.js";
import { type StackParser, frame, toInt } from "./shared.js";

/**
 * Go panics and `debug.Stack()`: pairs of `pkg/path.Func(args)` and `\t/file.go:42 +0x1d`.
 * Printed innermost first. Only the first goroutine (the one that panicked) is read;
 * `created by` entries are skipped: they say where the goroutine was started, not a call.
 */
const GOROUTINE = /^goroutine \d+ \[/;
// Greedy name: the argument list is the LAST parenthesised group (`main.(*T).M(0x0)`).
const FUNC = /^(\S.*)\((.*)\)$/;
const FILE = /^\s+(\S.*?\.go):(\d+)(?:\s+\+0x[0-9a-f]+)?\s*$/;

/** `github.com/acme/shop/cart.(*Service).Checkout` -> package path and function. */
function splitGoName(name: string): Pick<StackFrame, "module" | "function"> {
  const open = name.search(/[([]/);
  const head = open < 0 ? name : name.slice(0, open);
  const slash = head.lastIndexOf("/");
  const dot = name.indexOf(".", slash + 1);
  if (dot < 0 || (open >= 0 && dot > open)) return { function: name };
  return { module: name.slice(0, dot), function: name.slice(dot + 1) };
}

export const parseGo: StackParser = (lines) => {
  const frames: StackFrame[] = [];
  let seenGoroutine = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (GOROUTINE.test(line)) {
      if (seenGoroutine) break;
      seenGoroutine = true;
      continue;
    }
    if (line.startsWith("created by ")) continue;
    const fn = FUNC.exec(line.trimEnd());
    const file = fn ? FILE.exec(lines[i + 1] ?? "") : null;
    if (!fn?.[1] || !file) continue;
    frames.push(frame({ ...splitGoName(fn[1]), filename: file[1], lineno: toInt(file[2]) }));
    i++;
  }
  return frames.reverse();
};
