/**
 * Memory under a storm of mixed reports: `npm run bench:memory` (BENCH_MEMORY_SECONDS, default 60;
 * BENCH_DATABASE_URL as bench:ingest). heapUsed and RSS are sampled after a full GC every
 * BENCH_SAMPLE_SECONDS (default 5); a flat slope shows that caches and queues are bounded.
 * Needs `node --expose-gc` (the npm script passes it).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { startBenchServer } from "./bench-server.js";
import { runLoad } from "./load.js";
import { envelopeLoad } from "./sentry-envelope.js";

const seconds = Number(process.env.BENCH_MEMORY_SECONDS ?? 60);
const every = Number(process.env.BENCH_SAMPLE_SECONDS ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 100);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with node --expose-gc (npm run bench:memory does)");

interface Sample {
  at: number;
  heapMb: number;
  rssMb: number;
}

const mb = (bytes: number) => bytes / 1024 / 1024;

function sample(started: number): Sample {
  gc?.();
  const usage = process.memoryUsage();
  return { at: (Date.now() - started) / 1000, heapMb: mb(usage.heapUsed), rssMb: mb(usage.rss) };
}

/** Least-squares slope, MB per minute. */
function slope(samples: Sample[], pick: (s: Sample) => number): number {
  const n = samples.length;
  if (n < 2) return 0;
  const mx = samples.reduce((a, s) => a + s.at, 0) / n;
  const my = samples.reduce((a, s) => a + pick(s), 0) / n;
  let num = 0;
  let den = 0;
  for (const s of samples) {
    num += (s.at - mx) * (pick(s) - my);
    den += (s.at - mx) ** 2;
  }
  return den === 0 ? 0 : (num / den) * 60;
}

const server = await startBenchServer();
try {
  const envelope = await envelopeLoad(server);
  const started = Date.now();
  const samples: Sample[] = [sample(started)];
  let running = true;
  const sampler = (async () => {
    while (running) {
      await sleep(every * 1000);
      if (!running) break;
      const s = sample(started);
      samples.push(s);
      console.error(
        `${s.at.toFixed(0)}s heap ${s.heapMb.toFixed(1)} MB, rss ${s.rssMb.toFixed(1)} MB`,
      );
    }
  })();
  // Mixed: known errors, an unbounded tail of new ones, and Sentry envelopes (same key).
  const result = await runLoad({
    url: `${server.baseUrl}/api/reports`,
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${server.project.ingestKey}`,
    },
    connections,
    seconds,
    kind: "mixed",
    distinct: 0,
    envelope,
  });
  running = false;
  await sampler;
  samples.push(sample(started));
  const stored = await server.storedOccurrences();

  const first = samples[0] as Sample;
  const last = samples[samples.length - 1] as Sample;
  const max = (pick: (s: Sample) => number) => Math.max(...samples.map(pick));
  console.log(
    `\n${seconds}s storm, ${connections} connections: ${Math.round(result.ok / result.seconds)} reports/s, ${result.non2xx} non-2xx, ${stored} counted / ${server.answered()} answered`,
  );
  console.log("| memory (after GC) | first MB | last MB | max MB | slope MB/min |");
  console.log("| --- | ---: | ---: | ---: | ---: |");
  for (const [name, pick] of [
    ["heapUsed", (s: Sample) => s.heapMb],
    ["rss", (s: Sample) => s.rssMb],
  ] as const) {
    console.log(
      `| ${name} | ${pick(first).toFixed(1)} | ${pick(last).toFixed(1)} | ${max(pick).toFixed(1)} | ${slope(samples.slice(1), pick).toFixed(2)} |`,
    );
  }
  console.log(
    "(first: before the load; slope: least squares over the samples under load; the load generator is another process)",
  );
} finally {
  await server.close();
}
