import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseRepoConfig } from "../../../src/config/repo-config.js";
import {
  type ErrorEvent,
  MAX_FRAMES,
  computeFingerprint,
  normaliseMessage,
  parseStackTrace,
} from "../../../src/grouping/index.js";
import { inboundFilterReason } from "../../../src/ingest/admission/index.js";
import { IngestError } from "../../../src/ingest/http-error.js";
import { EVENT_LIMITS, exceedsJsonDepth } from "../../../src/ingest/limits/index.js";
import { parseReport } from "../../../src/ingest/reports/parse-report.js";
import {
  EnvelopeError,
  SentryEventError,
  extractEvents,
  mapSentryEvent,
  parseEnvelope,
} from "../../../src/ingest/sentry/index.js";
import { REPORTS, STACKS } from "../../helpers/ingest-samples.js";
import {
  browserChained,
  javaSpringLogback,
  nodeUncaught,
  pythonDjangoChained,
} from "../sentry/sdk-payloads.js";

const receivedAt = new Date("2026-11-23T12:00:00.000Z");
const SOURCES = Object.keys(REPORTS);
const DEFAULT_CONFIG = parseRepoConfig(null).config;
const MARKER_ROOM = 40;

/** Runs fn; passes when it returns or throws one of the allowed error classes only. */
function onlyTyped<T>(fn: () => T, ...allowed: (new (...args: never[]) => Error)[]): T | undefined {
  try {
    return fn();
  } catch (error) {
    if (!allowed.some((cls) => error instanceof cls)) throw error;
    return undefined;
  }
}

/** Text made of the characters that break storage and naive code, mixed with ordinary ones. */
const awkwardText = fc.string({
  unit: fc.constantFrom("\u0000", "\ud800", "\udfff", "😀", "é", "a", "\n", '"', "\\", "%s"),
  maxLength: 30,
});

/** Values that break naive code: huge, unicode, numbers-as-strings, deep, prototype keys. */
const nasty = fc.oneof(
  awkwardText,
  fc.dictionary(awkwardText, awkwardText, { maxKeys: 3 }),
  fc.jsonValue({ maxDepth: 4, stringUnit: "binary" }),
  fc.string({ unit: "binary", maxLength: 50 }),
  fc.string({ unit: "grapheme", maxLength: 200 }),
  fc.constantFrom(
    "",
    " ",
    "__proto__",
    "constructor",
    "\u0000",
    "\ud800",
    "9".repeat(400),
    "NaN",
    "-1",
    "1e309",
    "2026-02-30T25:61:00Z",
  ),
  fc.nat(20).map((n) => "x".repeat(10_000 * n)),
  fc.integer({ min: 1, max: 120 }).map((d) => JSON.parse(`${"[".repeat(d)}${"]".repeat(d)}`)),
  fc.constant(Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, i]))),
  fc.constant(Array.from({ length: 3000 }, (_, i) => ({ function: `f${i}`, lineno: i }))),
);

const keyName = fc.oneof(
  fc.constantFrom(
    "message",
    "error_type",
    "errorType",
    "name",
    "stack",
    "stack_trace",
    "stackTrace",
    "frames",
    "level",
    "tags",
    "context",
    "request",
    "url",
    "status_code",
    "status",
    "user",
    "fingerprint",
    "timestamp",
    "event_id",
    "exception",
    "error",
    "__proto__",
  ),
  fc.string({ maxLength: 12 }),
);

