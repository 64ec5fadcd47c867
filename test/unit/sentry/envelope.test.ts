import { describe, expect, it } from "vitest";
import {
  EnvelopeError,
  MAX_ENVELOPE_ITEMS,
  extractEvents,
  parseEnvelope,
} from "../../../src/ingest/sentry/index.js";

const EVENT_ID = "9ec79c33ec9942ab8353589fcb2e04dc";
const DSN = "https://e12d836b15bb49d7bbf99e64295d995b@faultline.example.com/42";

function envelope(...parts: (string | Buffer)[]): Buffer {
  return Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "utf8") : p)));
}

function reasonOf(body: Buffer): string {
  try {
    parseEnvelope(body);
  } catch (error) {
    expect(error).toBeInstanceOf(EnvelopeError);
    return (error as EnvelopeError).reason;
  }
  throw new Error("expected parseEnvelope to throw");
}

describe("parseEnvelope", () => {
  it("reads an event item with length, as the JavaScript SDK sends it", () => {
    const event = JSON.stringify({ event_id: EVENT_ID, message: "hello" });
    const body = envelope(
      `{"event_id":"${EVENT_ID}","sent_at":"2024-06-09T12:43:40.200Z","dsn":"${DSN}","sdk":{"name":"sentry.javascript.node","version":"8.9.2"}}\n`,
      `{"type":"event","length":${Buffer.byteLength(event)}}\n`,
      `${event}\n`,
    );
    const parsed = parseEnvelope(body);
    expect(parsed.header).toEqual({
      event_id: EVENT_ID,
      sent_at: "2024-06-09T12:43:40.200Z",
      dsn: DSN,
      sdk: { name: "sentry.javascript.node", version: "8.9.2" },
    });
    expect(parsed.items).toHaveLength(1);
    expect(parsed.items[0]?.type).toBe("event");
    expect(parsed.items[0]?.header).toEqual({ type: "event", length: Buffer.byteLength(event) });
    expect(parsed.items[0]?.payload.toString()).toBe(event);
  });

  it("reads items without length up to the next newline (Python sends events this way)", () => {
    const body = envelope(
      `{"event_id":"${EVENT_ID}"}\n`,
      `{"type":"event","content_type":"application/json"}\n`,
      `{"message":"hi","level":"info"}\n`,
      `{"type":"session"}\n`,
      `{"sid":"abc","status":"ok"}\n`,
    );
    const parsed = parseEnvelope(body);
    expect(parsed.items.map((i) => [i.type, i.payload.toString()])).toEqual([
      ["event", '{"message":"hi","level":"info"}'],
      ["session", '{"sid":"abc","status":"ok"}'],
    ]);
  });

  it("keeps a binary attachment with newlines and \\r\\n inside, counted by length", () => {
    const binary = Buffer.from([0xef, 0xbb, 0xbf, 0x48, 0x0a, 0x00, 0xff, 0x0d, 0x0a, 0x0a]);
    const body = envelope(
      `{"event_id":"${EVENT_ID}"}\n`,
      `{"type":"attachment","length":${binary.length},"filename":"dump.bin","content_type":"application/octet-stream"}\n`,
      binary,
      "\n",
      `{"type":"event","length":41,"content_type":"application/json"}\n`,
      `{"message":"hello world","level":"error"}\n`,
    );
    const parsed = parseEnvelope(body);
    expect(parsed.items).toHaveLength(2);
    expect(Buffer.compare(parsed.items[0]?.payload ?? Buffer.alloc(0), binary)).toBe(0);
    expect(parsed.items[1]?.payload.toString()).toBe('{"message":"hello world","level":"error"}');
  });

  it("accepts a missing trailing newline, with and without length", () => {
    const withLength = parseEnvelope(
      envelope("{}\n", `{"type":"attachment","length":10}\n`, "helloworld"),
    );
    expect(withLength.items[0]?.payload.toString()).toBe("helloworld");
    const implicit = parseEnvelope(envelope("{}\n", `{"type":"session"}\n`, `{"started":"x"}`));
    expect(implicit.items[0]?.payload.toString()).toBe('{"started":"x"}');
  });

  it("accepts empty payloads, with length 0 and implicit", () => {
    const parsed = parseEnvelope(
      envelope(
        `{"event_id":"${EVENT_ID}"}\n`,
        `{"type":"attachment","length":0}\n`,
        "\n",
        `{"type":"attachment","length":0}\n`,
        "\n",
        `{"type":"client_report"}\n`,
        "\n",
      ),
    );
    expect(parsed.items.map((i) => [i.type, i.payload.length])).toEqual([
      ["attachment", 0],
      ["attachment", 0],
      ["client_report", 0],
    ]);
  });

  it("accepts an envelope with no items, with or without the newline", () => {
    expect(parseEnvelope(envelope(`{"event_id":"${EVENT_ID}"}`)).items).toEqual([]);
    expect(parseEnvelope(envelope(`{"event_id":"${EVENT_ID}"}\n`)).items).toEqual([]);
    expect(parseEnvelope(envelope("{}\n\n\n")).items).toEqual([]);
  });

  it("drops known header fields of the wrong type but keeps unknown ones", () => {
    const parsed = parseEnvelope(envelope(`{"event_id":42,"dsn":null,"trace":{"trace_id":"t"}}\n`));
    expect(parsed.header).toEqual({ trace: { trace_id: "t" } });
  });

  it("rejects a garbage envelope header", () => {
    expect(reasonOf(envelope("not json at all\n"))).toBe("envelope header is not valid JSON");
    expect(reasonOf(envelope("[1,2]\n"))).toBe("envelope header is not a JSON object");
    expect(reasonOf(envelope(""))).toBe("missing envelope header");
    expect(reasonOf(envelope("\n{}\n"))).toBe("missing envelope header");
  });

  it("rejects a garbage or typeless item header", () => {
    expect(reasonOf(envelope("{}\n", `{"type":"event"\n`, "{}\n"))).toBe(
      "item 0: header is not valid JSON",
    );
    expect(reasonOf(envelope("{}\n", `{"length":2}\n`, "{}\n"))).toBe(
      'item 0: header has no "type"',
    );
    expect(reasonOf(envelope("{}\n", `{"type":"event","length":-1}\n`, "{}\n"))).toBe(
      'item 0: "length" is not a non-negative integer',
    );
    expect(reasonOf(envelope("{}\n", `{"type":"event","length":"2"}\n`, "{}\n"))).toBe(
      'item 0: "length" is not a non-negative integer',
    );
  });

  it("rejects a length beyond the end of the body", () => {
    const body = envelope(
      "{}\n",
      `{"type":"attachment","length":3}\n`,
      "abc\n",
      `{"type":"event","length":500}\n`,
      `{"message":"truncated"}`,
    );
    expect(reasonOf(body)).toBe("item 1: length 500 exceeds remaining 23 bytes");
  });

  it("rejects a length-prefixed payload not followed by a newline", () => {
    const body = envelope("{}\n", `{"type":"attachment","length":5}\n`, "helloworld\n");
    expect(reasonOf(body)).toBe("item 0: payload is not followed by a newline");
  });

  it(`rejects more than ${MAX_ENVELOPE_ITEMS} items`, () => {
    const items = Array.from({ length: MAX_ENVELOPE_ITEMS + 1 }, () => `{"type":"session"}\n{}\n`);
    expect(reasonOf(envelope("{}\n", ...items))).toBe(`more than ${MAX_ENVELOPE_ITEMS} items`);
    const exactly = Array.from({ length: MAX_ENVELOPE_ITEMS }, () => `{"type":"session"}\n{}\n`);
    expect(parseEnvelope(envelope("{}\n", ...exactly)).items).toHaveLength(MAX_ENVELOPE_ITEMS);
  });

  it("refuses a body that is not a Buffer with an EnvelopeError", () => {
    expect(() => parseEnvelope("{}" as unknown as Buffer)).toThrow(EnvelopeError);
  });
});

