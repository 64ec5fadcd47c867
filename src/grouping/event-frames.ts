import type { ErrorEvent, StackFrame } from "./error-event.js";
import { type InAppRule, decideInApp } from "./in-app.js";
import { parseStackTrace } from "./parse-stack-trace.js";

/**
 * The event's frames with `inApp` decided as grouping does (the repository's in-app rules, then
 * `decideInApp`). When an adapter sent only `rawStacktrace`, it is parsed here, so grouping never
 * depends on whether the adapter remembered to.
 */
export function eventFrames(event: ErrorEvent, inAppRule?: InAppRule): StackFrame[] {
  const frames =
    Array.isArray(event.frames) && event.frames.length > 0
      ? event.frames
      : parseStackTrace(event.rawStacktrace ?? "");
  return frames.map((f) => ({ ...f, inApp: decideInApp(f, event.platform, inAppRule) }));
}
