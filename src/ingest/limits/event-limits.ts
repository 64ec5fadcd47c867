import type { ErrorEvent, RequestInfo, StackFrame } from "../../grouping/index.js";
import { setOwn } from "../../scrub/set-own.js";
import { truncateText } from "./truncate.js";

/**
 * Hard limits on one event, applied by every parser as its last step. Oversized parts are cut,
 * never refused: a huge message is still a real error worth counting. What was cut is noted in
 * `context._limits` so the stored event says it is not whole.
 */
export const EVENT_LIMITS = Object.freeze({
  message: 8 * 1024,
  errorType: 512,
  rawStacktrace: 64 * 1024,
  /** filename, absPath, module, function, contextLine of one frame. */
  frameField: 1024,
  /** Exceptions kept of a cause chain (their types are grouped on). */
  causes: 10,
  frames: 250,
  /** Of the frames kept, those from the innermost end (where it was raised): the culprit. */
  innermostFrames: 200,
  tags: 50,
  tagKey: 200,
  tagValue: 200,
  /** service, environment, release, serverName, userId, platform. */
  shortField: 256,
  url: 8 * 1024,
  headers: 100,
  headerValue: 4 * 1024,
  fingerprintParts: 32,
  fingerprintPart: 1024,
  /** Any string inside context, request query/data. */
  contextString: 4 * 1024,
  /** Keys of one object / items of one array inside context. */
  containerEntries: 200,
  /** Serialized context; past this its biggest top-level keys are dropped. */
  contextBytes: 64 * 1024,
  /** Serialized request query or body. */
  requestDataBytes: 16 * 1024,
  /** Nesting kept inside context; parsers already refuse bodies deeper than 64. */
  contextDepth: 32,
});

export const LIMITS_CONTEXT_KEY = "_limits";
const MAX_NOTED_FIELDS = 20;

/** What limitEvent cut, as stored in `context._limits`. */
export interface LimitNotes {
  /** Frames left out of the middle of the stack, and the index in `frames` where they were. */
  framesOmitted?: { count: number; at: number };
  tagsDropped?: number;
  contextKeysDropped?: string[];
  /** Fields (dotted paths, first 20) whose text or size was cut. */
  truncated?: string[];
}

class Notes {
  readonly notes: LimitNotes = {};
  /**
   * An upper bound of the JSON length of what limitValue returned since it was reset: the exact
   * JSON.stringify costs as much as the walk, and is only needed when near a size limit.
   */
  jsonBound = 0;
  cut(field: string) {
    this.notes.truncated ??= [];
    const list = this.notes.truncated;
    if (list.length < MAX_NOTED_FIELDS && !list.includes(field)) list.push(field);
  }
  /** `key`, when given, is appended to `field` as `field.key`; built only when something is cut. */
  text(value: string, max: number, field: string, key?: string): string {
    const clean = storableText(value);
    const out = truncateText(clean, max);
    if (out !== clean) this.cut(key === undefined ? field : `${field}.${key.slice(0, 64)}`);
    return out;
  }
  optText(value: string | undefined, max: number, field: string): string | undefined {
    return value === undefined ? undefined : this.text(value, max, field);
  }
  get empty() {
    const notes = this.notes;
    return (
      notes.framesOmitted === undefined &&
      notes.tagsDropped === undefined &&
      notes.contextKeysDropped === undefined &&
      notes.truncated === undefined
    );
  }
}

const LONE_SURROGATE =
  "[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]";
const UNSTORABLE_ALL = new RegExp(`\\u0000|${LONE_SURROGATE}`, "g");
/** A cheap first look: most text has neither NUL nor any surrogate (emoji) at all. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is what Postgres refuses.
const MAYBE_UNSTORABLE = /[\u0000\uD800-\uDFFF]/;

/**
 * Text Postgres can store: no NUL characters (refused in text and jsonb) and no lone surrogate
 * halves (refused as jsonb escapes); both become U+FFFD, visibly.
 */
export function storableText(value: string): string {
  return MAYBE_UNSTORABLE.test(value) ? value.replace(UNSTORABLE_ALL, "\uFFFD") : value;
}

