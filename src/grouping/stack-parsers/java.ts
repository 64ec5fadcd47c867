import type { StackFrame } from "../error-event.js";
import { type StackParser, frame, toInt } from "./shared.js";

/**
 * Java, Kotlin, Scala (JVM): `\tat com.acme.Cart.checkout(Cart.java:42)`, with optional module
 * prefixes (`java.base/`, `app//`). Printed innermost first.
 *
 * Only the top exception's frames are kept: parsing stops at the first `Caused by:` or
 * `Suppressed:`. The event's type and message are the top exception's, so its frames are the
 * ones that match; `... 12 more` lines are skipped.
 */
export const JAVA_FRAME =
  /^\s*at\s+(?:[^\s/()]+\/+)*([\w$.<>-]+)\.([\w$<>-]+)\(([^\s()]+|Native Method|Unknown Source(?::\d+)?)\)\s*$/;
const STOP = /^\s*(?:Caused by|Suppressed):/;
const LOCATION = /^(.*?)(?::(\d+))?$/;

export const parseJava: StackParser = (lines) => {
  const frames: StackFrame[] = [];
  for (const line of lines) {
    if (frames.length > 0 && STOP.test(line)) break;
    const m = JAVA_FRAME.exec(line);
    if (!m) continue;
    const location = LOCATION.exec(m[3] ?? "");
    const file = location?.[1];
    frames.push(
      frame({
        module: m[1],
        function: m[2],
        filename: file === "Native Method" || file === "Unknown Source" ? undefined : file,
        lineno: toInt(location?.[2]),
      }),
    );
  }
  return frames.reverse();
};
