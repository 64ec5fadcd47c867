/**
 * Grouping quality on real Sentry clients: `npm run bench:grouping`.
 *
 * - default: replays the recorded corpus (test/fixtures/sdk-corpus) through the server;
 * - `--live`: runs the clients now (bench/grouping/clients, those installed here) against the
 *   server through a recording proxy; with `--record` the recording replaces the corpus.
 *
 * Prints, per client, events, sites, bugs, pairwise precision/recall/F1 and refused requests
 * (any answer but 2xx). Each client reports to a project of its own, as separate applications
 * do. The database is PGlite in memory, or TEST_DATABASE_URL. CORPUS_PER_SITE sets how many
 * events each site sends live (default 12); CORPUS_CLIENTS=a,b runs only those clients. Exits 1 when a request is refused or F1 < 0.98.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { buildServer } from "../../src/server.js";
import { createServices } from "../../src/services.js";
import { createTestDb } from "../../test/helpers/db.js";
import {
  CORPUS_DIR,
  type CorpusRequest,
  corpusProjects,
  loadCorpus,
  replay,
  scoreAll,
  storedAssignments,
} from "../../test/helpers/sdk-corpus.js";
import { LIVE_CLIENTS, dsnFor, listen } from "./live-clients.js";

const args = new Set(process.argv.slice(2));
const live = args.has("--live");
const record = args.has("--record");
const perSite = Number(process.env.CORPUS_PER_SITE ?? 12);
const MIN_F1 = 0.98;

const testDb = await createTestDb();
const services = createServices({ db: testDb.db });
const app = await buildServer(services, {
  bodyLimit: 1024 * 1024,
  sentryRateLimitPerMinute: 1_000_000,
  reportRateLimitPerMinute: 1_000_000,
});

const refused: { client: string; status: number; body: string }[] = [];
const recorded: CorpusRequest[] = [];
let projects: Map<string, number>;

if (live) {
  const only = process.env.CORPUS_CLIENTS?.split(",").map((c) => c.trim());
  const clients = LIVE_CLIENTS.filter((client) => {
    if (only && !only.includes(client.name)) return false;
    const why = client.missing();
    if (why) console.log(`skipped ${client.name}: ${why}`);
    return !why;
  });
  projects = await corpusProjects(
    testDb.db,
    clients.map((c) => c.name),
  );
  const clientOf = new Map([...projects].map(([client, id]) => [String(id), client]));
  // Every request is kept as it came (the corpus), then handed to the real app.
  const proxy = await listen(
    createServer((request: IncomingMessage, response: ServerResponse) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", async () => {
        const body = Buffer.concat(chunks);
        const id = /^\/api\/(\d+)\//.exec(request.url ?? "")?.[1] ?? "";
        const entry: CorpusRequest = {
          client: clientOf.get(id) ?? "unknown",
          method: request.method ?? "GET",
          url: request.url ?? "/",
          headers: Object.fromEntries(
            Object.entries(request.headers).map(([k, v]) => [
              k,
              Array.isArray(v) ? v.join(", ") : (v ?? ""),
            ]),
          ),
          body: body.toString("base64"),
        };
        if (entry.method === "POST") recorded.push(entry);
        const outcome = await app.inject({
          method: entry.method as "POST",
          url: entry.url,
          headers: entry.headers,
          payload: body,
        });
        if (entry.method === "POST" && (outcome.statusCode < 200 || outcome.statusCode > 299)) {
          refused.push({ client: entry.client, status: outcome.statusCode, body: outcome.body });
        }
        response.writeHead(outcome.statusCode, outcome.headers as Record<string, string>);
        response.end(outcome.rawPayload);
      });
    }),
  );
  const baseUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  for (const client of clients) {
    const started = performance.now();
    await client.run(dsnFor(baseUrl, client.name, projects.get(client.name) as number), perSite);
    console.log(`ran ${client.name} in ${Math.round(performance.now() - started)} ms`);
  }
  await new Promise((resolve) => proxy.close(resolve));
  if (record) {
    mkdirSync(CORPUS_DIR, { recursive: true });
    for (const client of clients) {
      const lines = recorded
        .filter((r) => r.client === client.name)
        .map((r) => JSON.stringify(r))
        .join("\n");
      writeFileSync(`${CORPUS_DIR}${client.name}.ndjson.gz`, gzipSync(`${lines}\n`));
    }
    console.log(`recorded ${recorded.length} requests in ${CORPUS_DIR}`);
  }
} else {
  const corpus = loadCorpus();
  projects = await corpusProjects(testDb.db, new Set(corpus.map((r) => r.client)));
  for (const request of corpus) {
    const outcome = await replay(app, request, projects.get(request.client) as number);
    if (outcome.status < 200 || outcome.status > 299) refused.push(outcome);
  }
}

await services.reportService.flush();
const { perClient, pooled } = scoreAll(await storedAssignments(testDb.db, projects));
const refusedBy = (client: string) => refused.filter((r) => r.client === client).length;
const fmt = (n: number) => n.toFixed(3);
console.log(
  `\n${"client".padEnd(18)} events sites  bugs precision recall     F1 refused\n${"-".repeat(72)}`,
);
for (const s of [...perClient, pooled]) {
  const refusedCount = s.client === "all" ? refused.length : refusedBy(s.client);
  console.log(
    `${s.client.padEnd(18)} ${String(s.events).padStart(6)} ${String(s.sites).padStart(5)} ${String(s.bugs).padStart(5)} ${fmt(s.precision).padStart(9)} ${fmt(s.recall).padStart(6)} ${fmt(s.f1).padStart(6)} ${String(refusedCount).padStart(7)}`,
  );
}
for (const r of refused.slice(0, 10)) console.log(`refused (${r.client}): ${r.status} ${r.body}`);

await app.close();
await services.reportService.close();
await testDb.close();
process.exit(refused.length > 0 || perClient.some((s) => s.f1 < MIN_F1) ? 1 : 0);