type OptionalText =
  | "messageTemplate"
  | "rawStacktrace"
  | "platform"
  | "service"
  | "environment"
  | "release"
  | "serverName"
  | "userId";

/** Optional text fields and their limits, in the order their cuts are noted. */
const OPTIONAL_TEXT: readonly (readonly [OptionalText, number])[] = [
  ["messageTemplate", EVENT_LIMITS.message],
  ["rawStacktrace", EVENT_LIMITS.rawStacktrace],
  ["platform", EVENT_LIMITS.shortField],
  ["service", EVENT_LIMITS.shortField],
  ["environment", EVENT_LIMITS.shortField],
  ["release", EVENT_LIMITS.shortField],
  ["serverName", EVENT_LIMITS.shortField],
  ["userId", EVENT_LIMITS.shortField],
];

/**
 * A copy of `event` within EVENT_LIMITS; the input is not mutated. Pure, never throws on JSON.
 * Frames and context values that need no cut are shared with the input rather than copied: this
 * runs on every report, and nothing downstream mutates an event (scrubEvent copies it).
 */
export function limitEvent(event: ErrorEvent): ErrorEvent {
  const notes = new Notes();
  const out: ErrorEvent = {
    ...event,
    errorType: notes.text(event.errorType, EVENT_LIMITS.errorType, "errorType"),
    message: notes.text(event.message, EVENT_LIMITS.message, "message"),
    frames: limitFrames(event.frames, notes),
    tags: limitTags(event.tags, notes),
  };
  for (const [field, max] of OPTIONAL_TEXT) {
    const value = event[field];
    if (typeof value === "string") out[field] = notes.text(value, max, field);
  }
  if (event.fingerprint) {
    const parts = event.fingerprint;
    if (parts.length > EVENT_LIMITS.fingerprintParts) notes.cut("fingerprint");
    const count = Math.min(parts.length, EVENT_LIMITS.fingerprintParts);
    const fingerprint: string[] = [];
    for (let i = 0; i < count; i++) {
      fingerprint.push(notes.text(parts[i] as string, EVENT_LIMITS.fingerprintPart, "fingerprint"));
    }
    out.fingerprint = fingerprint;
  }
  if (event.causes) out.causes = limitCauses(event.causes, notes);
  if (event.request) out.request = limitRequest(event.request, notes);
  const context = limitContext(event.context, notes);
  out.context = notes.empty ? context : { ...context, [LIMITS_CONTEXT_KEY]: notes.notes };
  return out;
}

const FRAME_TEXT = ["filename", "absPath", "module", "function", "contextLine"] as const;
const FRAME_TEXT_NOTE = FRAME_TEXT.map((field) => `frames.${field}`);

function limitFrames(frames: StackFrame[], notes: Notes): StackFrame[] {
  let kept = frames;
  if (frames.length > EVENT_LIMITS.frames) {
    // Deep recursion repeats the middle; the outermost frames say how it started, the innermost
    // where it failed.
    const outer = EVENT_LIMITS.frames - EVENT_LIMITS.innermostFrames;
    kept = [
      ...frames.slice(0, outer),
      ...frames.slice(frames.length - EVENT_LIMITS.innermostFrames),
    ];
    notes.notes.framesOmitted = { count: frames.length - kept.length, at: outer };
  }
  const out: StackFrame[] = [];
  for (let i = 0; i < kept.length; i++) {
    const frame = kept[i] as StackFrame;
    // Copied only when a field is cut.
    let copy: StackFrame | undefined;
    for (let f = 0; f < FRAME_TEXT.length; f++) {
      const field = FRAME_TEXT[f] as (typeof FRAME_TEXT)[number];
      const value = frame[field];
      if (typeof value !== "string") continue;
      const limited = notes.text(value, EVENT_LIMITS.frameField, FRAME_TEXT_NOTE[f] as string);
      if (limited !== value) {
        copy ??= { ...frame };
        copy[field] = limited;
      }
    }
    out.push(copy ?? frame);
  }
  return out;
}

