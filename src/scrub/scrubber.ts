import type { ErrorEvent } from "../grouping/index.js";
import { memoizeString } from "../grouping/memo.js";
import { compileExtraPatterns } from "./extra-patterns.js";
import { FILTERED, FILTERED_CIRCULAR, FILTERED_TOO_DEEP } from "./filtered.js";
import { type KeyMatcher, createKeyMatcher } from "./sensitive-keys.js";
import { setOwn } from "./set-own.js";
import { createStringScrubber } from "./string-patterns.js";

/** Per-repository scrubbing settings (the `scrub` section of `.github/faultline.yml`). */
export interface ScrubOptions {
  /** More sensitive key names, matched like the defaults (case, `-`/`_` and substring). */
  extraKeys?: string[];
  /** JavaScript regex sources; every match inside any string becomes "[Filtered]". */
  extraPatterns?: string[];
  /** Filter IPv4/IPv6 addresses in strings too. Off by default: they help debugging. */
  scrubIpAddresses?: boolean;
}

export interface Scrubber {
  /** A scrubbed copy of the event; the input is never mutated. */
  scrubEvent(event: ErrorEvent): ErrorEvent;
  /** Scrubs any JSON-like value: sensitive keys, patterns inside strings, depth and cycles. */
  scrubValue(value: unknown): unknown;
  scrubString(s: string): string;
}

/** Containers nested deeper than this are replaced; validation should reject them earlier. */
export const MAX_DEPTH = 20;

/** Event fields that are ids or vocabulary, kept as they are (`userId` is an id, not PII). */
const KEPT_FIELDS = new Set(["eventId", "level", "source", "platform", "userId", "fingerprint"]);

/**
 * Free text: scrubbed as strings, whatever key names they happen to sit under. The error type,
 * service, environment, release and server name are names in a well-behaved client, but any
 * client can put a connection string or a token there, and they are stored as they are and make
 * the issue title: scrubbed like any other string.
 */
const TEXT_FIELDS = new Set([
  "message",
  "messageTemplate",
  "rawStacktrace",
  "errorType",
  "service",
  "environment",
  "release",
  "serverName",
]);

/** Frame fields that can carry URLs with query strings or credentials. */
const FRAME_URL_FIELDS = new Set(["filename", "absPath"]);

/** Frame fields grouping relies on; code identifiers, not data. */
const FRAME_KEPT_FIELDS = new Set(["module", "function", "lineno", "colno", "inApp"]);

/**
 * Builds a scrubber for one repo config. Compiles every regex here, once, because scrubbing
 * runs on every report. Throws ScrubConfigError when an `extraPatterns` entry is not a usable
 * regex, so config validation can report it; the returned functions themselves never throw.
 */
export function createScrubber(options: ScrubOptions = {}): Scrubber {
  const extraKeys = options.extraKeys ?? [];
  const isSensitiveKey = createKeyMatcher(extraKeys);
  // File names, runtime versions and whole stack traces come back report after report: a string
  // the passes left unchanged is remembered, and its next copy costs a lookup. Only clean strings
  // are kept, so no secret stays in memory beyond its report.
  const scrubText = memoizeString(
    createStringScrubber({
      extraKeys,
      extraPatterns: compileExtraPatterns(options.extraPatterns ?? []),
      scrubIpAddresses: options.scrubIpAddresses ?? false,
    }),
    { maxEntries: 2000, maxKeyLength: 1024, keep: (input, output) => output === input },
  );

  const scrubString = (s: string): string => (typeof s === "string" ? scrubText(s) : s);
  const scrubValue = (value: unknown): unknown =>
    walkGuarded(value, 0, [], isSensitiveKey, scrubText);

  const scrubEvent = (event: ErrorEvent): ErrorEvent =>
    guarded(() => {
      if (!isRecord(event)) return walk(event, 0, [], isSensitiveKey, scrubText);
      const ancestors: object[] = [event];
      // Plain loops rather than entries/map/fromEntries: this runs on every report.
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(event)) {
        const value: unknown = (event as unknown as Record<string, unknown>)[key];
        let scrubbed: unknown;
        if (KEPT_FIELDS.has(key)) scrubbed = value;
        else if (key === "timestamp") {
          scrubbed = value instanceof Date ? new Date(value.getTime()) : value;
        } else if (TEXT_FIELDS.has(key) && typeof value === "string") scrubbed = scrubText(value);
        else if (key === "frames" && Array.isArray(value)) {
          const frames: unknown[] = [];
          const length = value.length;
          for (let i = 0; i < length; i++) {
            frames.push(scrubFrame(value[i], ancestors, isSensitiveKey, scrubText));
          }
          scrubbed = frames;
        } else {
          // request, tags, context and anything unexpected: the full walk.
          scrubbed = walkGuarded(value, 1, ancestors, isSensitiveKey, scrubText);
        }
        setOwn(out, key, scrubbed);
      }
      return out;
    }) as ErrorEvent;

  return { scrubEvent, scrubValue, scrubString };
}