/** A valid body of some route with a few keys (maybe nested) replaced or removed. */
const mutatedReport = fc
  .tuple(
    fc.constantFrom(...SOURCES),
    fc.array(
      fc.tuple(
        keyName,
        fc.option(keyName, { nil: undefined }),
        fc.option(nasty, { nil: undefined }),
      ),
      { maxLength: 4 },
    ),
  )
  .map(([source, edits]) => {
    const body = structuredClone(REPORTS[source]) as Record<string, unknown>;
    for (const [key, inner, value] of edits) {
      // Own keys only: `body.__proto__` is Object.prototype, and editing it would pollute it.
      const nestedValue = Object.hasOwn(body, key) ? body[key] : undefined;
      const target =
        inner !== undefined && typeof nestedValue === "object" && nestedValue !== null
          ? (nestedValue as Record<string, unknown>)
          : body;
      const name = inner !== undefined && target !== body ? inner : key;
      if (value === undefined) delete target[name];
      else {
        Object.defineProperty(target, name, {
          value: structuredClone(value),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
    }
    return { source, body: body as unknown };
  });

function checkEvent(event: ErrorEvent) {
  expect(event.eventId).toMatch(/^[0-9a-f]{32}$/);
  expect(Number.isNaN(event.timestamp.getTime())).toBe(false);
  expect(event.message.length).toBeLessThanOrEqual(EVENT_LIMITS.message + MARKER_ROOM);
  expect(event.errorType.length).toBeLessThanOrEqual(EVENT_LIMITS.errorType + MARKER_ROOM);
  expect(event.frames.length).toBeLessThanOrEqual(EVENT_LIMITS.frames);
  expect(Object.keys(event.tags).length).toBeLessThanOrEqual(EVENT_LIMITS.tags);
  for (const value of Object.values(event.tags)) expect(typeof value).toBe("string");
  expect(JSON.stringify(event.context).length).toBeLessThan(EVENT_LIMITS.contextBytes + 4096);
  expect(exceedsJsonDepth(event.context, EVENT_LIMITS.contextDepth + 2)).toBe(false);
  // Nothing Postgres refuses: NUL (escaped \u0000 in JSON) or a lone surrogate half.
  expect(JSON.stringify(event)).not.toMatch(/\\u0000|\\ud[89a-f][0-9a-f]{2}/i);
  // What comes after parsing must take any parsed event.
  inboundFilterReason(event, DEFAULT_CONFIG);
  computeFingerprint(event);
}

describe("fuzz: the generic report parser", () => {
  it("random JSON bodies: IngestError or an event within the limits", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SOURCES, "nope"),
        fc.jsonValue({ maxDepth: 6 }),
        (source, body) => {
          const event = onlyTyped(() => parseReport(source, body, receivedAt), IngestError);
          if (event) checkEvent(event);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("mutated real reports of every route: IngestError or an event within the limits", () => {
    fc.assert(
      fc.property(mutatedReport, ({ source, body }) => {
        const event = onlyTyped(() => parseReport(source, body, receivedAt), IngestError);
        if (event) checkEvent(event);
      }),
      { numRuns: 400 },
    );
  });

  it("every unmutated sample parses", () => {
    for (const source of SOURCES) checkEvent(parseReport(source, REPORTS[source], receivedAt));
  });
});

const sentrySeeds = [nodeUncaught, browserChained, pythonDjangoChained, javaSpringLogback];

const mutatedSentry = fc
  .tuple(
    fc.constantFrom(...sentrySeeds),
    fc.array(fc.tuple(keyName, fc.option(nasty, { nil: undefined })), { maxLength: 4 }),
    fc.array(fc.tuple(fc.constantFrom("values", "frames", "stacktrace", "value", "type"), nasty), {
      maxLength: 2,
    }),
  )
  .map(([seed, edits, exceptionEdits]) => {
    const json = structuredClone(seed) as Record<string, unknown>;
    for (const [key, value] of edits) {
      if (value === undefined) delete json[key];
      else json[key] = value;
    }
    const exception = json.exception as { values?: Record<string, unknown>[] } | undefined;
    const first = exception?.values?.[0];
    if (first) for (const [key, value] of exceptionEdits) first[key] = value;
    return json;
  });

describe("fuzz: the Sentry envelope parser and event mapper", () => {
  it("mutated SDK events: SentryEventError or an event within the limits", () => {
    fc.assert(
      fc.property(mutatedSentry, (json) => {
        const event = onlyTyped(() => mapSentryEvent(json, { receivedAt }), SentryEventError);
        if (event) checkEvent(event);
      }),
      { numRuns: 300 },
    );
  });

  it("random bytes and mutated envelopes: EnvelopeError, or events mapped within the limits", () => {
    const seedEnvelope = `{"event_id":"${"a".repeat(32)}"}\n{"type":"event"}\n${JSON.stringify(nodeUncaught)}\n`;
    const envelopes = fc.oneof(
      fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
      fc
        .tuple(fc.nat(seedEnvelope.length), fc.nat(60), fc.string({ maxLength: 30 }))
        .map(([at, cut, insert]) =>
          Buffer.from(seedEnvelope.slice(0, at) + insert + seedEnvelope.slice(at + cut)),
        ),
    );
    fc.assert(
      fc.property(envelopes, (bytes) => {
        const envelope = onlyTyped(() => parseEnvelope(bytes), EnvelopeError);
        if (!envelope) return;
        for (const item of extractEvents(envelope).events) {
          const event = onlyTyped(
            () => mapSentryEvent(item.json, { receivedAt }),
            SentryEventError,
          );
          if (event) checkEvent(event);
        }
      }),
      { numRuns: 300 },
    );
  });
});

/** A real stack trace with a slice cut out and random text put in. */
const mutatedStack = fc
  .tuple(
    fc.constantFrom(...Object.values(STACKS)),
    fc.nat(400),
    fc.nat(80),
    fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constantFrom("\n", "\r\n", "\tat ", ":", "(", ")", "#0 ", 'File "', ", line "),
    ),
    fc.nat(3),
  )
  .map(([stack, at, cut, insert, repeat]) => {
    const mutated = stack.slice(0, at) + insert + stack.slice(at + cut);
    return repeat > 0 ? mutated.repeat(repeat * 100) : mutated;
  });

describe("fuzz: stack-trace parsers and the message normaliser", () => {
  it("parseStackTrace never throws and keeps at most MAX_FRAMES well-typed frames", () => {
    fc.assert(
      fc.property(
        fc.oneof(mutatedStack, fc.string({ unit: "grapheme", maxLength: 500 })),
        (text) => {
          const frames = parseStackTrace(text);
          expect(frames.length).toBeLessThanOrEqual(MAX_FRAMES);
          for (const frame of frames) {
            if (frame.lineno !== undefined) expect(Number.isInteger(frame.lineno)).toBe(true);
            if (frame.filename !== undefined) expect(typeof frame.filename).toBe("string");
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("normaliseMessage never throws and is stable (normalising twice changes nothing more)", () => {
    const messages = fc.oneof(
      fc.string({ unit: "grapheme", maxLength: 300 }),
      fc.constantFrom(
        "User 42 not found at 2026-11-23T12:00:00Z (id=9f8e7d6c-1234-4abc-9def-0123456789ab)",
        "Timeout after 3000ms connecting to 10.0.0.7:5432",
      ),
      fc.nat(5).map((n) => "0x1f ".repeat(20_000 * n)),
    );
    fc.assert(
      fc.property(messages, (message) => {
        const once = normaliseMessage(message);
        expect(typeof once).toBe("string");
        expect(normaliseMessage(once)).toBe(normaliseMessage(once));
      }),
      { numRuns: 300 },
    );
  });
});
