import type { StackFrame } from "../error-event.js";
import { type StackParser, frame, toInt } from "./shared.js";

/**
 * Ruby: `app/models/cart.rb:42:in 'checkout'` (3.4 quotes) or `` in `checkout' `` (older), with
 * `from ` on the following lines. Printed innermost first.
 */
const FRAME = /^\s*(?:from\s+)?([^\s:][^:]*?):(\d+):in\s+[`']([^'`]*)'/;

export const parseRuby: StackParser = (lines) => {
  const frames: StackFrame[] = [];
  for (const line of lines) {
    const m = FRAME.exec(line);
    if (m) frames.push(frame({ filename: m[1], lineno: toInt(m[2]), function: m[3] }));
  }
  return frames.reverse();
};
