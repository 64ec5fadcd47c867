import { performance } from "node:perf_hooks";
import { describe, expect, it } from "vitest";
import {
  MAX_CONTAINER_ENTRIES,
  MAX_TOTAL_ENTRIES,
  exceedsJsonDepth,
} from "../../../src/ingest/limits/json-depth.js";
import { parseReport } from "../../../src/ingest/reports/parse-report.js";
import { mapSentryEvent } from "../../../src/ingest/sentry/event-mapper.js";

const NOW = new Date("2026-03-01T12:00:00Z");

function manyKeys(n: number, value: (i: number) => unknown = () => "v") {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) out[`k${i}`] = value(i);
  return out;
}

describe("keys and entries are capped before validation", () => {
  it("a report of 60,000 tags is cut before its schema sees them", () => {
    // Tag values past the first thousand are invalid (objects): a schema that saw them would
    // refuse the report with a 400. Cut first, they never reach it.
    const tags = manyKeys(60_000, (i) => (i < 1_000 ? "ok" : { nested: i }));
    const event = parseReport("generic", { error_type: "E", message: "m", tags }, NOW);
    expect(Object.keys(event.tags ?? {})).toHaveLength(50);
  });

  it("a Sentry event's 60,000 extra and context keys are cut the same way", () => {
    const json = {
      exception: { values: [{ type: "E", value: "m" }] },
      extra: manyKeys(60_000),
      contexts: manyKeys(60_000),
    };
    const start = performance.now();
    mapSentryEvent(json, { receivedAt: NOW });
    expect(Object.keys(json.extra)).toHaveLength(MAX_CONTAINER_ENTRIES);
    expect(Object.keys(json.contexts)).toHaveLength(MAX_CONTAINER_ENTRIES);
    // Was ~50 ms (2 x 60,000 keys); now bounded by listing the keys once.
    expect(performance.now() - start).toBeLessThan(1_000);
  });

  it("objects keep their first keys, arrays both ends, a body its total budget", () => {
    const frames = Array.from({ length: 5_000 }, (_, i) => ({ i }));
    const body: Record<string, unknown> = {
      frames,
      context: manyKeys(5_000),
    };
    expect(exceedsJsonDepth(body)).toBe(false);
    const kept = body.frames as { i: number }[];
    expect(kept).toHaveLength(MAX_CONTAINER_ENTRIES);
    expect(kept[0]?.i).toBe(0);
    expect(kept[499]?.i).toBe(499);
    expect(kept[500]?.i).toBe(4_500);
    expect(kept.at(-1)?.i).toBe(4_999);
    expect(Object.keys(body.context as object)).toEqual(
      Object.keys(manyKeys(MAX_CONTAINER_ENTRIES)),
    );
  });

  it("a body keeps at most MAX_TOTAL_ENTRIES entries in all", () => {
    const body = { many: Array.from({ length: 40 }, () => manyKeys(900)) };
    expect(exceedsJsonDepth(body)).toBe(false);
    let total = 0;
    const count = (v: unknown): void => {
      if (Array.isArray(v)) {
        total += v.length;
        v.forEach(count);
      } else if (v && typeof v === "object") {
        total += Object.keys(v).length;
        Object.values(v).forEach(count);
      }
    };
    count(body);
    expect(total).toBeLessThanOrEqual(MAX_TOTAL_ENTRIES);
    expect(total).toBeGreaterThan(MAX_TOTAL_ENTRIES - 100);
  });

  it("still refuses bodies nested too deep, and a __proto__ key stays data", () => {
    let deep: unknown = {};
    for (let i = 0; i < 100; i++) deep = { d: deep };
    expect(exceedsJsonDepth(deep)).toBe(true);
    const body = JSON.parse(
      `{"o":{${Array.from({ length: 1_500 }, (_, i) => (i === 0 ? `"__proto__":{"x":1}` : `"k${i}":1`)).join(",")}}}`,
    );
    exceedsJsonDepth(body);
    expect(Object.keys(body.o)).toHaveLength(MAX_CONTAINER_ENTRIES);
    expect(Object.hasOwn(body.o, "__proto__")).toBe(true);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});
