import { createHmac } from "node:crypto";
import type { NotificationPayload } from "./enqueue-notification.js";
import type { NotificationBug } from "./notification-bug.js";

/**
 * The JSON document POSTed to a generic webhook. Its shape is a public contract: add fields,
 * never rename or remove one.
 */
export interface WebhookDocument {
  event: NotificationPayload["event"];
  /** `owner/repo`. */
  project: string;
  title: string;
  text: string;
  /** Where to look: the bug's issue when it has one. */
  url: string | null;
  bug: NotificationBug | null;
  /** ISO 8601 time of what happened (not of the send). */
  at: string;
  data: Record<string, unknown>;
}

export function webhookDocument(
  project: string,
  n: NotificationPayload,
  bug: NotificationBug | null,
): WebhookDocument {
  return {
    event: n.event,
    project,
    title: n.title,
    text: n.text,
    url: bug?.issue_url ?? n.url,
    bug,
    at: n.at,
    data: n.data,
  };
}

/** `sha256=<hex HMAC of the exact body>`, as GitHub signs its own webhooks. */
export function signatureHeader(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}
