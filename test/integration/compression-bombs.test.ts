import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * 500 compression bombs (200 MB brotli in 165 bytes, 50 MB gzip and deflate; a fifth with a
 * wrong key, some hung up half-sent) against the real server in a child process run with
 * --expose-gc, so that its RSS after a full GC can be read before and after.
 * @fastify/compress left each decompressor alive after its 413 (RSS 1.4 -> 7.3 GB in this test)
 * and inflated bombs sent with a wrong key.
 */
const child = fileURLToPath(new URL("../helpers/bomb-child.ts", import.meta.url));
const MB = 1024 * 1024;

function runChild(): Promise<{
  rssBefore: number;
  rssAfter: number;
  statuses: Record<string, number>;
  seconds: number;
}> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ["--expose-gc", "--import", "tsx", child], {
      env: process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    proc.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    proc.stderr.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    proc.on("error", reject);
    proc.on("close", (code) => {
      const line = out.trim().split("\n").at(-1) ?? "";
      if (code !== 0 || !line.startsWith("{")) {
        reject(new Error(`bomb child exited ${code}: ${err || out}`));
        return;
      }
      resolve(JSON.parse(line));
    });
  });
}

describe("compression bombs", () => {
  it("500 bombs leave RSS within 50 MB of the start; a wrong key is refused before inflating", async () => {
    const result = await runChild();
    const grew = (result.rssAfter - result.rssBefore) / MB;
    console.log(
      `compression bombs: RSS ${(result.rssBefore / MB).toFixed(0)} MB -> ${(result.rssAfter / MB).toFixed(0)} MB after GC (${grew >= 0 ? "+" : ""}${grew.toFixed(1)} MB) over 500 bombs in ${result.seconds.toFixed(1)} s; answers ${JSON.stringify(result.statuses)}`,
    );
    // 100 with a wrong key: 401, never inflated. The rest: 413 once inflated past the limit, or
    // hung up by the client half-way.
    expect(result.statuses["401"]).toBe(100);
    expect((result.statuses["413"] ?? 0) + (result.statuses.aborted ?? 0)).toBe(400);
    expect(Object.keys(result.statuses).sort()).toEqual(
      ["401", "413", "aborted"].filter((s) => result.statuses[s] !== undefined),
    );
    expect(grew).toBeLessThan(50);
  }, 120_000);
});
