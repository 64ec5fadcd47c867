import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  EnvelopeError,
  SentryEventError,
  extractEvents,
  mapSentryEvent,
  parseEnvelope,
  parseSentryAuth,
} from "../../../src/ingest/sentry/index.js";
import { nodeUncaught, pythonDjangoChained } from "./sdk-payloads.js";

const receivedAt = new Date("2024-06-09T13:00:00.000Z");

/** Runs fn; passes if it returns or throws one of the allowed error classes. */
function onlyTyped(fn: () => unknown, ...allowed: (new (...args: never[]) => Error)[]): void {
  try {
    fn();
  } catch (error) {
    if (!allowed.some((cls) => error instanceof cls)) throw error;
  }
}

/** Envelope-like bytes: mostly well-formed lines with random lengths, types and junk between. */
const envelopeBytes = fc
  .array(
    fc.oneof(
      fc.constant('{"type":"event"}\n'),
      fc.nat(64).map((n) => `{"type":"attachment","length":${n}}\n`),
      fc.constantFrom("event", "session", "transaction", "x").map((t) => `{"type":"${t}"}\n`),
      fc.json().map((j) => `${j}\n`),
      fc.string(),
      fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a).toString("latin1")),
    ),
    { maxLength: 12 },
  )
  .map((parts) => Buffer.from(`{}\n${parts.join("")}`, "latin1"));

describe("fuzz: only typed errors escape", () => {
  it("parseEnvelope + extractEvents + mapSentryEvent on random envelopes", () => {
    fc.assert(
      fc.property(
        fc.oneof(envelopeBytes, fc.uint8Array({ maxLength: 200 }).map(Buffer.from)),
        (body) => {
          onlyTyped(() => {
            const { events } = extractEvents(parseEnvelope(body));
            for (const e of events)
              onlyTyped(() => mapSentryEvent(e.json, { receivedAt }), SentryEventError);
          }, EnvelopeError);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("mapSentryEvent on random JSON values", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (json) => {
        onlyTyped(() => mapSentryEvent(json, { receivedAt }), SentryEventError);
      }),
      { numRuns: 2000 },
    );
  });

  it("mapSentryEvent on real payloads with random values put into random fields", () => {
    const paths = [
      "exception",
      "exception.values",
      "threads",
      "logentry",
      "message",
      "request",
      "request.headers",
      "request.query_string",
      "contexts",
      "contexts.response",
      "user",
      "tags",
      "breadcrumbs",
      "fingerprint",
      "timestamp",
      "sdk",
      "level",
      "event_id",
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(nodeUncaught, pythonDjangoChained),
        fc.constantFrom(...paths),
        fc.jsonValue(),
        (base, path, value) => {
          const json = structuredClone(base) as Record<string, unknown>;
          const [head, tail] = path.split(".") as [string, string | undefined];
          if (tail === undefined) json[head] = value;
          else json[head] = { ...(json[head] as object), [tail]: value };
          const event = mapSentryEvent(json, { receivedAt });
          expect(event.eventId).toMatch(/^[0-9a-f]{32}$/);
          expect(Number.isNaN(event.timestamp.getTime())).toBe(false);
          expect(typeof event.errorType).toBe("string");
          expect(typeof event.message).toBe("string");
          expect(event.frames.length).toBeLessThanOrEqual(250);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("parseSentryAuth never throws", () => {
    fc.assert(
      fc.property(fc.string(), (header) => {
        parseSentryAuth(header);
      }),
    );
  });

  it("survives deep nesting and huge lists without blowing the stack", () => {
    let deep: unknown = "x";
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const frames = Array.from({ length: 100_000 }, (_, i) => ({ function: `f${i}` }));
    // Deeper than MAX_JSON_DEPTH (64) is refused with a typed error, before anything recurses.
    expect(() =>
      mapSentryEvent(
        { logentry: { message: "%s", params: [deep] }, extra: { deep } },
        { receivedAt },
      ),
    ).toThrow(SentryEventError);
    const event = mapSentryEvent(
      {
        exception: { values: [{ type: "E", stacktrace: { frames } }] },
        tags: Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`t${i}`, "v"])),
      },
      { receivedAt },
    );
    expect(event.frames).toHaveLength(250);
    expect(Object.keys(event.tags)).toHaveLength(50);
    const template = "{0}".repeat(100_000);
    const amplified = mapSentryEvent(
      { message: { message: template, params: ["y".repeat(100_000)] } },
      { receivedAt },
    );
    expect(amplified.message.length).toBeLessThan(500_000);
  });
});
