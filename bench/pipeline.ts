/**
 * The per-report Node work of ingestion without HTTP or Postgres, in one process:
 * `npx tsx bench/pipeline.ts` (BENCH_SECONDS per payload, default 3; BENCH_ONLY=a,c). The same bodies as
 * bench:ingest (generic hot, generic distinct, a real @sentry/node envelope) go through parsing,
 * hard limits, scrubbing and grouping, as the routes and the report service run them. Prints µs
 * of CPU per report: a steady figure to compare changes with, even on a busy machine.
 * For a profile: `node --cpu-prof --cpu-prof-dir /tmp/prof --import tsx bench/pipeline.ts`.
 */
import { groupEvent } from "../src/bugs/index.js";
import type { ErrorEvent } from "../src/grouping/index.js";
import { parseReport } from "../src/ingest/index.js";
import { extractEvents, mapSentryEvent, parseEnvelope } from "../src/ingest/sentry/index.js";
import { createScrubber } from "../src/scrub/index.js";
import { captureNodeEnvelope } from "./sentry-envelope.js";

const seconds = Number(process.env.BENCH_SECONDS ?? 3);

const STACK = `TypeError: Cannot read properties of undefined (reading 'id')
    at applyCoupon (/app/src/cart/checkout.ts:42:17)
    at CartController.checkout (/app/src/cart/controller.ts:18:5)
    at Layer.handle [as handle_request] (/app/node_modules/express/lib/router/layer.js:95:5)`;

const scrubber = createScrubber();

/** What the routes and ReportService.submit do with one body, minus I/O. */
function generic(body: string): void {
  const receivedAt = new Date();
  const event = parseReport("generic", JSON.parse(body), receivedAt);
  group(event, receivedAt);
}

function envelope(body: Buffer): void {
  const receivedAt = new Date();
  for (const item of extractEvents(parseEnvelope(body)).events) {
    group(mapSentryEvent(item.json, { receivedAt }), receivedAt);
  }
}

function group(event: ErrorEvent, receivedAt: Date): void {
  groupEvent(1, scrubber.scrubEvent(event), receivedAt);
}

function measure(name: string, run: (i: number) => void): void {
  for (let i = 0; i < 2000; i++) run(i); // warm-up: JIT and caches
  const before = process.cpuUsage();
  const end = performance.now() + seconds * 1000;
  let n = 0;
  while (performance.now() < end) {
    for (let j = 0; j < 100; j++) run(n++);
  }
  const cpu = process.cpuUsage(before);
  console.log(`| ${name} | ${n} | ${((cpu.user + cpu.system) / n).toFixed(1)} |`);
}

const hot = JSON.stringify({ error_type: "TypeError", message: "x is undefined", stack: STACK });
const distinct = Array.from({ length: 1000 }, (_, i) =>
  JSON.stringify({ error_type: `BenchError${i}`, message: "m", stack: STACK }),
);
const template = await captureNodeEnvelope("http://key@127.0.0.1:9/1");
const envelopeBody = Buffer.from(template.body);

console.log("| payload | reports | CPU µs/report |");
console.log("| --- | ---: | ---: |");
// BENCH_ONLY=a,c picks payloads, as in bench:ingest.
const only = process.env.BENCH_ONLY?.split(",").map((x) => x.trim());
const pick = (letter: string) => !only || only.includes(letter);
if (pick("a")) measure("(a) generic, hot", () => generic(hot));
if (pick("b")) measure("(b) generic, 1,000 distinct", (i) => generic(distinct[i % 1000] as string));
if (pick("c")) measure("(c) Sentry envelope (@sentry/node)", () => envelope(envelopeBody));
