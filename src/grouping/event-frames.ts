import type { ErrorEvent, StackFrame } from "./error-event.js";
import { markInApp } from "./in-app.js";
import { parseStackTrace } from "./parse-stack-trace.js";

/**
 * The event's frames with `inApp` decided. When an adapter sent only `rawStacktrace`, it is parsed
 * here, so grouping never depends on whether the adapter remembered to.
 */
export function eventFrames(event: ErrorEvent): StackFrame[] {
  const frames =
    Array.isArray(event.frames) && event.frames.length > 0
      ? event.frames
      : parseStackTrace(event.rawStacktrace ?? "");
  return markInApp(frames, event.platform);
}
