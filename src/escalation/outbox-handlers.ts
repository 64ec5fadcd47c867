/** Every outbox handler of the scheduled jobs, for the worker's `handlers` option. */
import type { RepoConfig } from "../config/repo-config.js";
import type { OutboxHandler } from "../github/index.js";
import { createEscalationHandlers } from "./escalation-handlers.js";
import { createSpikeHandlers } from "./spike-handlers.js";

export function createScheduledJobHandlers(deps: {
  projectConfigs: { get(projectId: number): Promise<RepoConfig> };
}): Record<string, OutboxHandler> {
  return { ...createEscalationHandlers(deps), ...createSpikeHandlers(deps) };
}
