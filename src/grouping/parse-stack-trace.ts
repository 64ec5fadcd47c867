import type { StackFrame } from "./error-event.js";
import { memoizeString } from "./memo.js";
import { STACK_PARSERS } from "./stack-parsers/index.js";

/** Bounds for untrusted input: the parser is fed whatever clients send (and is fuzzed). */
const MAX_TEXT = 200_000;
const MAX_LINES = 5_000;
const MAX_LINE_LENGTH = 2_000;
export const MAX_FRAMES = 200;

/**
 * Parses a runtime's stack trace text into frames, outermost first (Sentry order). The format is
 * detected by trying every parser and keeping the one that recognises the most frames. At most
 * `MAX_FRAMES` are kept, those nearest the raising frame. Unknown text gives []; never throws.
 */
export function parseStackTrace(text: string): StackFrame[] {
  if (typeof text !== "string" || text.length === 0) return [];
  // Fresh frame objects every time: callers own (and may change) what they get.
  return parseCached(text).map((f) => ({ ...f }));
}

/** Memoised: a bug's reports carry the same trace, and every parser runs over every line. */
const parseCached = memoizeString(parseUncached, { maxEntries: 500, maxKeyLength: 8192 });

function parseUncached(text: string): StackFrame[] {
  try {
    const lines = text
      .slice(0, MAX_TEXT)
      .split(/\r\n|\r|\n/, MAX_LINES)
      .map((line) => (line.length > MAX_LINE_LENGTH ? "" : line));
    let best: StackFrame[] = [];
    for (const parse of STACK_PARSERS) {
      const frames = parse(lines);
      if (frames.length > best.length) best = frames;
    }
    return best.slice(-MAX_FRAMES);
  } catch {
    return [];
  }
}
