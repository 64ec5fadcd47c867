import { describe, expect, it } from "vitest";
import type { ErrorEvent } from "../../../src/grouping/index.js";
import { IngestError } from "../../../src/ingest/http-error.js";
import {
  EVENT_LIMITS,
  type LimitNotes,
  exceedsJsonDepth,
  limitEvent,
  storableText,
  truncateText,
} from "../../../src/ingest/limits/index.js";
import { parseReport } from "../../../src/ingest/reports/parse-report.js";
import { SentryEventError, mapSentryEvent } from "../../../src/ingest/sentry/index.js";

const receivedAt = new Date("2026-11-23T12:00:00.000Z");

function baseEvent(overrides: Partial<ErrorEvent> = {}): ErrorEvent {
  return {
    eventId: "0".repeat(32),
    timestamp: receivedAt,
    level: "error",
    errorType: "TypeError",
    message: "boom",
    frames: [],
    source: "generic",
    tags: {},
    context: {},
    ...overrides,
  };
}

function nested(depth: number): unknown {
  let value: unknown = "leaf";
  for (let i = 1; i < depth; i++) value = { a: value };
  return { a: value };
}

const notesOf = (event: ErrorEvent) => event.context._limits as LimitNotes | undefined;

describe("truncateText", () => {
  it("keeps short text and marks how much was cut from long text", () => {
    expect(truncateText("short", 10)).toBe("short");
    expect(truncateText("x".repeat(12_345 + 100), 100)).toBe(
      `${"x".repeat(100)}…[truncated 12345 chars]`,
    );
  });

  it("never splits a surrogate pair", () => {
    const out = truncateText(`ab${"😀".repeat(10)}`, 3);
    expect(out.startsWith("ab…")).toBe(true);
    expect(out).toContain("[truncated 20 chars]");
  });
});

describe("storableText", () => {
  it("replaces NUL and lone surrogate halves, which Postgres refuses, and keeps real pairs", () => {
    expect(storableText("a\u0000b")).toBe("a\uFFFDb");
    expect(storableText("x\ud800y\udc00z")).toBe("x\uFFFDy\uFFFDz");
    expect(storableText("ok 😀 é")).toBe("ok 😀 é");
  });

  it("is applied to every text of an event, context keys included", () => {
    const event = limitEvent(
      baseEvent({
        message: "m\u0000",
        frames: [{ function: "f\u0000" }],
        tags: { "k\u0000": "v\ud800" },
        context: { "a\u0000": { b: ["\u0000"] } },
        request: { url: "/x\u0000", headers: { h: "\u0000" } },
      }),
    );
    expect(JSON.stringify(event)).not.toMatch(/\\u0000|\\ud800/);
    expect(event.context).toEqual({ "a\uFFFD": { b: ["\uFFFD"] } });
    expect(event.tags).toEqual({ "k\uFFFD": "v\uFFFD" });
  });
});

describe("exceedsJsonDepth", () => {
  it("admits 64 levels and refuses 65", () => {
    expect(exceedsJsonDepth(nested(64), 64)).toBe(false);
    expect(exceedsJsonDepth(nested(65), 64)).toBe(true);
    expect(exceedsJsonDepth("scalar", 1)).toBe(false);
    expect(exceedsJsonDepth([[[]]], 2)).toBe(true);
  });

  it("counts own keys only, as JSON does, and refuses any container when max is below 1", () => {
    const inherited = Object.create({ deep: nested(100) }) as object;
    expect(exceedsJsonDepth(inherited, 64)).toBe(false);
    expect(exceedsJsonDepth({ a: [1, { b: "c" }] }, 3)).toBe(false);
    expect(exceedsJsonDepth({ a: [1, { b: {} }] }, 3)).toBe(true);
    expect(exceedsJsonDepth({}, 0)).toBe(true);
    expect(exceedsJsonDepth("x", 0)).toBe(false);
  });

  it("checks 200,000 levels without overflowing the stack", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(exceedsJsonDepth(deep)).toBe(true);
  });
});