describe("extractEvents", () => {
  it("returns the good event next to a bad one, and drops non-error items silently", () => {
    const good = `{"event_id":"${EVENT_ID}","message":"good","level":"error"}`;
    const parsed = parseEnvelope(
      envelope(
        `{"sent_at":"2024-06-09T12:43:40.200Z"}\n`,
        `{"type":"event"}\n`,
        `{"message": "bad", \n`,
        `{"type":"event","length":${good.length}}\n`,
        `${good}\n`,
        `{"type":"event"}\n`,
        "[1,2,3]\n",
        `{"type":"transaction"}\n{}\n`,
        `{"type":"client_report"}\n{}\n`,
        `{"type":"attachment","length":2}\nab\n`,
        `{"type":"check_in"}\n{}\n`,
        `{"type":"something_new"}\n{}\n`,
      ),
    );
    const result = extractEvents(parsed);
    expect(result.events).toEqual([
      { type: "event", json: { event_id: EVENT_ID, message: "good", level: "error" } },
    ]);
    expect(result.errors).toEqual([
      { index: 0, reason: "event payload is not valid JSON" },
      { index: 2, reason: "event payload is not a JSON object" },
    ]);
    expect(result.dropped).toEqual([
      { type: "transaction", reason: "performance data is not stored" },
      { type: "client_report", reason: "client reports are not stored" },
      { type: "attachment", reason: "attachments are not stored" },
      { type: "check_in", reason: "cron monitors are not supported" },
      { type: "something_new", reason: "unknown item type" },
    ]);
  });

  it("drops every non-event type the SDKs send without an error", () => {
    const types = [
      "transaction",
      "session",
      "sessions",
      "client_report",
      "attachment",
      "check_in",
      "profile",
      "replay_event",
      "replay_recording",
      "span",
      "log",
      "statsd",
      "user_report",
      "feedback",
      "constructor",
      "__proto__",
    ];
    const parsed = parseEnvelope(envelope("{}\n", ...types.map((t) => `{"type":"${t}"}\n{}\n`)));
    const result = extractEvents(parsed);
    expect(result.events).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.dropped.map((d) => d.type)).toEqual(types);
    expect(result.dropped.every((d) => typeof d.reason === "string")).toBe(true);
  });

  it("lets the envelope header's event_id win over the payload's, as the spec says", () => {
    const headerId = "12c2d058-d584-4270-9aa2-eca08bf20986";
    const parsed = parseEnvelope(
      envelope(
        `{"event_id":"${headerId}"}\n`,
        `{"type":"event"}\n`,
        `{"event_id":"${EVENT_ID}"}\n`,
      ),
    );
    expect(extractEvents(parsed).events[0]?.json).toEqual({
      event_id: "12c2d058d58442709aa2eca08bf20986",
    });
  });

  it("keeps the payload's event_id when the header's is unusable", () => {
    const parsed = parseEnvelope(
      envelope(`{"event_id":"nope"}\n`, `{"type":"event"}\n`, `{"event_id":"${EVENT_ID}"}\n`),
    );
    expect(extractEvents(parsed).events[0]?.json).toEqual({ event_id: EVENT_ID });
  });
});
