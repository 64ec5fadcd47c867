/**
 * Ingestion throughput on real Postgres: `npm run bench:ingest`. Postgres from BENCH_DATABASE_URL
 * (default: the local test database); loopback only; bounded in time (BENCH_SECONDS per scenario,
 * default 8; BENCH_CONNECTIONS, default 100). The load generator runs in a child process on the
 * same machine as the server and Postgres, so the figures are a floor. Every report stores its
 * event row (BENCH_LIMITS=default keeps the per-minute limits of the default repo config).
 *
 * Why 100 connections: each client waits for its answer, so reports/s <= connections / latency
 * (Little's law), and an answer waits for its group's COMMIT. At 50 connections 5,000 reports/s
 * needs a mean latency under 10 ms whatever the server's capacity; a server taking 5,000
 * reports/s from real applications has far more reports in flight than that.
 *
 * After each scenario the bugs' occurrence counts must add up to the 2xx answers the server sent:
 * nothing lost, nothing counted twice. The Postgres-only ceiling (the same rows, written by a
 * plain batched insert) is measured in the same run, so the ratio shows what HTTP costs.
 * "server CPU µs/report" is the server process's CPU time per stored report: it bounds what one
 * process can ingest, and moves far less than reports/s when other work shares the machine.
 * "server-side p50 / p99" runs from a request's headers read to its answer written; the load
 * generator's p50/p99 add the wait before the server's event loop reads a request and the load
 * generator's own delays on the shared cores (the HTTP floor's p99 shows how large those get).
 * BENCH_ONLY=a,c picks scenarios; BENCH_CEILING=0 skips the ceilings; BENCH_IN_FLIGHT sets the group-commit transactions in flight;
 * BENCH_WARMUP (default 2) is the unmeasured warm-up before each scenario's run, in seconds.
 * Exits 1 if a scenario's counts and answers disagree.
 */
import { type BenchServer, startBenchServer } from "./bench-server.js";
import { measureCeiling } from "./ceiling.js";
import { type CpuSplit, cpuSnapshot, cpuSplit } from "./cpu-split.js";
import { floorLoad, startHttpFloor } from "./http-floor.js";
import { type LoadOptions, type LoadResult, loadClient, runLoad } from "./load.js";
import { percentile } from "./percentile.js";
import { envelopeLoad } from "./sentry-envelope.js";

const seconds = Number(process.env.BENCH_SECONDS ?? 8);
// Sustained rates: each scenario first runs this long unmeasured (JIT, pools, a scenario's new
// bugs). Its answers still count in "stored = 2xx answers" and in the CPU per report.
const warmupSeconds = Number(process.env.BENCH_WARMUP ?? 2);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 100);

interface Scenario {
  name: string;
  ceiling: "hot" | "distinct";
  load: (server: BenchServer) => Promise<LoadOptions>;
}

const scenarios: Scenario[] = [
  {
    name: "(a) one hot fingerprint",
    ceiling: "hot",
    load: async (s) => genericLoad(s, "hot"),
  },
  {
    name: "(b) 1,000 distinct fingerprints",
    ceiling: "distinct",
    load: async (s) => genericLoad(s, "distinct"),
  },
  {
    name: "(c) Sentry envelopes (@sentry/node)",
    ceiling: "hot",
    load: async (s) => {
      const envelope = await envelopeLoad(s);
      return {
        ...base(),
        url: `${s.baseUrl}${envelope.path}`,
        headers: envelope.headers,
        kind: "envelope",
        envelope,
      };
    },
  },
];

function base() {
  return { connections, seconds, warmupSeconds, distinct: 1000 };
}

function genericLoad(s: BenchServer, kind: "hot" | "distinct"): LoadOptions {
  return {
    ...base(),
    url: `${s.baseUrl}/api/reports`,
    headers: { "content-type": "application/json", authorization: `Bearer ${s.project.ingestKey}` },
    kind,
  };
}

interface Row {
  name: string;
  result: LoadResult;
  answered: number;
  stored: number;
  cpuUsPerReport: number;
  split: CpuSplit;
  ceiling: "hot" | "distinct";
  /** Server-side latency of the measured run (onRequest to onResponse), ms. */
  serverSide: { p50: number; p99: number };
}

