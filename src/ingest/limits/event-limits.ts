import type { ErrorEvent, RequestInfo, StackFrame } from "../../grouping/index.js";
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
  /** filename, absPath, module, function of one frame. */
  frameField: 1024,
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
  cut(field: string) {
    this.notes.truncated ??= [];
    const list = this.notes.truncated;
    if (list.length < MAX_NOTED_FIELDS && !list.includes(field)) list.push(field);
  }
  text(value: string, max: number, field: string): string {
    const clean = storableText(value);
    const out = truncateText(clean, max);
    if (out !== clean) this.cut(field);
    return out;
  }
  optText(value: string | undefined, max: number, field: string): string | undefined {
    return value === undefined ? undefined : this.text(value, max, field);
  }
  get empty() {
    return Object.keys(this.notes).length === 0;
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

/** A copy of `event` within EVENT_LIMITS; the input is not mutated. Pure, never throws on JSON. */
export function limitEvent(event: ErrorEvent): ErrorEvent {
  const notes = new Notes();
  const out: ErrorEvent = {
    ...event,
    errorType: notes.text(event.errorType, EVENT_LIMITS.errorType, "errorType"),
    message: notes.text(event.message, EVENT_LIMITS.message, "message"),
    frames: limitFrames(event.frames, notes),
    tags: limitTags(event.tags, notes),
  };
  const optional = {
    messageTemplate: EVENT_LIMITS.message,
    rawStacktrace: EVENT_LIMITS.rawStacktrace,
    platform: EVENT_LIMITS.shortField,
    service: EVENT_LIMITS.shortField,
    environment: EVENT_LIMITS.shortField,
    release: EVENT_LIMITS.shortField,
    serverName: EVENT_LIMITS.shortField,
    userId: EVENT_LIMITS.shortField,
  } as const;
  for (const [field, max] of Object.entries(optional) as [keyof typeof optional, number][]) {
    const value = event[field];
    if (typeof value === "string") out[field] = notes.text(value, max, field);
  }
  if (event.fingerprint) {
    if (event.fingerprint.length > EVENT_LIMITS.fingerprintParts) notes.cut("fingerprint");
    out.fingerprint = event.fingerprint
      .slice(0, EVENT_LIMITS.fingerprintParts)
      .map((part) => notes.text(part, EVENT_LIMITS.fingerprintPart, "fingerprint"));
  }
  if (event.request) out.request = limitRequest(event.request, notes);
  const context = limitContext(event.context, notes);
  out.context = notes.empty ? context : { ...context, [LIMITS_CONTEXT_KEY]: notes.notes };
  return out;
}

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
  return kept.map((frame) => {
    const copy: StackFrame = { ...frame };
    for (const field of ["filename", "absPath", "module", "function"] as const) {
      const value = frame[field];
      if (typeof value === "string") {
        copy[field] = notes.text(value, EVENT_LIMITS.frameField, `frames.${field}`);
      }
    }
    return copy;
  });
}

function limitTags(tags: Record<string, string>, notes: Notes): Record<string, string> {
  const out: Record<string, string> = {};
  const entries = Object.entries(tags);
  for (const [key, value] of entries.slice(0, EVENT_LIMITS.tags)) {
    const name = notes.text(key, EVENT_LIMITS.tagKey, "tags(key)");
    out[name] = notes.text(String(value), EVENT_LIMITS.tagValue, `tags.${name.slice(0, 64)}`);
  }
  if (entries.length > EVENT_LIMITS.tags) {
    notes.notes.tagsDropped = entries.length - EVENT_LIMITS.tags;
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
    const headers: Record<string, string> = {};
    const entries = Object.entries(request.headers);
    if (entries.length > EVENT_LIMITS.headers) notes.cut("request.headers");
    for (const [name, value] of entries.slice(0, EVENT_LIMITS.headers)) {
      headers[notes.text(name, EVENT_LIMITS.tagKey, "request.headers")] = notes.text(
        String(value),
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
  const limited = limitValue(value, 1, field, notes);
  const size = jsonSize(limited);
  if (size <= EVENT_LIMITS.requestDataBytes) return limited;
  notes.cut(field);
  return `…[dropped ${size} bytes]`;
}

function limitContext(context: Record<string, unknown>, notes: Notes): Record<string, unknown> {
  const limited = limitValue(context, 0, "context", notes);
  const out: Record<string, unknown> =
    typeof limited === "object" && limited !== null && !Array.isArray(limited)
      ? (limited as Record<string, unknown>)
      : {};
  // Still too big: drop the biggest top-level entries first, they are the least likely to be the
  // small facts (user agent, thread, logger) people look for.
  const sizes = Object.entries(out).map(([key, value]) => ({ key, size: jsonSize(value) }));
  let total = sizes.reduce((sum, entry) => sum + entry.size + entry.key.length + 4, 2);
  if (total <= EVENT_LIMITS.contextBytes) return out;
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

/** A JSON-like value with strings cut and containers bounded in size and depth. */
function limitValue(value: unknown, depth: number, field: string, notes: Notes): unknown {
  if (typeof value === "string") return notes.text(value, EVENT_LIMITS.contextString, field);
  if (typeof value !== "object" || value === null || value instanceof Date) return value;
  if (depth >= EVENT_LIMITS.contextDepth) {
    notes.cut(field);
    return "…[too deep]";
  }
  if (Array.isArray(value)) {
    if (value.length > EVENT_LIMITS.containerEntries) notes.cut(field);
    return value
      .slice(0, EVENT_LIMITS.containerEntries)
      .map((item) => limitValue(item, depth + 1, field, notes));
  }
  const out: Record<string, unknown> = {};
  const keys = Object.keys(value);
  if (keys.length > EVENT_LIMITS.containerEntries) notes.cut(field);
  for (const key of keys.slice(0, EVENT_LIMITS.containerEntries)) {
    // Only the first levels are named in notes: a hint, not a full path listing.
    const path = depth < 2 ? `${field}.${key.slice(0, 64)}` : field;
    const limited = limitValue((value as Record<string, unknown>)[key], depth + 1, path, notes);
    const name = storableText(key);
    if (name === "__proto__") {
      // A "__proto__" key from JSON stays a plain key instead of changing the prototype.
      Object.defineProperty(out, name, {
        value: limited,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      out[name] = limited;
    }
  }
  return out;
}

function jsonSize(value: unknown): number {
  try {
    return JSON.stringify(value)?.length ?? 0;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}
