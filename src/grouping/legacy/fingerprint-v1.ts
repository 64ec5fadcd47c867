import type { ErrorEvent, StackFrame } from "../error-event.js";
import { frameLocation } from "../frame-location.js";
import { stripGeneratedSuffixes, stripProxyHashes } from "../frame-names.js";
import { markInApp } from "../in-app.js";
import { parseStackTrace } from "../parse-stack-trace.js";
import { urlPattern } from "../url-pattern.js";
import { normaliseMessageV1 } from "./normalise-message-v1.js";

/**
 * Fingerprint version 1, frozen: type + normalised message + the five in-app frames nearest the
 * raise (module or file, and function), or route + status for frameless HTTP errors. Kept so
 * that, during a grouping transition, an event whose current hash is unknown can still find the
 * bug its version-1 hash made (see ../fingerprint.ts). Its golden table
 * (test/unit/grouping/fingerprint-v1.test.ts) must never change.
 */
export const V1 = 1;

const FRAMES_IN_FINGERPRINT = 5;

function normaliseFunction(frame: StackFrame): string {
  const fn = stripGeneratedSuffixes((frame.function ?? "").trim());
  const file = frame.filename ?? frame.absPath ?? "";
  const minified = /^https?:\/\//i.test(file) && fn.split(".").every((part) => part.length <= 2);
  return minified || fn === "" ? "?" : fn;
}

function frameKey(frame: StackFrame): string {
  const location = frameLocation(frame);
  return `${location ? stripProxyHashes(location) : "?"}:${normaliseFunction(frame)}`;
}

function frameParts(frames: readonly StackFrame[]): string[] {
  const inApp = frames.filter((f) => f.inApp);
  const chosen = inApp.length > 0 ? inApp : frames;
  const keys: string[] = [];
  for (let i = chosen.length - 1; i >= 0 && keys.length < FRAMES_IN_FINGERPRINT; i--) {
    const key = frameKey(chosen[i] as StackFrame);
    if (keys[0] !== key) keys.unshift(key);
  }
  return keys;
}

/** Version 1's default parts. `clean` is the part sanitiser every version shares. */
export function defaultPartsV1(event: ErrorEvent, clean: (part: string) => string): string[] {
  const type = (event.errorType ?? "").trim() || "Error";
  const raw =
    Array.isArray(event.frames) && event.frames.length > 0
      ? event.frames
      : parseStackTrace(event.rawStacktrace ?? "");
  const frames = markInApp(raw, event.platform);
  const request = event.request;
  if (frames.length === 0 && request?.url && typeof request.statusCode === "number") {
    const method = request.method?.trim().toUpperCase() ?? "";
    return [type, method, urlPattern(request.url), String(request.statusCode)].map(clean);
  }
  const message = normaliseMessageV1(event.messageTemplate ?? event.message ?? "");
  return [type, message, ...frameParts(frames)].map(clean);
}
