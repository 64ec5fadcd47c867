import type { OccurrenceEffect } from "../bugs/index.js";
import { readProjectConfig } from "../projects/index.js";
import { enqueueNotification, notificationTargets } from "./enqueue-notification.js";

/**
 * Plans Slack/webhook notifications for a new bug and for a regression inside the report's
 * transaction, so they commit with it. Keys: `new_bug:<bug id>` and
 * `regression:<bug id>:<regression count>`, so a retried or concurrent report never notifies twice.
 * Put it after `planGithubEffects()`: the issue row then runs first and the message can link to
 * the issue.
 */
export function planNotifications(): OccurrenceEffect {
  return async (trx, outcome, occurrence, outbox) => {
    if (outcome.duplicate || !(outcome.isNew || outcome.isRegression)) return;
    const bug = outcome.bug;
    const event = outcome.isNew ? "new_bug" : "regression";
    const project = await readProjectConfig(trx, bug.projectId);
    if (!project || notificationTargets(project.config, event).length === 0) return;

    const where = [occurrence.event.environment, occurrence.event.release]
      .filter((v): v is string => typeof v === "string" && v !== "")
      .join(", ");
    const suffix = where ? ` (${where})` : "";
    const title = `${bug.ref}: ${bug.title}`;
    const text = outcome.isNew
      ? `New bug ${bug.ref} in ${project.fullName}${suffix}: ${bug.title}`
      : `Regression: ${bug.ref} in ${project.fullName} occurred again after it was resolved${suffix}: ${bug.title}`;
    await enqueueNotification(outbox, project.config, {
      projectId: bug.projectId,
      bugId: bug.id,
      event,
      key: outcome.isNew ? `new_bug:${bug.id}` : `regression:${bug.id}:${bug.regressionCount}`,
      title,
      text,
      url: bug.issueUrl,
      severity: bug.severity,
      data: {
        environment: occurrence.event.environment ?? null,
        release: occurrence.event.release ?? null,
        ...(outcome.isRegression
          ? {
              regression_count: bug.regressionCount,
              resolved_in_release: bug.resolvedInRelease,
            }
          : {}),
      },
      at: occurrence.receivedAt,
    });
  };
}
