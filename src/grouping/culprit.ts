import type { ErrorEvent, StackFrame } from "./error-event.js";
import { eventFrames } from "./event-frames.js";
import { frameLocation } from "./frame-location.js";
import type { InAppRule } from "./in-app.js";
import { urlPattern } from "./url-pattern.js";

const MAX_CULPRIT = 300;

function describe(frame: StackFrame): string | undefined {
  const location = frameLocation(frame);
  const fn = frame.function?.trim();
  if (location && fn) return `${location} in ${fn}`;
  return location ?? fn;
}

/**
 * Where the bug is, for people: the raising-most in-app frame (`cart/checkout.ts in applyCoupon`),
 * else the failing request (`GET /api/pets/{id}`), else the raising-most frame of any kind.
 */
export function culprit(event: ErrorEvent, inAppRule?: InAppRule): string | undefined {
  const frames = eventFrames(event, inAppRule);
  const inApp = frames.findLast((f) => f.inApp && describe(f));
  const fromFrame = inApp && describe(inApp);
  if (fromFrame) return fromFrame.slice(0, MAX_CULPRIT);
  const url = event.request?.url;
  if (url) {
    const method = event.request?.method?.trim().toUpperCase();
    return (method ? `${method} ${urlPattern(url)}` : urlPattern(url)).slice(0, MAX_CULPRIT);
  }
  const any = frames.findLast((f) => describe(f));
  return any ? describe(any)?.slice(0, MAX_CULPRIT) : undefined;
}
