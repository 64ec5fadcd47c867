import type { StackFrame } from "../error-event.js";
import { JAVA_FRAME } from "./java.js";
import { type StackParser, frame, splitQualified, toInt } from "./shared.js";

/**
 * .NET: `   at Ns.Class.Method(Int32 id) in C:\src\File.cs:line 42` (the ` in ...` part only with
 * PDBs). Printed innermost first. `Exception.ToString()` prints an inner exception's frames
 * before `--- End of inner exception stack trace ---` and the outer (reported) exception's after
 * it; like Java, only the reported exception's frames are kept.
 */
const FRAME = /^\s*at\s+([^\s(]+)\((.*)\)(?:\s+in\s+(.+):line\s+(\d+))?\s*$/;
const END_OF_INNER = /^\s*--- End of inner exception stack trace ---/;

export const parseDotnet: StackParser = (lines) => {
  let frames: StackFrame[] = [];
  for (const line of lines) {
    if (END_OF_INNER.test(line)) {
      frames = [];
      continue;
    }
    // A JVM line fits this pattern too; leaving it to the Java parser keeps `Caused by:` out.
    const m = JAVA_FRAME.test(line) ? null : FRAME.exec(line);
    if (!m?.[1]) continue;
    const { module, function: fn } = splitQualified(m[1], ".");
    frames.push(frame({ module, function: fn, filename: m[3], lineno: toInt(m[4]) }));
  }
  return frames.reverse();
};
