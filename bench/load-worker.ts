/**
 * Runs autocannon in a child process (forked by load.ts), so that the load generator neither
 * shares the server's event loop nor counts in its CPU time. Bodies are built here, one per
 * request (unique event ids: nothing is a duplicate).
 */
import { randomBytes } from "node:crypto";
import autocannon, { type Request } from "autocannon";
import { BENCH_STACK as STACK } from "./load-bodies.js";
import type { LoadOptions, RunResult } from "./load.js";

const options = await new Promise<LoadOptions>((resolve) => {
  process.once("message", (message) => resolve(message as LoadOptions));
});

let n = 0;
function body(): string {
  const i = n++;
  switch (options.kind) {
    case "hot":
      return JSON.stringify({ error_type: "TypeError", message: "x is undefined", stack: STACK });
    case "distinct":
      return JSON.stringify({
        error_type: `BenchError${i % options.distinct}`,
        message: "m",
        stack: STACK,
      });
    case "mixed": {
      // Mostly known errors, some new ones (an unbounded tail), some envelopes.
      if (i % 4 === 3) return envelope();
      const kind = i % 8 === 0 ? `Tail${i}` : `Known${i % 50}`;
      return JSON.stringify({ error_type: `${kind}Error`, message: `m ${i}`, stack: STACK });
    }
    case "envelope":
      return envelope();
  }
}

function envelope(): string {
  const template = options.envelope?.template;
  if (!template) throw new Error(`load kind "${options.kind}" needs an envelope template`);
  return template.body.replaceAll(template.eventId, randomBytes(16).toString("hex"));
}

/** Envelopes go to the Sentry endpoint with its auth header; the rest to options.url. */
const defaultPath = new URL(options.url).pathname;
function request(req: Request): Request {
  const payload = body();
  if (options.envelope && payload.includes('"type":"event"')) {
    return {
      ...req,
      path: options.envelope.path,
      headers: options.envelope.headers,
      body: payload,
    };
  }
  return { ...req, path: defaultPath, headers: options.headers, body: payload };
}

const settings = {
  url: options.url,
  method: "POST" as const,
  connections: options.connections,
  duration: options.seconds,
  headers: options.headers,
};
const cpuBefore = process.cpuUsage();
const result = await autocannon({
  ...settings,
  requests: [{ setupRequest: request }],
});
const answer: RunResult = {
  ok: result["2xx"],
  non2xx: result.non2xx,
  errors: result.errors,
  timeouts: result.timeouts,
  seconds: result.duration,
  p50: result.latency.p50,
  p99: result.latency.p99,
  cpuMicros: cpuMicros(process.cpuUsage(cpuBefore)),
};
function cpuMicros(usage: NodeJS.CpuUsage): number {
  return usage.user + usage.system;
}

process.send?.(answer, () => process.exit(0));
