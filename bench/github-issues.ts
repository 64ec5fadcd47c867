/**
 * Issue creation rate: `npm run bench:github`. BENCH_ISSUES new bugs (default 40) get their
 * issues from BENCH_REPLICAS outbox workers (default 2) at once, through Probot with the octokit
 * main.ts uses (FaultlineOctokit) and the Postgres write pacer, against a GitHub stand-in on
 * loopback that answers after BENCH_GITHUB_LATENCY ms (default 80) and, like GitHub, refuses a
 * content-creating request past 80 in a minute (403 "secondary rate limit"). Prints issues/s,
 * duplicates and refusals; exits 1 on a duplicate or a refusal.
 *
 * BENCH_OCTOKIT=probot uses Probot's own octokit (its throttling plugin spaces issue creations 3 s
 * apart in a process) for comparison. Postgres from BENCH_DATABASE_URL (default: the local test
 * database), in a schema of its own.
 */
import { generateKeyPairSync } from "node:crypto";
import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "kysely";
import { Probot, ProbotOctokit } from "probot";
import { createDb, migrateToLatest } from "../src/db/index.js";
import {
  FaultlineOctokit,
  type OutboxOctokit,
  createOutboxWorker,
  createWritePacer,
  planGithubEffects,
} from "../src/github/index.js";
import { parseReport } from "../src/ingest/index.js";
import { ensureProject } from "../src/projects/index.js";
import { createServices } from "../src/services.js";
import { benchDatabaseUrl } from "./bench-server.js";

const issues = Number(process.env.BENCH_ISSUES ?? 40);
const replicas = Number(process.env.BENCH_REPLICAS ?? 2);
const latencyMs = Number(process.env.BENCH_GITHUB_LATENCY ?? 80);
const probotOctokit = process.env.BENCH_OCTOKIT?.trim() === "probot";

/** A GitHub stand-in: installation tokens, labels (all exist), issues; secondary limit enforced. */
function startGitHub() {
  const created: { number: number; body: string }[] = [];
  const writes: number[] = [];
  const counts: Record<string, number> = {};
  let refused = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = (req.url ?? "").split("?")[0] ?? "";
      const kind = `${req.method} ${path.replace(/\/\d+(?=\/|$)/g, "/:n").replace(/labels\/.*/, "labels/:name")}`;
      counts[kind] = (counts[kind] ?? 0) + 1;
      const send = (status: number, body: unknown) =>
        setTimeout(() => {
          res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
        }, latencyMs);
      if (req.method === "POST" && /\/access_tokens$/.test(path)) {
        return send(201, { token: "ghs_bench", expires_at: "2099-01-01T00:00:00Z" });
      }
      if (req.method !== "GET") {
        const now = Date.now();
        while (writes.length > 0 && (writes[0] as number) <= now - 60_000) writes.shift();
        if (writes.length >= 80) {
          refused++;
          return send(403, { message: "You have exceeded a secondary rate limit." });
        }
        writes.push(now);
      }
      if (req.method === "GET" && /\/labels\//.test(path)) return send(200, { name: "x" });
      if (req.method === "POST" && /^\/repos\/[^/]+\/[^/]+\/issues$/.test(path)) {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { body: string };
        const number = created.length + 1;
        created.push({ number, body: body.body });
        return send(201, { number, html_url: `https://github.test/issues/${number}` });
      }
      return send(404, { message: "Not Found" });
    });
  });
  return { server, created, counts, refused: () => refused };
}

const url = benchDatabaseUrl();
const schema = `bench_gh_${process.pid}`;
const admin = await createDb({ databaseUrl: url, poolSize: 1 });
await sql`CREATE SCHEMA ${sql.id(schema)}`.execute(admin.db);
const handle = await createDb({ databaseUrl: url, schema, poolSize: 10 });
const github = startGitHub();
try {
  await migrateToLatest(handle.db, schema);
  await new Promise<void>((resolve) => github.server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(github.server.address() as AddressInfo).port}`;
  const { project } = await ensureProject(handle.db, {
    fullName: "bench/shop",
    installationId: 1,
  });
  const services = createServices({
    db: handle.db,
    effects: [planGithubEffects({ threshold: 1 })],
  });
  for (let i = 0; i < issues; i++) {
    await services.reportService.submit(
      project.id,
      parseReport("generic", { error_type: `Bench${i}Error`, message: "boom" }, new Date()),
    );
  }
  await services.reportService.close();

  const probot = new Probot({
    appId: 1,
    privateKey: generateKeyPairSync("rsa", { modulusLength: 2048 })
      .privateKey.export({ type: "pkcs1", format: "pem" })
      .toString(),
    secret: "bench",
    logLevel: "warn",
    baseUrl: base,
    Octokit: probotOctokit ? ProbotOctokit : FaultlineOctokit,
  });
  const workers = Array.from({ length: replicas }, () =>
    createOutboxWorker({
      db: handle.db,
      getOctokit: async (id) => (await probot.auth(id)) as OutboxOctokit,
      pacer: createWritePacer({ db: handle.db }),
      batchSize: 10,
    }),
  );
  const started = performance.now();
  await Promise.all(
    workers.map(async (w) => {
      for (;;) {
        if ((await w.runOnce()) > 0) continue;
        const left = await handle.db
          .selectFrom("outbox")
          .select("id")
          .where("done_at", "is", null)
          .executeTakeFirst();
        if (!left) return;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const markers = github.created.map((i) => /<!-- faultline:(B-\d+)/.exec(i.body)?.[1]);
  const duplicates = markers.length - new Set(markers).size;
  const recorded = await handle.db
    .selectFrom("bugs")
    .select("issue_number")
    .where("issue_number", "is not", null)
    .execute();
  console.log(
    `${probotOctokit ? "[Probot's octokit] " : ""}${issues} issues by ${replicas} replicas in ${seconds.toFixed(1)} s: ${(issues / seconds).toFixed(2)} issues/s (GitHub's 80 content-creating requests a minute allow 1.33/s); GitHub latency ${latencyMs} ms`,
  );
  console.log(
    `issues created ${github.created.length}, recorded ${recorded.length}, duplicates ${duplicates}, secondary-limit refusals ${github.refused()}`,
  );
  console.log(`requests: ${JSON.stringify(github.counts)}`);
  if (duplicates > 0 || github.refused() > 0 || recorded.length !== issues) process.exitCode = 1;
} finally {
  github.server.close();
  await handle.close();
  await sql`DROP SCHEMA ${sql.id(schema)} CASCADE`.execute(admin.db);
  await admin.close();
}