const server = await startBenchServer();
try {
  const rows: Row[] = [];
  // BENCH_ONLY=a,c runs only those scenarios (the ceilings run unless BENCH_CEILING=0).
  const only = process.env.BENCH_ONLY?.split(",").map((x) => x.trim());
  for (const scenario of scenarios.filter((x) => !only || only.includes(x.name.slice(1, 2)))) {
    await server.truncate();
    const options = await scenario.load(server);
    server.resetAnswered();
    const before = process.cpuUsage();
    const machineBefore = cpuSnapshot();
    // ANALYZE after the warm-up: the scenario starts on truncated tables, and a connection keeps
    // the generic plan of a prepared statement, made on the table sizes of its first executions
    // (an almost empty bugs table: a seq scan), until the table's statistics change. On a server
    // that runs on, autovacuum's ANALYZE does that as tables grow; a scenario is over before
    // autovacuum wakes (autovacuum_naptime, 1 min).
    const result = await runLoad(options, async () => {
      await server.analyze();
      server.measureLatencies();
    });
    const cpu = process.cpuUsage(before);
    // Whole milliseconds, like the load generator's figures.
    const latencies = server.latencies();
    const serverSide = {
      p50: Math.round(percentile(latencies, 0.5)),
      p99: Math.round(percentile(latencies, 0.99)),
    };
    const split = cpuSplit(machineBefore, cpuSnapshot(), answered(result));
    const stored = await server.storedOccurrences();
    rows.push({
      name: scenario.name,
      result,
      answered: server.answered(),
      // Server CPU per report (the load generator is another process): what caps one server
      // process, and far less sensitive to a busy machine than reports/s.
      cpuUsPerReport: answered(result) > 0 ? (cpu.user + cpu.system) / answered(result) : 0,
      split,
      stored,
      ceiling: scenario.ceiling,
      serverSide,
    });
    console.error(`${scenario.name}: ${Math.round(result.ok / result.seconds)} reports/s`);
  }
  // The same load against a route that stores nothing: what HTTP and the load generator alone
  // allow on this machine (BENCH_FLOOR=0 skips it).
  let floor: { result: LoadResult; cpuUsPerReport: number; split: CpuSplit } | undefined;
  if (process.env.BENCH_FLOOR !== "0") {
    const http = await startHttpFloor();
    try {
      const before = process.cpuUsage();
      const machineBefore = cpuSnapshot();
      const result = await runLoad(floorLoad(http.url, base()));
      const cpu = process.cpuUsage(before);
      const split = cpuSplit(machineBefore, cpuSnapshot(), answered(result));
      floor = {
        result,
        cpuUsPerReport: (cpu.user + cpu.system) / Math.max(1, answered(result)),
        split,
      };
    } finally {
      await http.close();
    }
  }

  // BENCH_CEILING=0 skips the Postgres-only ceilings (e.g. to profile the server alone).
  const withCeiling = process.env.BENCH_CEILING !== "0";
  await server.truncate();
  const ceilings = { hot: Number.NaN, distinct: Number.NaN };
  if (withCeiling) {
    const projectId = server.project.id;
    ceilings.hot = (await measureCeiling(server.db, { projectId, bugs: 1, seconds })).rowsPerSecond;
    await server.truncate();
    ceilings.distinct = (
      await measureCeiling(server.db, { projectId, bugs: 1000, seconds })
    ).rowsPerSecond;
    await server.truncate();
  }

  console.log(
    `\n${seconds}s per scenario after ${warmupSeconds}s of warm-up, ${connections} connections, loopback, load generator: ${loadClient()}`,
  );
  console.log(
    "| scenario | reports/s | p50 ms | p99 ms | server-side p50 / p99 ms | non-2xx | ratio to ceiling | server CPU µs/report | stored = 2xx answers |",
  );
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
  let ok = true;
  for (const row of rows) {
    const rate = row.result.ok / row.result.seconds;
    const consistent = row.stored === row.answered;
    ok &&= consistent;
    const check = consistent
      ? `yes (${row.stored})`
      : `NO: ${row.stored} counted, ${row.answered} answered`;
    const errors = row.result.errors + row.result.timeouts;
    console.log(
      `| ${row.name} | ${Math.round(rate)} | ${row.result.p50} | ${row.result.p99} | ${row.serverSide.p50} / ${row.serverSide.p99} | ${row.result.non2xx}${errors ? ` (+${errors} errors)` : ""} | ${withCeiling ? (rate / ceilings[row.ceiling]).toFixed(2) : "n/a"} | ${Math.round(row.cpuUsPerReport)} | ${check} |`,
    );
  }
  if (floor) {
    const rate = floor.result.ok / floor.result.seconds;
    console.log(
      `| HTTP floor (a route that stores nothing) | ${Math.round(rate)} | ${floor.result.p50} | ${floor.result.p99} | | ${floor.result.non2xx} | | ${Math.round(floor.cpuUsPerReport)} | |`,
    );
  }
  if (withCeiling) {
    console.log(
      `| Postgres-only ceiling, 1 bug | ${Math.round(ceilings.hot)} | | | | | 1.00 | | |`,
    );
    console.log(
      `| Postgres-only ceiling, 1,000 bugs | ${Math.round(ceilings.distinct)} | | | | | 1.00 | | |`,
    );
  }
  // The three processes share the machine: at N reports/s they need N x (sum) µs of CPU.
  console.log("\nCPU per report (µs), by process; the machine has 2 cores = 2,000,000 µs/s");
  console.log("| scenario | server | Postgres | load generator | whole machine | busy cores |");
  console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
  const splits = [
    ...rows.map((r) => ({
      name: r.name,
      result: r.result,
      server: r.cpuUsPerReport,
      split: r.split,
    })),
    ...(floor
      ? [
          {
            name: "HTTP floor",
            result: floor.result,
            server: floor.cpuUsPerReport,
            split: floor.split,
          },
        ]
      : []),
  ];
  for (const { name, result, server: serverUs, split } of splits) {
    const us = (n: number) => (Number.isFinite(n) ? String(Math.round(n)) : "n/a");
    console.log(
      `| ${name} | ${us(serverUs)} | ${us(split.postgresUsPerReport)} | ${us(result.cpuMicros / Math.max(1, answered(result)))} | ${us(split.machineUsPerReport)} | ${Number.isFinite(split.busyCores) ? split.busyCores.toFixed(2) : "n/a"} |`,
    );
  }
  if (!ok) process.exitCode = 1;
} finally {
  await server.close();
}

/** Every 2xx answer of a load, warm-up included: what the CPU figures are divided by. */
function answered(result: LoadResult): number {
  return result.ok + result.warmupOk;
}
