import { hash as digest } from "node:crypto";
import type { ErrorEvent, StackFrame } from "./error-event.js";
import { eventFrames } from "./event-frames.js";
import { frameLocation } from "./frame-location.js";
import { normaliseMessage } from "./normalise-message.js";
import { urlPattern } from "./url-pattern.js";

/**
 * Version of the default grouping rules, stored with every bug. Any change that alters a hash in
 * the golden table (test/unit/grouping/fingerprint.test.ts) must bump it, so stored fingerprints
 * of the old version can be told apart (and regrouped) instead of silently splitting bugs.
 */
export const FINGERPRINT_VERSION = 1;

/** How many frames nearest the raise identify the bug: enough to tell callers apart, few enough
 * that a refactor far up the stack does not split a group. */
const FRAMES_IN_FINGERPRINT = 5;
const SEPARATOR = "\u0000";
const DEFAULT_PLACEHOLDER = /^\{\{\s*default\s*\}\}$/i;
const MAX_PART = 500;
const MAX_CUSTOM_PARTS = 50;

export interface Fingerprint {
  /** 32 hex characters: sha256 of the version and the parts, truncated. */
  hash: string;
  parts: string[];
  version: number;
}

/**
 * Function names without the bits that change between builds: Java lambda numbers, .NET
 * compiler-generated suffixes, PHP 8.4 closure line numbers, minified browser names.
 */
function normaliseFunction(frame: StackFrame): string {
  let fn = (frame.function ?? "").trim();
  // Each rewrite only when its literal part is there: most names have none of them.
  if (fn.includes("lambda$")) fn = fn.replace(/lambda\$([\w$]*?)\$\d+/g, "lambda$$$1$$");
  if (fn.includes("$$Lambda")) fn = fn.replace(/\$\$Lambda[$\w/.]*/g, "$$$$Lambda");
  if (fn.includes("DisplayClass") || fn.includes("__")) {
    fn = fn.replace(/(DisplayClass|b__|d__)\d+(?:_\d+)?/g, "$1");
  }
  if (fn.includes("{closure:")) fn = fn.replace(/(\{closure:[^}]*?):\d+\}/g, "$1}");
  const file = frame.filename ?? frame.absPath ?? "";
  const minified = /^https?:\/\//i.test(file) && fn.split(".").every((part) => part.length <= 2);
  return minified || fn === "" ? "?" : fn;
}

/** Java/Kotlin proxy classes carry per-run hashes (`Cart$$EnhancerBySpringCGLIB$$a1b2c3`). */
function normaliseModuleLocation(location: string): string {
  if (!location.includes("$$")) return location;
  return location.replace(/\$\$[A-Za-z]+\$\$[\w$]*/g, "");
}

function frameKey(frame: StackFrame): string {
  const location = frameLocation(frame);
  return `${location ? normaliseModuleLocation(location) : "?"}:${normaliseFunction(frame)}`;
}

function frameParts(frames: readonly StackFrame[]): string[] {
  const inApp = frames.filter((f) => f.inApp);
  const chosen = inApp.length > 0 ? inApp : frames;
  const keys: string[] = [];
  // From the raising end; repeated keys (recursion) are collapsed so depth does not split groups.
  for (let i = chosen.length - 1; i >= 0 && keys.length < FRAMES_IN_FINGERPRINT; i--) {
    const key = frameKey(chosen[i] as StackFrame);
    if (keys[0] !== key) keys.unshift(key);
  }
  return keys;
}

function cleanPart(part: string): string {
  return part.replaceAll(SEPARATOR, "").slice(0, MAX_PART);
}

/** The built-in grouping: type + message + top in-app frames, or route + status for HTTP errors. */
export function defaultFingerprintParts(event: ErrorEvent): string[] {
  const type = (event.errorType ?? "").trim() || "Error";
  const frames = eventFrames(event);
  const request = event.request;
  if (frames.length === 0 && request?.url && typeof request.statusCode === "number") {
    // The message of an HTTP error often embeds the response body: the route identifies it.
    const method = request.method?.trim().toUpperCase() ?? "";
    return [type, method, urlPattern(request.url), String(request.statusCode)].map(cleanPart);
  }
  const message = normaliseMessage(event.messageTemplate ?? event.message ?? "");
  return [type, message, ...frameParts(frames)].map(cleanPart);
}

/**
 * The event's fingerprint. A client-supplied `fingerprint` replaces the default, except that any
 * `{{ default }}` entry stands for the default parts. Pure and deterministic.
 */
export function computeFingerprint(event: ErrorEvent): Fingerprint {
  const custom = Array.isArray(event.fingerprint)
    ? event.fingerprint.filter((p): p is string => typeof p === "string").slice(0, MAX_CUSTOM_PARTS)
    : [];
  let parts: string[];
  if (custom.length === 0) {
    parts = defaultFingerprintParts(event);
  } else {
    let defaults: string[] | undefined;
    parts = custom.flatMap((part) => {
      if (!DEFAULT_PLACEHOLDER.test(part.trim())) return [cleanPart(part)];
      defaults ??= defaultFingerprintParts(event);
      return defaults;
    });
  }
  // One-shot digest: no Hash object per report.
  const hash = digest(
    "sha256",
    [String(FINGERPRINT_VERSION), ...parts].join(SEPARATOR),
    "hex",
  ).slice(0, 32);
  return { hash, parts, version: FINGERPRINT_VERSION };
}
