import type { Kysely, Transaction } from "kysely";
import type { OutboxPlan } from "../bugs/index.js";
import type { NOTIFICATION_EVENTS, RepoConfig } from "../config/repo-config.js";
import type { Database } from "../db/schema.js";
import { enqueue } from "../github/outbox/plan-effects.js";

export const NOTIFICATION_KINDS = {
  slack: "notify_slack",
  webhook: "notify_webhook",
} as const;

export type NotificationKind = (typeof NOTIFICATION_KINDS)[keyof typeof NOTIFICATION_KINDS];

/** `new_bug`, `regression`, `escalation`, `spike`: what `notifications.events` lists. */
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

export interface Notification {
  projectId: number;
  bugId: number | null;
  event: NotificationEvent;
  /** Idempotency key, unique per notification (e.g. `new_bug:42`). */
  key: string;
  title: string;
  text: string;
  url?: string | null;
  severity?: string | null;
  data?: Record<string, unknown>;
  at: Date;
}

/** What an outbox row of a notification kind carries: the notification, never the target URL. */
export interface NotificationPayload {
  event: NotificationEvent;
  title: string;
  text: string;
  url: string | null;
  severity: string | null;
  data: Record<string, unknown>;
  at: string;
}

/** The kinds the project's config sends this event to (none when the event is filtered out). */
export function notificationTargets(
  config: RepoConfig,
  event: NotificationEvent,
): NotificationKind[] {
  const n = config.notifications;
  if (!n.events.includes(event)) return [];
  const targets: NotificationKind[] = [];
  if (n.slack_webhook_url) targets.push(NOTIFICATION_KINDS.slack);
  if (n.webhook_url) targets.push(NOTIFICATION_KINDS.webhook);
  return targets;
}

/**
 * Plans one outbox row per configured target, inside the caller's transaction. Only the
 * notification is stored: the handler reads the URL from the current config when it sends, so a
 * rotated URL wins and a removed one drops the row. Idempotent by `n.key` (per target).
 */
export async function enqueueNotification(
  db: Kysely<Database> | Transaction<Database> | OutboxPlan,
  config: RepoConfig,
  n: Notification,
): Promise<void> {
  const payload: NotificationPayload = {
    event: n.event,
    title: n.title,
    text: n.text,
    url: n.url ?? null,
    severity: n.severity ?? null,
    data: n.data ?? {},
    at: n.at.toISOString(),
  };
  for (const kind of notificationTargets(config, n.event)) {
    await enqueue(db, {
      projectId: n.projectId,
      bugId: n.bugId,
      kind,
      key: `${kind}:${n.key}`,
      payload: payload as unknown as Record<string, unknown>,
      runAfter: n.at,
    });
  }
}
