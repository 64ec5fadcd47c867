import { hash as digest } from "node:crypto";
import type { ErrorEvent, StackFrame } from "./error-event.js";
import { eventFrames } from "./event-frames.js";
import { frameKey } from "./frame-key.js";
import type { GroupingRules } from "./grouping-rules.js";
import { V1, defaultPartsV1 } from "./legacy/fingerprint-v1.js";
import { normaliseMessage } from "./normalise-message.js";
import { urlPattern } from "./url-pattern.js";

/**
 * Version of the default grouping rules, stored with every bug. Any change that alters a hash in
 * the golden table (test/unit/grouping/fingerprint.test.ts) must bump it and keep the previous
 * version computable (legacy/): during a transition an event whose hash is unknown is looked up
 * by its previous-version hash too, so that a grouping change never splits an existing bug.
 *
 * Version 2 (Sentry's rule): an exception with usable frames is its type, its causes' types and
 * its frames; the message is not part of it. The message counts only where no frame does.
 */
export const FINGERPRINT_VERSION = 2;
/** The version before, whose hashes a grouping transition still looks up. */
export const PREVIOUS_FINGERPRINT_VERSION = V1;

/**
 * Frames nearest the raise that identify the bug: the raising function and two callers tell a
 * shared helper's callers apart, and stop short of the outer frames that differ between the first
 * synchronous call of a code path and its later asynchronous ones.
 */
const FRAMES_IN_FINGERPRINT = 3;
const SEPARATOR = "\u0000";
const DEFAULT_PLACEHOLDER = /^\{\{\s*default\s*\}\}$/i;
const MAX_PART = 500;
const MAX_CUSTOM_PARTS = 50;

/** What the fingerprint was made of, for the reasons shown on a bug. */
export type GroupingBasis = "stacktrace" | "message" | "request" | "client" | "rule";

export interface Fingerprint {
  /** 32 hex characters: sha256 of the version and the parts, truncated. */
  hash: string;
  parts: string[];
  version: number;
  basis: GroupingBasis;
  /** The repository's fingerprint rule that applied (1-based), when basis is "rule". */
  rule?: number;
}

export interface FingerprintOptions {
  /** The repository's `grouping` rules (in-app and fingerprint rules). */
  rules?: GroupingRules;
}

function cleanPart(part: string): string {
  return part.replaceAll(SEPARATOR, "").slice(0, MAX_PART);
}

/** Frame keys nearest the raise: in-app frames when there are any, else every frame. */
function frameParts(frames: readonly StackFrame[]): string[] {
  const inApp = frames.filter((f) => f.inApp);
  const chosen = inApp.length > 0 ? inApp : frames;
  const keys: string[] = [];
  // From the raising end; repeated keys (recursion) are collapsed so depth does not split groups.
  for (let i = chosen.length - 1; i >= 0 && keys.length < FRAMES_IN_FINGERPRINT; i--) {
    const key = frameKey(chosen[i] as StackFrame, keys.length === 0);
    if (key !== undefined && keys[0] !== key) keys.unshift(key);
  }
  return keys;
}

/** The built-in parts of version 2, and what they were made of. */
function defaultParts(
  event: ErrorEvent,
  frames: readonly StackFrame[],
): { parts: string[]; basis: GroupingBasis } {
  const type = (event.errorType ?? "").trim() || "Error";
  const causes = (event.causes ?? [])
    .map((c) => (typeof c?.type === "string" ? c.type.trim() : ""))
    .filter((t) => t !== "")
    .map((t) => `cause: ${t}`);
  const keys = frameParts(frames);
  if (keys.length > 0) {
    const parts = [`type: ${type}`, ...causes, ...keys.map((k) => `frame: ${k}`)];
    return { parts: parts.map(cleanPart), basis: "stacktrace" };
  }
  const request = event.request;
  if (request?.url && typeof request.statusCode === "number") {
    // The message of an HTTP error often embeds the response body: the route identifies it.
    const method = request.method?.trim().toUpperCase() ?? "";
    const route = `${method} ${urlPattern(request.url)} ${request.statusCode}`.trim();
    return {
      parts: [`type: ${type}`, ...causes, `request: ${route}`].map(cleanPart),
      basis: "request",
    };
  }
  const message = normaliseMessage(event.messageTemplate ?? event.message ?? "");
  return {
    parts: [`type: ${type}`, ...causes, `message: ${message}`].map(cleanPart),
    basis: "message",
  };
}

/** Custom parts with `{{ default }}` expanded; `defaults` is computed only when asked for. */
function expandCustom(custom: readonly string[], defaults: () => string[]): string[] {
  let expanded: string[] | undefined;
  return custom.flatMap((part) => {
    if (!DEFAULT_PLACEHOLDER.test(part.trim())) return [cleanPart(part)];
    expanded ??= defaults();
    return expanded;
  });
}

function hashParts(prefix: string, parts: readonly string[]): string {
  // One-shot digest: no Hash object per report.
  return digest("sha256", [prefix, ...parts].join(SEPARATOR), "hex").slice(0, 32);
}

function clientParts(event: ErrorEvent): string[] {
  return Array.isArray(event.fingerprint)
    ? event.fingerprint.filter((p): p is string => typeof p === "string").slice(0, MAX_CUSTOM_PARTS)
    : [];
}

/**
 * The event's fingerprint. A repository fingerprint rule that matches wins, then a
 * client-supplied `fingerprint`, then the built-in parts; `{{ default }}` in the first two stands
 * for the built-in parts. A fingerprint made only of custom parts hashes without the version, so
 * that it survives grouping changes. Pure and deterministic.
 */
export function computeFingerprint(
  event: ErrorEvent,
  options: FingerprintOptions = {},
): Fingerprint {
  const rules = options.rules;
  const frames = eventFrames(event, rules?.inApp);
  let built: { parts: string[]; basis: GroupingBasis } | undefined;
  const builtIn = () => {
    built ??= defaultParts(event, frames);
    return built;
  };
  const ruled = rules?.fingerprint?.(event, frames);
  const custom = ruled?.parts ?? clientParts(event);
  if (custom.length === 0) {
    const { parts, basis } = builtIn();
    return {
      hash: hashParts(String(FINGERPRINT_VERSION), parts),
      parts,
      version: FINGERPRINT_VERSION,
      basis,
    };
  }
  const parts = expandCustom(custom, () => builtIn().parts);
  const fingerprint: Fingerprint = {
    // Custom parts alone do not depend on the grouping version.
    hash: hashParts(built ? String(FINGERPRINT_VERSION) : "custom", parts),
    parts,
    version: FINGERPRINT_VERSION,
    basis: ruled ? "rule" : "client",
  };
  if (ruled) fingerprint.rule = ruled.rule;
  return fingerprint;
}

/**
 * The event's hash under the previous grouping version (1): what the bug it belongs to was found
 * by before the upgrade. Repository rules did not exist then; a client's fingerprint did.
 */
export function computePreviousFingerprint(event: ErrorEvent): string {
  const custom = clientParts(event);
  const parts =
    custom.length === 0
      ? defaultPartsV1(event, cleanPart)
      : expandCustom(custom, () => defaultPartsV1(event, cleanPart));
  return hashParts(String(V1), parts);
}
