import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { runWrkLoad, wrkVersion } from "./wrk-load.js";

export interface LoadOptions {
  url: string;
  headers: Record<string, string>;
  connections: number;
  seconds: number;
  /** Seconds of the same load before the measured run (JIT, pools, caches, new bugs); 0 = none. */
  warmupSeconds?: number;
  kind: "hot" | "distinct" | "envelope" | "mixed";
  /** Distinct fingerprints, for "distinct". */
  distinct: number;
  /** A captured SDK envelope (its event id is replaced in each request), for "envelope"/"mixed". */
  envelope?: {
    template: { body: string; eventId: string };
    path: string;
    headers: Record<string, string>;
  };
}

export interface LoadResult {
  /** 2xx answers of the measured run (the warm-up's are in warmupOk). */
  ok: number;
  warmupOk: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  seconds: number;
  p50: number;
  p99: number;
  /** CPU time the load generator itself used, warm-up included, µs. */
  cpuMicros: number;
}

const workerFile = fileURLToPath(new URL("./load-worker.ts", import.meta.url));

/**
 * The load generator: wrk when installed (it leaves the server and Postgres more of the shared
 * cores), else autocannon. BENCH_CLIENT=autocannon or wrk picks one.
 */
export function loadClient(): string {
  const wanted = process.env.BENCH_CLIENT?.trim();
  if (wanted === "autocannon") return "autocannon";
  const wrk = wrkVersion();
  if (wrk) return wrk;
  if (wanted === "wrk")
    throw new Error("BENCH_CLIENT=wrk but wrk is not installed (apt-get install wrk)");
  return "autocannon";
}

/** One run of a load client: no warm-up (runLoad runs it as a run of its own). */
export type RunResult = Omit<LoadResult, "warmupOk">;

/**
 * Runs one load with the client loadClient() picks: the warm-up (when asked), then `afterWarmup`,
 * then the measured run.
 */
export async function runLoad(
  options: LoadOptions,
  afterWarmup?: () => Promise<void>,
): Promise<LoadResult> {
  const runOnce = loadClient() === "autocannon" ? runAutocannon : runWrkLoad;
  const warmup = options.warmupSeconds
    ? await runOnce({ ...options, seconds: options.warmupSeconds })
    : undefined;
  await afterWarmup?.();
  const run = await runOnce(options);
  // The warm-up's failures count too: only its latencies and rate are left out.
  return {
    ...run,
    warmupOk: warmup?.ok ?? 0,
    non2xx: run.non2xx + (warmup?.non2xx ?? 0),
    errors: run.errors + (warmup?.errors ?? 0),
    timeouts: run.timeouts + (warmup?.timeouts ?? 0),
    cpuMicros: run.cpuMicros + (warmup?.cpuMicros ?? 0),
  };
}

/** Runs one autocannon load in a child process (TypeScript through tsx). */
function runAutocannon(options: LoadOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = fork(workerFile, [], { execArgv: ["--import", "tsx"] });
    let result: RunResult | undefined;
    child.once("message", (message) => {
      result = message as RunResult;
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      if (result) resolve(result);
      else reject(new Error(`the load generator exited with code ${code} and no result`));
    });
    child.send(options);
  });
}
