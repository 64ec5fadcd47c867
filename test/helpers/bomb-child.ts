/**
 * Run by test/integration/compression-bombs.test.ts in a process of its own, with
 * `node --expose-gc --import tsx`: the real server on the test database, 500 compression bombs
 * sent to it over loopback, and the process's RSS after a full GC before and after. Prints one
 * JSON line: { rssBefore, rssAfter, statuses, seconds }.
 */
import { Agent, type IncomingMessage, request as httpRequest } from "node:http";
import type { Transform } from "node:stream";
import { constants, createBrotliCompress, createDeflate, createGzip } from "node:zlib";
import { ensureProject } from "../../src/projects/index.js";
import { buildServer } from "../../src/server.js";
import { createServices } from "../../src/services.js";
import { createTestDb } from "./db.js";

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with node --expose-gc");

/** A compressed body of `mb` MiB of zeros, compressed as it is produced (never held inflated). */
async function bomb(stream: Transform, mb: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  stream.on("data", (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise((resolve) => stream.on("end", resolve));
  const zeros = Buffer.alloc(1 << 20);
  for (let i = 0; i < mb; i++) {
    if (!stream.write(zeros)) await new Promise((resolve) => stream.once("drain", resolve));
  }
  stream.end();
  await ended;
  return Buffer.concat(chunks);
}

async function settle(): Promise<number> {
  for (let i = 0; i < 4; i++) {
    gc?.();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return process.memoryUsage().rss;
}

const testDb = await createTestDb({ poolSize: 4 });
const services = createServices({ db: testDb.db });
const app = await buildServer(services, {
  reportRateLimitPerMinute: 1_000_000,
  sentryRateLimitPerMinute: 1_000_000,
});
await app.listen({ port: 0, host: "127.0.0.1" });
const address = app.server.address();
if (!address || typeof address === "string") throw new Error("no TCP address");
const port = address.port;
const { project } = await ensureProject(testDb.db, { fullName: "octo-org/bombs" });

const brotli = await bomb(
  createBrotliCompress({
    params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_LGWIN]: 24 },
  }),
  200,
);
const gzip = await bomb(createGzip({ level: 9 }), 50);
const deflate = await bomb(createDeflate({ level: 9 }), 50);
const agent = new Agent({ keepAlive: true, maxSockets: 4 });

interface Shot {
  path: string;
  encoding: string;
  body: Buffer;
  headers: Record<string, string>;
  /** Send only this many bytes of the body, then hang up. */
  abortAfter?: number;
}

function send(shot: Shot): Promise<number | "aborted"> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: "127.0.0.1",
        port,
        path: shot.path,
        method: "POST",
        // A hung-up request cannot go back to a keep-alive pool.
        agent: shot.abortAfter === undefined ? agent : false,
        headers: {
          "content-type": "application/json",
          "content-encoding": shot.encoding,
          "content-length": String(shot.body.length),
          ...shot.headers,
        },
      },
      (res: IncomingMessage) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    if (shot.abortAfter !== undefined) {
      req.on("error", () => resolve("aborted"));
      req.write(shot.body.subarray(0, shot.abortAfter));
      setTimeout(() => {
        req.destroy();
        resolve("aborted");
      }, 20);
      return;
    }
    req.on("error", reject);
    req.end(shot.body);
  });
}

const key = { authorization: `Bearer ${project.ingestKey}` };
const sentryAuth = {
  "x-sentry-auth": `Sentry sentry_version=7, sentry_key=${project.ingestKey}`,
};
function shots(n: number): Shot[] {
  const all: Shot[] = [];
  for (let i = 0; i < n; i++) {
    const kind = i % 20;
    if (kind < 8) all.push({ path: "/api/reports", encoding: "br", body: brotli, headers: key });
    else if (kind < 11)
      all.push({ path: "/api/reports", encoding: "gzip", body: gzip, headers: key });
    else if (kind < 12)
      all.push({ path: "/api/reports", encoding: "deflate", body: deflate, headers: key });
    else if (kind < 16)
      all.push({
        path: "/api/reports",
        encoding: "br",
        body: brotli,
        headers: { authorization: "Bearer wrong-key-0123456789" },
      });
    else if (kind < 18)
      all.push({
        path: `/api/${project.id}/envelope/`,
        encoding: "br",
        body: brotli,
        headers: sentryAuth,
      });
    else
      all.push({
        path: "/api/reports",
        encoding: "gzip",
        body: gzip,
        headers: key,
        abortAfter: Math.floor(gzip.length / 2),
      });
  }
  return all;
}

async function fire(list: Shot[], statuses: Record<string, number>) {
  let next = 0;
  const worker = async () => {
    while (next < list.length) {
      const shot = list[next++] as Shot;
      const status = String(await send(shot));
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}

// Warm-up: JIT, pools, caches, the first allocations of each kind of stream.
await fire(shots(Number(process.env.WARMUP ?? 100)), {});
const rssBefore = await settle();
const started = performance.now();
const statuses: Record<string, number> = {};
await fire(shots(500), statuses);
const seconds = (performance.now() - started) / 1000;
// Let the server notice the hung-up requests before measuring.
await new Promise((resolve) => setTimeout(resolve, 300));
const rssAfter = await settle();
agent.destroy();
await app.close();
await services.reportService.close();
await testDb.close();
process.stdout.write(`${JSON.stringify({ rssBefore, rssAfter, statuses, seconds })}\n`);
process.exit(0);
