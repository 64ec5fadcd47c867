import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/**
 * Faultline's Prometheus metrics (prom-client). Modules do not know about them: each exposes a
 * small hook (an observe callback, a wrapper at its boundary) and main.ts connects the hooks to
 * these recorders. Figures that are state rather than events (the outbox backlog, the database
 * pool) are read when scraped.
 */
export interface OutboxBacklog {
  kind: string;
  pending: number;
  /** Age of the oldest pending row, in seconds. */
  oldestSeconds: number;
  dead: number;
}

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
  max: number;
}

export interface MetricsSources {
  /** The outbox by kind, read at each scrape. */
  outboxBacklog?: () => Promise<OutboxBacklog[]>;
  /** The database pool's connections (Postgres), read at each scrape. */
  poolStats?: () => PoolStats | undefined;
  /** Process metrics (CPU, memory, event loop lag, GC): on in the server, off in tests. */
  processMetrics?: boolean;
}

/** Why an ingestion request was refused, from its HTTP status. */
export function refusalReason(status: number): string {
  switch (status) {
    case 400:
      return "invalid";
    case 401:
    case 403:
      return "unauthorized";
    case 404:
      return "not_found";
    case 413:
      return "too_large";
    case 415:
      return "unsupported";
    case 429:
      return "rate_limited";
    case 503:
      return "unavailable";
    default:
      return status >= 500 ? "error" : "other";
  }
}

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics(sources: MetricsSources = {}) {
  const registry = new Registry();
  if (sources.processMetrics) collectDefaultMetrics({ register: registry });

  const reportsAccepted = new Counter({
    name: "faultline_reports_accepted_total",
    help: "Reports committed (counted on their bug), by whether the bug was new",
    labelNames: ["bug"] as const,
    registers: [registry],
  });
  const reportsFiltered = new Counter({
    name: "faultline_reports_filtered_total",
    help: "Reports dropped by an inbound filter of faultline.yml (not stored, not counted)",
    labelNames: ["reason"] as const,
    registers: [registry],
  });
  const reportsNotStored = new Counter({
    name: "faultline_reports_not_stored_total",
    help: "Reports counted on their bug whose event row was not stored: sampled out or over a rate limit",
    labelNames: ["reason"] as const,
    registers: [registry],
  });
  const reportsRefused = new Counter({
    name: "faultline_reports_refused_total",
    help: "Ingestion requests refused, by reason (HTTP status)",
    labelNames: ["reason"] as const,
    registers: [registry],
  });
  const groupSize = new Histogram({
    name: "faultline_group_commit_size",
    help: "Reports per group-commit transaction",
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
    registers: [registry],
  });
  const groupSeconds = new Histogram({
    name: "faultline_group_commit_seconds",
    help: "Duration of group-commit transactions",
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const outboxRuns = new Counter({
    name: "faultline_outbox_runs_total",
    help: "Outbox rows run, by kind and outcome (done, retry, waiting, dead)",
    labelNames: ["kind", "outcome"] as const,
    registers: [registry],
  });
  const githubRequests = new Counter({
    name: "faultline_github_requests_total",
    help: "Requests to the GitHub API, by method and HTTP status (0: no answer)",
    labelNames: ["method", "status"] as const,
    registers: [registry],
  });
  const githubRemaining = new Gauge({
    name: "faultline_github_rate_limit_remaining",
    help: "x-ratelimit-remaining of the last GitHub answer, by rate-limit resource",
    labelNames: ["resource"] as const,
    registers: [registry],
  });
  const webhookDeliveries = new Counter({
    name: "faultline_webhook_deliveries_total",
    help: "GitHub webhook deliveries, by event and HTTP status answered",
    labelNames: ["event", "status"] as const,
    registers: [registry],
  });
  const jobRuns = new Counter({
    name: "faultline_job_runs_total",
    help: "Scheduled job runs, by job and status (ran, skipped, failed)",
    labelNames: ["job", "status"] as const,
    registers: [registry],
  });
  const jobSeconds = new Histogram({
    name: "faultline_job_duration_seconds",
    help: "Duration of scheduled job runs that ran or failed",
    labelNames: ["job"] as const,
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300],
    registers: [registry],
  });

  const backlogPending = new Gauge({
    name: "faultline_outbox_pending",
    help: "Outbox rows not done yet, by kind",
    labelNames: ["kind"] as const,
    registers: [registry],
  });
  const backlogOldest = new Gauge({
    name: "faultline_outbox_oldest_pending_seconds",
    help: "Age of the oldest pending outbox row, by kind",
    labelNames: ["kind"] as const,
    registers: [registry],
  });
  const backlogDead = new Gauge({
    name: "faultline_outbox_dead",
    help: "Outbox rows stopped for good (see faultline outbox), by kind",
    labelNames: ["kind"] as const,
    registers: [registry],
  });
  const scrapeErrors = new Counter({
    name: "faultline_metrics_scrape_errors_total",
    help: "Scrapes whose database figures (outbox backlog) could not be read",
    registers: [registry],
  });
  if (sources.poolStats) {
    const poolStats = sources.poolStats;
    new Gauge({
      name: "faultline_db_pool_connections",
      help: "Database pool connections: total open, idle, and requests waiting for one",
      labelNames: ["state"] as const,
      registers: [registry],
      collect() {
        const stats = poolStats();
        if (!stats) return;
        this.set({ state: "total" }, stats.total);
        this.set({ state: "idle" }, stats.idle);
        this.set({ state: "in_use" }, stats.total - stats.idle);
        this.set({ state: "waiting" }, stats.waiting);
        this.set({ state: "max" }, stats.max);
      },
    });
  }

  async function readBacklog() {
    if (!sources.outboxBacklog) return;
    let rows: OutboxBacklog[];
    try {
      rows = await sources.outboxBacklog();
    } catch {
      scrapeErrors.inc();
      return;
    }
    backlogPending.reset();
    backlogOldest.reset();
    backlogDead.reset();
    for (const row of rows) {
      backlogPending.set({ kind: row.kind }, row.pending);
      backlogOldest.set({ kind: row.kind }, row.oldestSeconds);
      backlogDead.set({ kind: row.kind }, row.dead);
    }
  }

  return {
    registry,
    /** The exposition text, backlog figures read now. */
    async render(): Promise<{ contentType: string; body: string }> {
      await readBacklog();
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
    reportAccepted(bug: "new" | "known" | "duplicate") {
      reportsAccepted.inc({ bug });
    },
    reportFiltered(reason: string) {
      reportsFiltered.inc({ reason });
    },
    reportNotStored(reason: "sampled_out" | "rate_limited") {
      reportsNotStored.inc({ reason });
    },
    reportRefused(status: number) {
      reportsRefused.inc({ reason: refusalReason(status) });
    },
    groupCommitted(size: number, ms: number) {
      groupSize.observe(size);
      groupSeconds.observe(ms / 1000);
    },
    outboxRun(kind: string, outcome: string) {
      outboxRuns.inc({ kind, outcome });
    },
    githubRequest(method: string, status: number, headers?: Record<string, unknown>) {
      githubRequests.inc({ method, status: String(status) });
      const remaining = Number(headers?.["x-ratelimit-remaining"]);
      if (headers && Number.isFinite(remaining) && headers["x-ratelimit-remaining"] !== "") {
        githubRemaining.set(
          { resource: String(headers["x-ratelimit-resource"] ?? "core") },
          remaining,
        );
      }
    },
    webhookDelivery(event: string, status: number) {
      webhookDeliveries.inc({ event, status: String(status) });
    },
    jobRun(job: string, status: "ran" | "skipped" | "failed", ms?: number) {
      jobRuns.inc({ job, status });
      if (ms !== undefined) jobSeconds.observe({ job }, ms / 1000);
    },
  };
}