describe("limitEvent", () => {
  it("leaves an event within the limits as it is, without a note", () => {
    const event = baseEvent({ tags: { a: "b" }, context: { user_agent: "x" } });
    expect(limitEvent(event)).toEqual(event);
  });

  it("truncates the message, error type and raw stack with a visible marker", () => {
    const event = limitEvent(
      baseEvent({
        message: "m".repeat(EVENT_LIMITS.message + 500),
        rawStacktrace: "s".repeat(EVENT_LIMITS.rawStacktrace + 1),
      }),
    );
    expect(event.message).toBe(`${"m".repeat(EVENT_LIMITS.message)}…[truncated 500 chars]`);
    expect(event.rawStacktrace?.endsWith("…[truncated 1 chars]")).toBe(true);
    expect(notesOf(event)?.truncated).toEqual(["message", "rawStacktrace"]);
  });

  it("keeps the outermost 50 and innermost 200 frames and marks the cut", () => {
    const frames = Array.from({ length: 1000 }, (_, i) => ({ function: `f${i}` }));
    const event = limitEvent(baseEvent({ frames }));
    expect(event.frames).toHaveLength(EVENT_LIMITS.frames);
    expect(event.frames[49]?.function).toBe("f49");
    expect(event.frames[50]?.function).toBe("f800");
    expect(event.frames.at(-1)?.function).toBe("f999");
    expect(notesOf(event)?.framesOmitted).toEqual({ count: 750, at: 50 });
  });

  it("truncates frame fields", () => {
    const event = limitEvent(
      baseEvent({ frames: [{ filename: "a".repeat(5000), function: "ok", lineno: 3 }] }),
    );
    expect(event.frames[0]?.filename).toMatch(/…\[truncated 3976 chars\]$/);
    expect(event.frames[0]).toMatchObject({ function: "ok", lineno: 3 });
    expect(notesOf(event)?.truncated).toContain("frames.filename");
  });

  it("keeps 50 tags, notes how many were dropped, truncates long values", () => {
    const tags = Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`t${i}`, `v${i}`]));
    tags.t0 = "v".repeat(300);
    const event = limitEvent(baseEvent({ tags }));
    expect(Object.keys(event.tags)).toHaveLength(50);
    expect(event.tags.t49).toBe("v49");
    expect(event.tags.t50).toBeUndefined();
    expect(event.tags.t0).toBe(`${"v".repeat(200)}…[truncated 100 chars]`);
    expect(notesOf(event)).toMatchObject({ tagsDropped: 30, truncated: ["tags.t0"] });
  });

  it("truncates context strings and drops the biggest keys past the context size", () => {
    const big = Array.from({ length: 150 }, () => "y".repeat(1000));
    const event = limitEvent(
      baseEvent({
        context: { user_agent: "Mozilla/5.0", long: "z".repeat(10_000), huge: big, also: big },
      }),
    );
    expect(event.context.user_agent).toBe("Mozilla/5.0");
    expect(event.context.long).toBe(`${"z".repeat(4096)}…[truncated 5904 chars]`);
    // Two 150 KB arrays: one goes, the other still does not fit alone, so both go.
    expect(event.context.huge).toBeUndefined();
    expect(event.context.also).toBeUndefined();
    expect(notesOf(event)?.contextKeysDropped?.sort()).toEqual(["also", "huge"]);
    expect(JSON.stringify(event.context).length).toBeLessThan(EVENT_LIMITS.contextBytes + 2000);
  });

  it("replaces an oversized request body by a note and keeps the rest of the request", () => {
    const event = limitEvent(
      baseEvent({
        request: {
          url: `/checkout?${"q".repeat(9000)}`,
          method: "POST",
          headers: { "User-Agent": "Mozilla/5.0" },
          data: { items: Array.from({ length: 100 }, () => "i".repeat(500)) },
        },
      }),
    );
    expect(event.request?.data).toMatch(/^…\[dropped \d+ bytes\]$/);
    expect(event.request?.url).toMatch(/…\[truncated \d+ chars\]$/);
    expect(event.request?.headers).toEqual({ "User-Agent": "Mozilla/5.0" });
    expect(notesOf(event)?.truncated).toEqual(["request.url", "request.data"]);
  });

  it("keeps a context whose size bound is over the limit but whose JSON is not", () => {
    // 80,000 characters that the bound counts as up to 6 each: the exact size decides.
    const context = Object.fromEntries(
      Array.from({ length: 20 }, (_, i) => [`k${i}`, "x".repeat(EVENT_LIMITS.contextString)]),
    );
    expect(JSON.stringify(context).length).toBeGreaterThan(EVENT_LIMITS.contextBytes);
    const small = Object.fromEntries(Object.entries(context).slice(0, 12));
    const event = limitEvent(baseEvent({ context: small }));
    expect(event.context).toEqual(small);
    expect(notesOf(event)).toBeUndefined();
  });

  it("drops exactly the biggest context keys past the limit, escapes counted", () => {
    const items = (n: number) => Array.from({ length: n }, () => "i".repeat(1000));
    const event = limitEvent(
      baseEvent({ context: { small: "a", a: items(20), b: items(30), c: items(25) } }),
    );
    expect(Object.keys(event.context)).toEqual(["small", "a", "c", "_limits"]);
    expect(notesOf(event)?.contextKeysDropped).toEqual(["b"]);

    // 16,000 characters, but 96,000 once written as JSON (\u0001 each).
    const control = "\u0001".repeat(4000);
    const escaped = limitEvent(
      baseEvent({ context: { w: control, x: control, y: `${control}!`, z: control, ok: 1 } }),
    );
    expect(notesOf(escaped)?.contextKeysDropped).toEqual(["y", "w"]);
    expect(escaped.context.ok).toBe(1);
  });

  it("decides on request data by its exact JSON size", () => {
    const kept = { items: Array.from({ length: 10 }, () => "i".repeat(1000)) };
    expect(limitEvent(baseEvent({ request: { data: kept } })).request?.data).toEqual(kept);
    // 4,000 characters, 24,002 bytes of JSON.
    const escaped = limitEvent(baseEvent({ request: { data: "\u0001".repeat(4000) } }));
    expect(escaped.request?.data).toBe("…[dropped 24002 bytes]");
    expect(notesOf(escaped)?.truncated).toEqual(["request.data"]);
  });

  it("keeps context values as JSON-like data, keys named __proto__ included", () => {
    const withProto = JSON.parse('{"__proto__":{"x":1},"a":"b"}') as Record<string, unknown>;
    const bare = Object.assign(Object.create(null) as object, { n: 1 });
    class Point {
      x = 1;
    }
    for (const cut of [false, true]) {
      const context = {
        p: withProto,
        bare,
        point: new Point(),
        long: cut ? "z".repeat(5000) : "z",
      };
      const out = limitEvent(baseEvent({ context })).context;
      const p = out.p as Record<string, unknown>;
      expect(Object.keys(p)).toEqual(["__proto__", "a"]);
      expect(Object.getPrototypeOf(p)).toBe(Object.prototype);
      expect(Object.getPrototypeOf(out.bare)).toBe(Object.prototype);
      expect(out.point).toEqual({ x: 1 });
      expect(Object.getPrototypeOf(out.point)).toBe(Object.prototype);
    }
  });

  it("does not mutate its input when it cuts frames or drops context keys", () => {
    const big = Array.from({ length: 100 }, () => "y".repeat(1000));
    const input = baseEvent({
      frames: [{ function: "f".repeat(2000), lineno: 1 }, { function: "ok" }],
      context: { big, small: { a: "b" } },
    });
    const copy = structuredClone(input);
    const event = limitEvent(input);
    expect(input).toEqual(copy);
    expect(event.context.big).toBeUndefined();
    expect(event.frames[0]?.function).toMatch(/…\[truncated 976 chars\]$/);
    expect(event.frames[1]).toEqual({ function: "ok" });
  });

  it("does not mutate its input", () => {
    const input = baseEvent({ message: "m".repeat(10_000), tags: { a: "b".repeat(500) } });
    const copy = structuredClone(input);
    limitEvent(input);
    expect(input).toEqual(copy);
  });
});

