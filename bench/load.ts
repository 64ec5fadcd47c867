import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";

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

/** Runs one autocannon load in a child process (TypeScript through tsx). */
export function runLoad(options: LoadOptions): Promise<LoadResult> {
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
