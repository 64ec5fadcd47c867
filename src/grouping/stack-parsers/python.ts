import type { StackFrame } from "../error-event.js";
import { type StackParser, frame, toInt } from "./shared.js";

/**
 * Python tracebacks: `  File "x.py", line 12, in fn`. Printed outermost first already.
 * Chained exceptions print the cause first and the reported exception LAST, each with its own
 * `Traceback (most recent call last):` header; only the last traceback is kept, so the frames
 * belong to the exception the event is about (the same choice as Java's `Caused by:`).
 */
const HEADER = /^[\s|+-]*Traceback \(most recent call last\):/;
const FRAME = /^[\s|]*File "(.+)", line (\d+)(?:, in (.+?))?\s*$/;

export const parsePython: StackParser = (lines) => {
  let frames: StackFrame[] = [];
  for (const line of lines) {
    if (HEADER.test(line)) {
      frames = [];
      continue;
    }
    const m = FRAME.exec(line);
    if (m) frames.push(frame({ filename: m[1], lineno: toInt(m[2]), function: m[3] }));
  }
  return frames;
};