describe("hard limits in the generic parser", () => {
  it("refuses a body nested deeper than 64 levels with a 400 and a reason", () => {
    try {
      parseReport("generic", { message: "x", context: nested(70) }, receivedAt);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(IngestError);
      expect((error as IngestError).statusCode).toBe(400);
      expect((error as IngestError).message).toMatch(/deeper than 64 levels/);
    }
  });

  it("cuts a 200,000-character message instead of refusing it", () => {
    const event = parseReport("generic", { message: "a".repeat(200_000) }, receivedAt);
    expect(event.message).toHaveLength(EVENT_LIMITS.message + "…[truncated 191808 chars]".length);
  });

  it("keeps 250 of 3,000 structured frames", () => {
    const frames = Array.from({ length: 3000 }, (_, i) => ({ file: `a${i}.php`, line: i }));
    const event = parseReport("laravel", { error_type: "E", stack_trace: frames }, receivedAt);
    expect(event.frames).toHaveLength(250);
    // Arrays reach the parsers cut to their first and last 500 items (MAX_CONTAINER_ENTRIES).
    expect(notesOf(event)?.framesOmitted?.count).toBe(750);
    const files = event.frames?.map((f) => f.filename);
    expect(files).toContain("a0.php");
    expect(files).toContain("a2999.php");
  });

  it("cuts long tag values and too many tags", () => {
    const tags = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`k${i}`, "v".repeat(i)]));
    const event = parseReport("generic", { message: "x", tags }, receivedAt);
    expect(Object.keys(event.tags)).toHaveLength(50);
    expect(notesOf(event)?.tagsDropped).toBe(10);
  });
});

describe("hard limits in the Sentry mapper", () => {
  it("refuses an event nested deeper than 64 levels with a typed error", () => {
    expect(() => mapSentryEvent({ extra: nested(80) }, { receivedAt })).toThrow(SentryEventError);
    expect(() => mapSentryEvent({ extra: nested(60) }, { receivedAt })).not.toThrow();
  });

  it("truncates the exception value and extra strings", () => {
    const event = mapSentryEvent(
      {
        exception: { values: [{ type: "ValueError", value: "v".repeat(20_000) }] },
        extra: { payload: "p".repeat(5000) },
      },
      { receivedAt },
    );
    expect(event.message).toMatch(/…\[truncated 11808 chars\]$/);
    expect((event.context.extra as { payload: string }).payload).toMatch(
      /…\[truncated 904 chars\]$/,
    );
  });
});
