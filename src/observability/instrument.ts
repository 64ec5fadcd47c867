import type { OccurrenceEffect, ReportService } from "../bugs/index.js";
import type { Admission } from "../ingest/index.js";
import type { Metrics } from "./metrics.js";

/**
 * Hooks at module boundaries: wrappers that count what a service decided, so that the services
 * themselves know nothing of metrics.
 */

/** Counts filtered reports and events not stored (sampled out, over a rate limit). */
export function instrumentAdmission(admission: Admission, metrics: Metrics): Admission {
  return {
    ...admission,
    async filter(projectId, event) {
      const reason = await admission.filter(projectId, event);
      if (reason) metrics.reportFiltered(reason);
      return reason;
    },
    async decide(occurrence) {
      const decision = await admission.decide(occurrence);
      if (decision !== "store") metrics.reportNotStored(decision);
      return decision;
    },
    async storeEvent(occurrence) {
      const decision = await admission.decide(occurrence);
      if (decision !== "store") metrics.reportNotStored(decision);
      return decision === "store";
    },
  };
}

/** Counts committed reports: on a new bug, a known one, or a retried event counted before. */
export function instrumentReportService(service: ReportService, metrics: Metrics): ReportService {
  return {
    ...service,
    async submit(projectId, event) {
      const result = await service.submit(projectId, event);
      metrics.reportAccepted(result.duplicate ? "duplicate" : result.known ? "known" : "new");
      return result;
    },
    flush: () => service.flush(),
    close: () => service.close(),
  };
}

export interface NewBugInfo {
  projectId: number;
  repo: string;
  ref: string;
  title: string;
  severity: string;
}

/**
 * An effect told of each new bug once its report is committed (one log line per new bug). The
 * repository's name is read only for new bugs, in the report's transaction.
 */
export function newBugEffect(onNewBug: (bug: NewBugInfo) => void): OccurrenceEffect {
  return async (trx, outcome, _occurrence, outbox) => {
    if (!outcome.isNew || outcome.duplicate) return;
    const project = await trx
      .selectFrom("projects")
      .select(["owner", "name"])
      .where("id", "=", outcome.bug.projectId)
      .executeTakeFirst();
    const bug = outcome.bug;
    outbox.afterCommit(() =>
      onNewBug({
        projectId: bug.projectId,
        repo: project ? `${project.owner}/${project.name}` : `project ${bug.projectId}`,
        ref: bug.ref,
        title: bug.title,
        severity: bug.severity,
      }),
    );
  };
}
