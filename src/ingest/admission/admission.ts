import type { Kysely } from "kysely";
import { LRUCache } from "lru-cache";
import type { Database } from "../../db/index.js";
import type { ErrorEvent } from "../../grouping/index.js";
import type { ProjectConfigs } from "../../projects/index.js";
import { type FilterReason, inboundFilterReason } from "./inbound-filters.js";
import { keepSample, sampleRate } from "./sampling.js";
import { type QuotaKey, type SharedQuota, createSharedQuota } from "./shared-quota.js";
import { createWindowCounter } from "./window-counter.js";

/** What admission did to one project's reports since this process started. */
export interface AdmissionCounters {
  /** Dropped before grouping: not stored, not counted as occurrences. */
  filtered: Partial<Record<FilterReason, number>>;
  /** Counted, event not stored: sampled out by level. */
  sampledOut: number;
  /** Counted, event not stored: over the per-bug or per-project rate limit. */
  rateLimited: number;
}

/** Why an occurrence's event is not stored, or "store". */
export type StoreDecision = "store" | "sampled_out" | "rate_limited";

/**
 * Decides, per report, whether it is dropped (inbound filters), and whether its event row is
 * stored (sampling by level, rate limits per bug and per project). Occurrences are counted on the
 * bug either way; only filtered reports vanish.
 */
export interface Admission {
  /** The reason to drop this report before grouping, or undefined to keep it. */
  filter(projectId: number, event: ErrorEvent): Promise<FilterReason | undefined>;
  /** Whether this occurrence's event row is stored; the bug counts it either way. */
  storeEvent(occurrence: AdmissionOccurrence): Promise<boolean>;
  decide(occurrence: AdmissionOccurrence): Promise<StoreDecision>;
  counters(projectId: number): AdmissionCounters;
}

export interface AdmissionOccurrence {
  projectId: number;
  fingerprint: string;
  event: ErrorEvent;
}

export interface AdmissionOptions {
  projectConfigs: Pick<ProjectConfigs, "get">;
  clock?: () => Date;
  /** Bugs whose per-minute counts are tracked at once (LRU beyond). */
  maxTrackedBugs?: number;
  /**
   * Where the per-minute counts are shared between replicas (shared-quota.ts). Without it each
   * process counts its own reports (unit tests, a single process that wants no table).
   */
  db?: Kysely<Database>;
}

const MINUTE_MS = 60_000;

type RepoConfigLimits = { per_project_per_minute: number; per_bug_per_minute: number };

export function createAdmission(options: AdmissionOptions): Admission {
  const clock = options.clock ?? (() => new Date());
  const perBug = createWindowCounter({
    windowMs: MINUTE_MS,
    maxKeys: options.maxTrackedBugs ?? 100_000,
  });
  const perProject = createWindowCounter({ windowMs: MINUTE_MS, maxKeys: 10_000 });
  const counters = new LRUCache<number, AdmissionCounters>({ max: 10_000 });
  const countersOf = (projectId: number) => {
    let entry = counters.get(projectId);
    if (!entry) {
      entry = { filtered: {}, sampledOut: 0, rateLimited: 0 };
      counters.set(projectId, entry);
    }
    return entry;
  };

  const shared: SharedQuota | undefined = options.db
    ? createSharedQuota({ db: options.db, maxKeys: options.maxTrackedBugs ?? 100_000 })
    : undefined;

  /** In-process counts: checked and counted with no await in between. */
  const takeLocal = (projectKey: string, bugKey: string, config: RepoConfigLimits, now: Date) => {
    if (
      perProject.count(projectKey, now) >= config.per_project_per_minute ||
      perBug.count(bugKey, now) >= config.per_bug_per_minute
    ) {
      return false;
    }
    perProject.add(projectKey, now);
    perBug.add(bugKey, now);
    return true;
  };

  const decide = async (occurrence: AdmissionOccurrence): Promise<StoreDecision> => {
    const config = await options.projectConfigs.get(occurrence.projectId);
    const { event } = occurrence;
    if (!keepSample(event.eventId, sampleRate(event.level, config.sampling))) {
      countersOf(occurrence.projectId).sampledOut++;
      return "sampled_out";
    }
    const now = clock();
    const projectKey = String(occurrence.projectId);
    const bugKey = `${occurrence.projectId}:${occurrence.fingerprint}`;
    const limits = config.rate_limits;
    let taken: boolean | Promise<boolean>;
    if (shared) {
      const keys: QuotaKey[] = [
        { key: `p:${projectKey}`, limit: limits.per_project_per_minute },
        { key: `b:${bugKey}`, limit: limits.per_bug_per_minute },
      ];
      taken = shared.take(keys, now);
    } else {
      taken = takeLocal(projectKey, bugKey, limits, now);
    }
    if (!(taken instanceof Promise ? await taken : taken)) {
      countersOf(occurrence.projectId).rateLimited++;
      return "rate_limited";
    }
    return "store";
  };

  return {
    async filter(projectId, event) {
      const reason = inboundFilterReason(event, await options.projectConfigs.get(projectId));
      if (reason) {
        const filtered = countersOf(projectId).filtered;
        filtered[reason] = (filtered[reason] ?? 0) + 1;
      }
      return reason;
    },
    decide,
    async storeEvent(occurrence) {
      return (await decide(occurrence)) === "store";
    },
    counters(projectId) {
      const entry = counters.get(projectId);
      return entry
        ? { ...entry, filtered: { ...entry.filtered } }
        : { filtered: {}, sampledOut: 0, rateLimited: 0 };
    },
  };
}
