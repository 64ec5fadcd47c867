import type { Kysely } from "kysely";
import {
  type OccurrenceEffect,
  type ReportService,
  type ReportServiceDeps,
  createReportService,
} from "./bugs/index.js";
import type { Database } from "./db/index.js";
import { type GroupingRules, compileGroupingRules } from "./grouping/index.js";
import {
  type Admission,
  type ProjectAuth,
  createAdmission,
  createProjectAuth,
} from "./ingest/index.js";
import { instrumentAdmission, instrumentReportService } from "./observability/instrument.js";
import type { Metrics } from "./observability/metrics.js";
import { type ProjectConfigs, bugClassifierFor, createProjectConfigs } from "./projects/index.js";
import { createProjectScrubbers } from "./scrub/index.js";

/**
 * The services of one process, built once and shared by the HTTP routes, Probot handlers, CLI and
 * cron jobs (not Fastify decorators: they are needed outside Fastify too).
 */
export interface Services {
  db: Kysely<Database>;
  clock: () => Date;
  reportService: ReportService;
  projectAuth: ProjectAuth;
  /** Each repository's .github/faultline.yml, as last read from GitHub. */
  projectConfigs: ProjectConfigs;
  /** Inbound filters, sampling and rate limits of reports (limits shared by replicas). */
  admission: Admission;
}

export interface CreateServicesInput {
  db: Kysely<Database>;
  clock?: () => Date;
  /** Work committed with each occurrence (GitHub outbox planning, notifications). */
  effects?: OccurrenceEffect[];
  /** Group commit limits (batch size, queue length, transactions in flight); defaults otherwise. */
  groupCommit?: ReportServiceDeps["groupCommit"];
  /** Counts what admission and the report service decide (Prometheus). */
  metrics?: Metrics;
}

export function createServices(input: CreateServicesInput): Services {
  const clock = input.clock ?? (() => new Date());
  const projectConfigs = createProjectConfigs(input.db);
  // Per-minute limits are counted in Postgres, shared by every replica.
  const plainAdmission = createAdmission({ projectConfigs, clock, db: input.db });
  const metrics = input.metrics;
  const admission = metrics ? instrumentAdmission(plainAdmission, metrics) : plainAdmission;
  const scrubbers = createProjectScrubbers(async (id) => (await projectConfigs.get(id)).scrub);
  // Compiled once per grouping section object: the config is re-read every 30 s, not per report.
  const compiledGrouping = new WeakMap<object, GroupingRules>();
  const groupingFor = async (id: number) => {
    const settings = (await projectConfigs.get(id)).grouping;
    let rules = compiledGrouping.get(settings);
    if (!rules) {
      rules = compileGroupingRules(settings);
      compiledGrouping.set(settings, rules);
    }
    return rules;
  };
  const reportService = createReportService({
    db: input.db,
    clock,
    effects: input.effects ?? [],
    admission,
    scrubberFor: (projectId) => scrubbers.get(projectId),
    groupingFor,
    // Compiled once per config object (bugClassifierFor caches), like the grouping rules.
    classifierFor: async (projectId) => bugClassifierFor(await projectConfigs.get(projectId)),
    ...(input.groupCommit ? { groupCommit: input.groupCommit } : {}),
    ...(metrics
      ? { onGroupCommit: (size: number, ms: number) => metrics.groupCommitted(size, ms) }
      : {}),
  });
  return {
    db: input.db,
    clock,
    reportService: metrics ? instrumentReportService(reportService, metrics) : reportService,
    projectAuth: createProjectAuth(input.db),
    projectConfigs,
    admission,
  };
}
