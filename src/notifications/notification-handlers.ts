import type { OutboxRow } from "../db/schema.js";
import { GiveUp, type OutboxHandler } from "../github/outbox/worker.js";
import { readProjectConfig } from "../projects/index.js";
import {
  NOTIFICATION_KINDS,
  type NotificationKind,
  type NotificationPayload,
  notificationTargets,
} from "./enqueue-notification.js";
import { readNotificationBug } from "./notification-bug.js";
import {
  DEFAULT_POST_TIMEOUT_MS,
  NotificationHttpError,
  postJson,
  redactUrl,
} from "./post-json.js";
import { slackMessage } from "./slack-message.js";
import {
  PrivateAddressError,
  type ResolveHost,
  assertPublicUrl,
  guardedLookup,
  resolveHost,
} from "./url-guard.js";
import { signatureHeader, webhookDocument } from "./webhook-document.js";

/**
 * With the worker's backoff (10 s doubling) ten attempts span about 85 minutes: a notification
 * later than that is stale, and a receiver down that long is not coming back for it.
 */
export const MAX_NOTIFICATION_ATTEMPTS = 10;

export interface NotificationHandlerOptions {
  /** Signs generic webhook bodies (`X-Faultline-Signature: sha256=…`) when set. */
  signingSecret?: string;
  timeoutMs?: number;
  maxAttempts?: number;
  /** Allow URLs on private or local networks (self-hosted, internal receivers). Default: refused. */
  allowPrivateNetworks?: boolean;
  /** DNS resolution for that check (tests replace it). */
  resolveHost?: ResolveHost;
}

/**
 * Outbox handlers for `notify_slack` and `notify_webhook`. The URL is read from the project's
 * current config at send time: a rotated URL wins, a removed URL (or an event taken out of
 * `notifications.events`) drops the row. Network errors, 408, 429 and 5xx are retried with the
 * worker's backoff; other answers, a URL on a private network and the last allowed attempt
 * close the row as a dead letter (`GiveUp`: done, with `last_error`).
 */
export function createNotificationHandlers(
  options: NotificationHandlerOptions = {},
): Record<NotificationKind, OutboxHandler> {
  const maxAttempts = options.maxAttempts ?? MAX_NOTIFICATION_ATTEMPTS;
  const timeoutMs = options.timeoutMs ?? DEFAULT_POST_TIMEOUT_MS;
  const resolve = options.resolveHost ?? resolveHost;

  const send =
    (kind: NotificationKind): OutboxHandler =>
    async (row, ctx) => {
      if (row.project_id == null) throw new GiveUp(`outbox row ${row.id} has no project`);
      const project = await readProjectConfig(ctx.db, row.project_id);
      if (!project) throw new GiveUp(`project ${row.project_id} no longer exists`);
      const n = readPayload(row);
      const url =
        kind === NOTIFICATION_KINDS.slack
          ? project.config.notifications.slack_webhook_url
          : project.config.notifications.webhook_url;
      if (!url || !notificationTargets(project.config, n.event).includes(kind)) {
        ctx.log?.info(
          { outboxId: row.id, kind, event: n.event },
          "notification dropped: no longer configured",
        );
        return;
      }
      const bug = row.bug_id == null ? null : await readNotificationBug(ctx.db, row.bug_id);
      let body: string;
      const headers: Record<string, string> = { "user-agent": "Faultline" };
      if (kind === NOTIFICATION_KINDS.slack) {
        body = JSON.stringify(slackMessage(project.fullName, n, bug));
      } else {
        body = JSON.stringify(webhookDocument(project.fullName, n, bug));
        headers["x-faultline-event"] = n.event;
        headers["x-faultline-delivery"] = row.idempotency_key;
        if (options.signingSecret) {
          headers["x-faultline-signature"] = signatureHeader(options.signingSecret, body);
        }
      }
      try {
        if (!options.allowPrivateNetworks) await assertPublicUrl(url, resolve);
        await postJson(url, body, {
          headers,
          timeoutMs,
          // The address connected to is the one checked, not a second DNS answer.
          ...(options.allowPrivateNetworks ? {} : { lookup: guardedLookup(resolve) }),
        });
      } catch (error) {
        const permanent =
          error instanceof PrivateAddressError ||
          (error instanceof NotificationHttpError && !error.retryable);
        if (permanent || row.attempts + 1 >= maxAttempts) {
          const why = permanent ? "not retried" : `gave up after ${row.attempts + 1} attempts`;
          throw new GiveUp(`${kind} to ${redactUrl(url)} ${why}: ${(error as Error).message}`, {
            cause: error,
          });
        }
        throw error;
      }
    };

  return {
    [NOTIFICATION_KINDS.slack]: send(NOTIFICATION_KINDS.slack),
    [NOTIFICATION_KINDS.webhook]: send(NOTIFICATION_KINDS.webhook),
  };
}

function readPayload(row: OutboxRow): NotificationPayload {
  const p = row.payload as Partial<NotificationPayload>;
  if (typeof p.event !== "string" || typeof p.text !== "string" || typeof p.at !== "string") {
    throw new GiveUp(`outbox row ${row.id} does not hold a notification`);
  }
  return {
    event: p.event,
    title: typeof p.title === "string" ? p.title : p.text,
    text: p.text,
    url: typeof p.url === "string" ? p.url : null,
    severity: typeof p.severity === "string" ? p.severity : null,
    data: p.data && typeof p.data === "object" ? p.data : {},
    at: p.at,
  };
}