function limitCauses(
  causes: NonNullable<ErrorEvent["causes"]>,
  notes: Notes,
): NonNullable<ErrorEvent["causes"]> {
  if (causes.length > EVENT_LIMITS.causes) notes.cut("causes");
  return causes.slice(0, EVENT_LIMITS.causes).map((cause) => {
    const type = notes.text(cause.type, EVENT_LIMITS.errorType, "causes.type");
    if (cause.message === undefined) return { type };
    return { type, message: notes.text(cause.message, EVENT_LIMITS.message, "causes.message") };
  });
}

function limitTags(tags: Record<string, string>, notes: Notes): Record<string, string> {
  const out: Record<string, string> = {};
  const keys = Object.keys(tags);
  const count = Math.min(keys.length, EVENT_LIMITS.tags);
  for (let i = 0; i < count; i++) {
    const key = keys[i] as string;
    const name = notes.text(key, EVENT_LIMITS.tagKey, "tags(key)");
    out[name] = notes.text(String(tags[key]), EVENT_LIMITS.tagValue, "tags", name);
  }
  if (keys.length > EVENT_LIMITS.tags) {
    notes.notes.tagsDropped = keys.length - EVENT_LIMITS.tags;
  }
  return out;
}

function limitRequest(request: RequestInfo, notes: Notes): RequestInfo {
  const out: RequestInfo = { ...request };
  const url = notes.optText(request.url, EVENT_LIMITS.url, "request.url");
  if (url !== undefined) out.url = url;
  const method = notes.optText(request.method, 16, "request.method");
  if (method !== undefined) out.method = method;
  if (request.headers) {
    const source = request.headers;
    const headers: Record<string, string> = {};
    const names = Object.keys(source);
    if (names.length > EVENT_LIMITS.headers) notes.cut("request.headers");
    const count = Math.min(names.length, EVENT_LIMITS.headers);
    for (let i = 0; i < count; i++) {
      const name = names[i] as string;
      headers[notes.text(name, EVENT_LIMITS.tagKey, "request.headers")] = notes.text(
        String(source[name]),
        EVENT_LIMITS.headerValue,
        "request.headers",
      );
    }
    out.headers = headers;
  }
  if (request.query !== undefined) {
    out.query =
      typeof request.query === "string"
        ? notes.text(request.query, EVENT_LIMITS.url, "request.query")
        : (boundedData(request.query, "request.query", notes) as Record<string, unknown>);
  }
  if (request.data !== undefined) out.data = boundedData(request.data, "request.data", notes);
  return out;
}

/** Request query/body: strings cut, and replaced by a note when still too big as a whole. */
function boundedData(value: unknown, field: string, notes: Notes): unknown {
  notes.jsonBound = 0;
  const limited = limitValue(value, 1, field, notes);
  if (notes.jsonBound <= EVENT_LIMITS.requestDataBytes) return limited;
  const size = jsonSize(limited);
  if (size <= EVENT_LIMITS.requestDataBytes) return limited;
  notes.cut(field);
  return `…[dropped ${size} bytes]`;
}

function limitContext(context: Record<string, unknown>, notes: Notes): Record<string, unknown> {
  notes.jsonBound = 0;
  const limited = limitValue(context, 0, "context", notes);
  if (typeof limited !== "object" || limited === null || Array.isArray(limited)) return {};
  // The bound covers the JSON of the whole object, so also the total below: most contexts are far
  // below the limit and need no JSON.stringify at all.
  if (notes.jsonBound <= EVENT_LIMITS.contextBytes) return limited as Record<string, unknown>;
  let out = limited as Record<string, unknown>;
  // Still too big: drop the biggest top-level entries first, they are the least likely to be the
  // small facts (user agent, thread, logger) people look for.
  const sizes = Object.entries(out).map(([key, value]) => ({ key, size: jsonSize(value) }));
  let total = sizes.reduce((sum, entry) => sum + entry.size + entry.key.length + 4, 2);
  if (total <= EVENT_LIMITS.contextBytes) return out;
  // May be the input itself (nothing in it was cut), which is not to be mutated.
  out = { ...out };
  sizes.sort((a, b) => b.size - a.size);
  const dropped: string[] = [];
  for (const { key, size } of sizes) {
    if (total <= EVENT_LIMITS.contextBytes) break;
    delete out[key];
    dropped.push(key.slice(0, EVENT_LIMITS.tagKey));
    total -= size + key.length + 4;
  }
  notes.notes.contextKeysDropped = dropped.slice(0, MAX_NOTED_FIELDS);
  return out;
}

