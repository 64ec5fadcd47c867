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

/** Runs one load with the client loadClient() picks. */
export function runLoad(options: LoadOptions): Promise<LoadResult> {
  return loadClient() === "autocannon" ? runAutocannon(options) : runWrkLoad(options);
}

/** Runs one autocannon load in a child process (TypeScript through tsx). */
function runAutocannon(options: LoadOptions): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(workerFile, [], { execArgv: ["--import", "tsx"] });
    let result: LoadResult | undefined;
    child.once("message", (message) => {
      result = message as LoadResult;
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      if (result) resolve(result);
      else reject(new Error(`the load generator exited with code ${code} and no result`));
    });
    child.send(options);
  });
}
