import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { NotificationPayload } from "../../../src/notifications/enqueue-notification.js";
import { NotificationHttpError } from "../../../src/notifications/post-json.js";
import { slackMessage } from "../../../src/notifications/slack-message.js";
import { signatureHeader, webhookDocument } from "../../../src/notifications/webhook-document.js";

const n: NotificationPayload = {
  event: "new_bug",
  title: "B-004: <script> & a|pipe",
  text: "New bug B-004 in octo-org/shop: <script> & a|pipe",
  url: null,
  severity: "critical",
  data: {},
  at: "2026-11-23T10:00:00.000Z",
};
const bug = {
  ref: "B-004",
  title: "<script> & a|pipe",
  severity: "low",
  status: "in_progress",
  occurrences: 3,
  issue_url: "https://github.com/octo-org/shop/issues/4",
};

describe("slackMessage", () => {
  it("escapes &, <, > and keeps the link syntax intact", () => {
    expect(slackMessage("octo-org/shop", n, bug)).toEqual({
      text: "New bug B-004 in octo-org/shop: &lt;script&gt; &amp; a|pipe",
      blocks: [
        {
          type: "section",
          text: {
            type: "mrkdwn",
            text: "*<https://github.com/octo-org/shop/issues/4|B-004: &lt;script&gt; &amp; a¦pipe>*\nNew bug B-004 in octo-org/shop: &lt;script&gt; &amp; a|pipe",
          },
        },
        {
          type: "context",
          elements: [
            { type: "mrkdwn", text: "*Severity:* low" },
            { type: "mrkdwn", text: "*Occurrences:* 3" },
            { type: "mrkdwn", text: "*Status:* in_progress" },
            { type: "mrkdwn", text: "*Repository:* octo-org/shop" },
          ],
        },
      ],
    });
  });

  it("keeps the section under Slack's 3,000 characters", () => {
    const long = { ...n, title: "T".repeat(5000), text: "x".repeat(5000) };
    const message = slackMessage("o/r", long, null) as {
      text: string;
      blocks: Array<{ text?: { text: string } }>;
    };
    expect(message.blocks[0]?.text?.text.length).toBeLessThanOrEqual(3000);
    expect(message.text.length).toBe(2000);
  });
});

describe("webhookDocument", () => {
  it("prefers the bug's current issue URL and keeps the notification's own fields", () => {
    expect(webhookDocument("octo-org/shop", { ...n, url: "https://old" }, bug)).toEqual({
      event: "new_bug",
      project: "octo-org/shop",
      title: n.title,
      text: n.text,
      url: "https://github.com/octo-org/shop/issues/4",
      bug,
      at: n.at,
      data: {},
    });
  });

  it("signs the exact bytes like GitHub does", () => {
    const body = '{"a":1}';
    expect(signatureHeader("k", body)).toBe(
      `sha256=${createHmac("sha256", "k").update(body).digest("hex")}`,
    );
    expect(signatureHeader("k", body)).not.toBe(signatureHeader("k", '{"a": 1}'));
  });
});

describe("NotificationHttpError", () => {
  it.each([
    [500, true],
    [503, true],
    [408, true],
    [429, true],
    [400, false],
    [403, false],
    [404, false],
    [410, false],
    [301, false],
  ])("HTTP %i retryable: %s", (status, retryable) => {
    expect(new NotificationHttpError(status, {}, "").retryable).toBe(retryable);
  });
});