/**
 * Longest JSON of a number: 17 significant digits, sign, point and exponent
 * ("-1.2345678901234567e-308", "-0.0000012345678901234567").
 */
const NUMBER_JSON_MAX = 25;
const TOO_DEEP = "…[too deep]";

/**
 * A JSON-like value with strings cut and containers bounded in size and depth. Arrays and plain
 * objects that need no change are returned as they are, others are copied. Adds an upper bound of
 * the result's JSON length to `notes.jsonBound` (infinite when JSON.stringify could call code).
 */
function limitValue(
  value: unknown,
  depth: number,
  field: string,
  notes: Notes,
  key?: string,
): unknown {
  if (typeof value === "string") {
    const out = notes.text(value, EVENT_LIMITS.contextString, field, key);
    // Quotes, and at most \uXXXX per UTF-16 unit.
    notes.jsonBound += 2 + 6 * out.length;
    return out;
  }
  if (typeof value === "number") {
    notes.jsonBound += NUMBER_JSON_MAX;
    return value;
  }
  if (typeof value === "bigint" || typeof value === "function" || value instanceof Date) {
    // JSON.stringify throws on a bigint and calls toJSON of a Date (or of a function): no bound.
    notes.jsonBound = Number.POSITIVE_INFINITY;
    return value;
  }
  if (typeof value !== "object" || value === null) {
    // true, false, null; undefined and symbols are left out or written as null.
    notes.jsonBound += 5;
    return value;
  }
  if (depth >= EVENT_LIMITS.contextDepth) {
    notes.cut(field);
    notes.jsonBound += 2 + 6 * TOO_DEEP.length;
    return TOO_DEEP;
  }
  const max = EVENT_LIMITS.containerEntries;
  // Only the first levels are named in notes: a hint, not a full path listing.
  const named = depth < 2;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    if (value.length > max) {
      notes.cut(field);
      out = [];
    }
    const count = Math.min(value.length, max);
    notes.jsonBound += 2 + count;
    for (let i = 0; i < count; i++) {
      const item: unknown = value[i];
      const limited = limitValue(item, depth + 1, field, notes);
      if (out !== undefined) out.push(limited);
      else if (limited !== item) {
        out = value.slice(0, i);
        out.push(limited);
      }
    }
    return out ?? value;
  }
  const source = value as Record<string, unknown>;
  const keys = Object.keys(source);
  let out: Record<string, unknown> | undefined;
  if (keys.length > max) {
    notes.cut(field);
    out = {};
  } else if (Object.getPrototypeOf(source) !== Object.prototype) {
    // Class instances and null-prototype objects become plain JSON-like objects.
    out = {};
  }
  const count = Math.min(keys.length, max);
  notes.jsonBound += 2;
  for (let i = 0; i < count; i++) {
    const key = keys[i] as string;
    const child = source[key];
    const limited =
      named && typeof child === "object" && child !== null
        ? limitValue(child, depth + 1, `${field}.${key.slice(0, 64)}`, notes)
        : limitValue(child, depth + 1, field, notes, named ? key : undefined);
    const name = storableText(key);
    // Quotes, colon and comma.
    notes.jsonBound += 4 + 6 * name.length;
    if (out === undefined) {
      if (limited === child && name === key) continue;
      // The first change: the entries before it were kept as they are.
      out = {};
      for (let j = 0; j < i; j++) setOwn(out, keys[j] as string, source[keys[j] as string]);
    }
    setOwn(out, name, limited);
  }
  return out ?? source;
}

function jsonSize(value: unknown): number {
  try {
    return JSON.stringify(value)?.length ?? 0;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}
