import type { StackFrame } from "../../grouping/error-event.js";
import { oneLine } from "./markdown.js";

/** Marks the application's own frames; library frames get two spaces so columns line up. */
export const APP_FRAME_MARK = "→ ";
const LIBRARY_PAD = "  ";

/** `at applyDiscount (src/cart/checkout.ts:42:17)`, Node style, without the marker. */
export function formatFrame(frame: StackFrame): string {
  let location = oneLine(frame.filename ?? frame.absPath ?? frame.module ?? "<unknown>");
  if (frame.lineno !== undefined) {
    location += `:${frame.lineno}`;
    if (frame.colno !== undefined) location += `:${frame.colno}`;
  }
  const fn = frame.function ? oneLine(frame.function) : "";
  return fn ? `at ${fn} (${location})` : `at ${location}`;
}

export interface RenderedStack {
  /** Raising frame first; runs of library frames folded when the trace has app frames. */
  folded: string;
  /** Every frame, raising first; only set when `folded` hides frames. */
  full?: string;
  frameCount: number;
}

/**
 * Frames arrive outermost first (Sentry order); people read the raising frame first, so the
 * order is reversed. The raising frame is always shown, even inside a library, because that is
 * where the error happened; other runs of two or more library frames become `… N library frames`.
 * A trace without any in-app frame (or without inApp information) is shown whole, unmarked.
 */
export function renderStack(frames: readonly StackFrame[]): RenderedStack {
  const ordered = [...frames].reverse();
  const hasApp = ordered.some((f) => f.inApp === true);
  if (!hasApp) {
    return { folded: ordered.map(formatFrame).join("\n"), frameCount: ordered.length };
  }
  const line = (f: StackFrame) => (f.inApp ? APP_FRAME_MARK : LIBRARY_PAD) + formatFrame(f);
  const out: string[] = [];
  let run: StackFrame[] = [];
  let hidden = 0;
  const flush = () => {
    if (run.length >= 2) {
      out.push(`${LIBRARY_PAD}… ${run.length} library frames`);
      hidden += run.length;
    } else {
      out.push(...run.map(line));
    }
    run = [];
  };
  ordered.forEach((frame, i) => {
    if (frame.inApp === true || i === 0) {
      flush();
      out.push(line(frame));
    } else {
      run.push(frame);
    }
  });
  flush();
  const folded = out.join("\n");
  return hidden > 0
    ? { folded, full: ordered.map(line).join("\n"), frameCount: ordered.length }
    : { folded, frameCount: ordered.length };
}
