import { LRUCache } from "lru-cache";
import type { OccurrenceEffect } from "../../bugs/index.js";
import { readProjectGithubSettings } from "../config/read-project-config.js";
import { TRIAGE_KINDS } from "./kinds.js";

/**
 * Plans, with the report that creates a bug, the blame of its top in-app frame (find_suspect).
 * Put it before planGithubEffects: its row then runs before open_issue, so the new issue usually
 * shows the suspect commit; when GitHub is slow the issue opens anyway and its body gets the
 * suspect later. Projects without an installation plan nothing.
 */
export function planSuspectLookups(options: { cacheTtlMs?: number } = {}): OccurrenceEffect {
  const installed = new LRUCache<number, boolean>({
    max: 10_000,
    ttl: options.cacheTtlMs ?? 30_000,
  });
  return async (trx, outcome, occurrence, outbox) => {
    if (!outcome.isNew || outcome.duplicate) return;
    const projectId = outcome.bug.projectId;
    let has = installed.get(projectId);
    if (has === undefined) {
      has = (await readProjectGithubSettings(trx, projectId)).installationId !== null;
      installed.set(projectId, has);
    }
    if (!has) return;
    outbox.add({
      projectId,
      bugId: outcome.bug.id,
      kind: TRIAGE_KINDS.findSuspect,
      key: `suspect:${outcome.bug.id}`,
      payload: {},
      runAfter: occurrence.receivedAt,
    });
  };
}