/**
 * Frames feed grouping, so their identity fields stay as they are; URL-like fields lose query
 * secrets, and anything else a client put in a frame (locals, say) gets the full walk.
 */
function scrubFrame(
  frame: unknown,
  ancestors: object[],
  isSensitiveKey: KeyMatcher,
  scrubText: (s: string) => string,
): unknown {
  if (!isRecord(frame)) return walk(frame, 2, ancestors, isSensitiveKey, scrubText);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(frame)) {
    const value = frame[key];
    let scrubbed: unknown;
    if (FRAME_KEPT_FIELDS.has(key)) scrubbed = value;
    else if (FRAME_URL_FIELDS.has(key) && typeof value === "string") scrubbed = scrubText(value);
    else scrubbed = walkGuarded(value, 3, ancestors, isSensitiveKey, scrubText);
    setOwn(out, key, scrubbed);
  }
  return out;
}

/** `walk`, with a throw (a getter or Proxy trap) dropping the value as guarded() does. */
function walkGuarded(
  value: unknown,
  depth: number,
  ancestors: object[],
  isSensitiveKey: KeyMatcher,
  scrubText: (s: string) => string,
): unknown {
  try {
    return walk(value, depth, ancestors, isSensitiveKey, scrubText);
  } catch {
    return FILTERED;
  }
}

/**
 * `ancestors` is a stack, not a WeakSet: it never holds more than MAX_DEPTH entries, and a
 * scan of those costs less than hashing every container into a set.
 */
function walk(
  value: unknown,
  depth: number,
  ancestors: object[],
  isSensitiveKey: KeyMatcher,
  scrubText: (s: string) => string,
): unknown {
  if (typeof value === "string") return scrubText(value);
  if (typeof value === "function") return undefined;
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Date) return new Date(value.getTime());
  if (ancestors.includes(value)) return FILTERED_CIRCULAR;
  if (depth >= MAX_DEPTH) return FILTERED_TOO_DEEP;

  // Ancestors, not "seen": an object shared by two branches is copied twice, not filtered.
  ancestors.push(value);
  try {
    // Plain loops, not map + closures: this runs for every key of every report. Indexes, not
    // for-of: an array's own iterator (a Proxy's, say) could be endless.
    if (Array.isArray(value)) {
      const items: unknown[] = [];
      const length = value.length;
      for (let i = 0; i < length; i++) {
        items.push(walk(value[i], depth + 1, ancestors, isSensitiveKey, scrubText));
      }
      return items;
    }
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      let scrubbed: unknown = FILTERED;
      if (!isSensitiveKey(key)) {
        try {
          const child = (value as Record<string, unknown>)[key];
          scrubbed = walk(child, depth + 1, ancestors, isSensitiveKey, scrubText);
        } catch {
          // A throwing getter or Proxy trap: the value is dropped, as guarded() does.
        }
      }
      setOwn(out, key, scrubbed);
    }
    return out;
  } finally {
    ancestors.pop();
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * Last line of defence for "never throws": JSON-like input cannot make the walk throw, but a
 * getter or Proxy in a non-JSON value could. Dropping that value is safer than storing it raw.
 * Only a whole event that cannot even be enumerated comes back as the bare "[Filtered]".
 */
function guarded<T>(fn: () => T): T | string {
  try {
    return fn();
  } catch {
    return FILTERED;
  }
}
