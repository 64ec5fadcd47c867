import type { NotificationPayload } from "./enqueue-notification.js";
import type { NotificationBug } from "./notification-bug.js";

/** Slack's mrkdwn needs only these three escaped; everything else is literal text. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Slack refuses a section text over 3,000 characters. */
function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A link whose text cannot end the `<url|text>` syntax early. */
function slackLink(url: string, text: string): string {
  return `<${url.replace(/[<>|]/g, encodeURIComponent)}|${escapeSlack(text).replace(/\|/g, "¦")}>`;
}

/**
 * An incoming-webhook message: `text` is the notification fallback (and what screen readers
 * get); the blocks show the title linked to the issue, then severity, count and repository.
 */
export function slackMessage(
  project: string,
  n: NotificationPayload,
  bug: NotificationBug | null,
): Record<string, unknown> {
  const url = bug?.issue_url ?? n.url;
  const titleText = clip(n.title, 300);
  const title = url ? slackLink(url, titleText) : escapeSlack(titleText);
  const facts: string[] = [];
  const severity = bug?.severity ?? n.severity;
  if (severity) facts.push(`*Severity:* ${escapeSlack(severity)}`);
  if (bug) facts.push(`*Occurrences:* ${bug.occurrences}`, `*Status:* ${escapeSlack(bug.status)}`);
  facts.push(`*Repository:* ${escapeSlack(project)}`);
  return {
    text: escapeSlack(clip(n.text, 2000)),
    blocks: [
      {
        type: "section",
        text: { type: "mrkdwn", text: `*${title}*\n${escapeSlack(clip(n.text, 2000))}` },
      },
      { type: "context", elements: facts.map((text) => ({ type: "mrkdwn", text })) },
    ],
  };
}
