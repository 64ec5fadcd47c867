import { bugRef } from "./bug-ref.js";
import { issueMarker } from "./issue-marker.js";
import {
  codeBlock,
  escapeInline,
  formatCount,
  formatTime,
  inlineCode,
  truncateText,
} from "./markdown.js";
import { renderStack } from "./stack-trace.js";
import { githubLink } from "./triage-comments.js";
import type {
  BugStatus,
  GroupingView,
  IssueBugView,
  LatestEventView,
  SuspectView,
} from "./types.js";

/** GitHub rejects issue bodies longer than this. */
export const MAX_BODY_LENGTH = 65_536;

// Per-section budgets; together well under the limit, so the final cap is only a safety net.
const MESSAGE_BUDGET = 4_000;
const STACK_BUDGET = 12_000;
const FULL_STACK_BUDGET = 16_000;
const RAW_STACK_BUDGET = 24_000;
const HEADER_LIMIT = 50;
const HEADER_VALUE_LIMIT = 300;
const PAYLOAD_BUDGET = 4_000;
const LIST_LIMIT = 10;
const GROUPING_PART_LIMIT = 300;
const LIST_ITEM_LIMIT = 100;

/** Headers never shown, even though events are scrubbed before they get here. */
const HIDDEN_HEADERS =
  /^(cookie|set-cookie|authorization|proxy-authorization|x-api-key|x-auth-token|x-csrf-token|x-xsrf-token|x-faultline-key|x-sentry-auth)$/i;

const STATUS_TEXT: Record<BugStatus, string> = {
  open: "open",
  in_progress: "in progress",
  resolved: "resolved",
  wontfix: "won't fix",
  ignored: "ignored",
};

function clip(text: string, limit: number): string {
  return text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
}

/** Code span for a table cell. */
function cell(text: string, limit = LIST_ITEM_LIMIT): string {
  return inlineCode(clip(text, limit), { table: true });
}

function list(items: readonly string[]): string {
  if (items.length === 0) return "—";
  const shown = items.slice(0, LIST_LIMIT).map((i) => cell(i));
  const more = items.length - shown.length;
  return more > 0 ? `${shown.join(", ")} and ${more} more` : shown.join(", ");
}

function summaryLine(bug: IssueBugView): string {
  const where = bug.culprit ? ` in ${inlineCode(clip(bug.culprit, 200))}` : "";
  const times = bug.occurrenceCount === 1 ? "once" : `${formatCount(bug.occurrenceCount)} times`;
  return `**${escapeInline(bug.errorType)}**${where}, seen ${times} since ${formatTime(bug.firstSeen)}.`;
}

function summaryTable(bug: IssueBugView): string {
  const rows: Array<[string, string]> = [
    ["Bug", `**${bugRef(bug.number)}**`],
    ["Severity", bug.severity],
    ...(bug.category ? [["Category", bug.category.replaceAll("_", " ")] as [string, string]] : []),
    ["Status", STATUS_TEXT[bug.status]],
    ["First seen", formatTime(bug.firstSeen)],
    ["Last seen", formatTime(bug.lastSeen)],
    ["Occurrences", formatCount(bug.occurrenceCount)],
    ["Environments", list(bug.environments)],
    ["Releases", list(bug.releases)],
    [bug.services.length === 1 ? "Service" : "Services", list(bug.services)],
    ["Regressions", formatCount(bug.regressionCount)],
  ];
  const [head, ...rest] = rows.map(([k, v]) => `| ${k} | ${v} |`);
  return [head, "| --- | --- |", ...rest].join("\n");
}

function latestSection(event: LatestEventView): string {
  const facts: string[] = [];
  const code = (text: string) => inlineCode(clip(text, LIST_ITEM_LIMIT));
  if (event.environment) facts.push(`environment ${code(event.environment)}`);
  if (event.release) facts.push(`release ${code(event.release)}`);
  if (event.userId) facts.push(`user ${code(event.userId)}`);
  const lines = ["### Latest event"];
  if (facts.length > 0) lines.push("", `${facts.join(" · ")}`);
  const message = truncateText(
    event.message,
    MESSAGE_BUDGET,
    (n) => `… message truncated (${formatCount(n)} more characters)`,
  );
  lines.push("", codeBlock(message || "(no message)"));
  return lines.join("\n");
}

function stackSection(event: LatestEventView): string | undefined {
  if (event.frames.length > 0) {
    const stack = renderStack(event.frames);
    const note = (n: number) => `… stack trace truncated (${formatCount(n)} more characters)`;
    const lines = [
      "### Stack trace",
      "",
      codeBlock(truncateText(stack.folded, STACK_BUDGET, note)),
    ];
    if (stack.full !== undefined) {
      lines.push(
        "",
        `<details><summary>All ${formatCount(stack.frameCount)} frames</summary>`,
        "",
        codeBlock(truncateText(stack.full, FULL_STACK_BUDGET, note)),
        "",
        "</details>",
      );
    }
    lines.push("", "`→` marks the application's own frames; the raising frame is first.");
    return lines.join("\n");
  }
  if (event.rawStacktrace?.trim()) {
    const raw = truncateText(
      event.rawStacktrace,
      RAW_STACK_BUDGET,
      (n) => `… stack trace truncated (${formatCount(n)} more characters)`,
    );
    return ["### Stack trace", "", codeBlock(raw)].join("\n");
  }
  return undefined;
}

function stringify(value: unknown): string {
  if (typeof value === "string") return value;
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

function requestSection(request: NonNullable<LatestEventView["request"]>): string | undefined {
  const rows: string[] = [];
  if (request.method) rows.push(`| Method | ${cell(request.method.toUpperCase(), 20)} |`);
  if (request.url) rows.push(`| URL | ${cell(request.url, 2_000)} |`);
  if (request.statusCode !== undefined) rows.push(`| Status | ${request.statusCode} |`);
  const lines = ["### Request"];
  if (rows.length > 0) lines.push("", "| | |", "| --- | --- |", ...rows);

  const headers = Object.entries(request.headers ?? {});
  const shown = headers.filter(([name]) => !HIDDEN_HEADERS.test(name));
  const hidden = headers.length - shown.length;
  if (shown.length > 0) {
    lines.push("", "| Header | Value |", "| --- | --- |");
    for (const [name, value] of shown.slice(0, HEADER_LIMIT)) {
      lines.push(`| ${cell(name, 100)} | ${cell(String(value), HEADER_VALUE_LIMIT)} |`);
    }
    if (shown.length > HEADER_LIMIT) {
      lines.push("", `${formatCount(shown.length - HEADER_LIMIT)} more headers not shown.`);
    }
  }
  if (hidden > 0) {
    lines.push(
      "",
      `${hidden} credential header${hidden === 1 ? "" : "s"} (cookies, authorization) not shown.`,
    );
  }
  for (const [label, value] of [
    ["Query", request.query],
    ["Body", request.data],
  ] as const) {
    if (value === undefined || value === null || value === "") continue;
    const text = truncateText(
      stringify(value),
      PAYLOAD_BUDGET,
      (n) => `… truncated (${formatCount(n)} more characters)`,
    );
    lines.push("", `${label}:`, "", codeBlock(text));
  }
  return lines.length > 1 ? lines.join("\n") : undefined;
}

const BASIS_TEXT: Record<string, string> = {
  stacktrace: "the exception's type and the stack frames nearest the raise (not its message)",
  message: "the error's type and its message, with ids, numbers, times and such replaced",
  request: "the error's type and the failed request's method, route and status",
  client: "the fingerprint the reporting SDK sent",
  rule: "a fingerprint rule of `.github/faultline.yml`",
};

/** Why the bug's events are together, collapsed: the fingerprint's parts as they were hashed. */
function groupingSection(grouping: GroupingView): string {
  const basis = BASIS_TEXT[grouping.basis] ?? grouping.basis;
  const rule =
    grouping.rule !== undefined ? ` (rule ${grouping.rule} of \`grouping.fingerprints\`)` : "";
  return [
    "<details><summary>Why these events are one bug</summary>",
    "",
    `Grouped by ${basis}${rule}, grouping version ${grouping.version}:`,
    "",
    ...grouping.parts
      .slice(0, 20)
      .map((part) => `- ${inlineCode(clip(part, GROUPING_PART_LIMIT))}`),
    "",
    "</details>",
  ].join("\n");
}

/**
 * The suspect commit, collapsed like the grouping: its summary names commit, author and pull
 * request. The author is a link to their profile, not an @mention: nobody is pinged by the body
 * (escalation may assign them later).
 */
function suspectSection(suspect: SuspectView): string {
  const sha = /^[0-9a-f]{7,64}$/i.test(suspect.commit.oid) ? suspect.commit.oid.slice(0, 7) : "?";
  const login =
    suspect.commit.authorLogin && /^[A-Za-z0-9-]{1,39}(\[bot\])?$/.test(suspect.commit.authorLogin)
      ? suspect.commit.authorLogin
      : null;
  const who = login
    ? githubLink(escapeInline(login), `https://github.com/${login.replace(/\[bot\]$/, "")}`)
    : escapeInline(suspect.commit.authorName ?? "an unknown author");
  const pr = suspect.pullRequest;
  const prText = pr
    ? ` in ${githubLink(`#${pr.number}`, pr.url)} (${escapeInline(pr.title.slice(0, 200))})`
    : "";
  const where =
    suspect.revision === "HEAD"
      ? "on the default branch"
      : `at the release's commit ${inlineCode(suspect.revision.slice(0, 12))}`;
  return [
    `<details><summary>Suspect commit: ${escapeInline(sha)} by ${escapeInline(login ?? suspect.commit.authorName ?? "unknown")}${pr ? ` (#${pr.number})` : ""}</summary>`,
    "",
    `Line ${suspect.line} of ${inlineCode(clip(suspect.path, 300))} (the top frame of this app's own code) was last changed ${where} by ${who} in commit ${githubLink(inlineCode(sha), suspect.commit.url)}: ${escapeInline(suspect.commit.headline.slice(0, 200))}${prText}.`,
    "",
    "</details>",
  ].join("\n");
}

function safeUrl(url: string | undefined): string | undefined {
  if (!url || !/^https?:\/\//i.test(url)) return undefined;
  return url.replace(/[\s()<>]/g, (c) => encodeURIComponent(c));
}

function footer(bug: IssueBugView): string {
  const link = safeUrl(bug.appUrl);
  return [
    "---",
    "<details><summary>Commands</summary>",
    "",
    "Comment on this issue with:",
    "",
    "- `/faultline severity <critical|high|medium|low>`: change the severity",
    "- `/faultline ignore`: stop notifying about this bug (occurrences are still counted)",
    "- `/faultline resolve [in <release>]`: mark it resolved, optionally as fixed in a release",
    "- `/faultline merge B-003`: this is the same bug as B-003; occurrences move there",
    "",
    "</details>",
    "",
    `<sub>Opened by Faultline${link ? ` · [bug page](${link})` : ""}. Closing this issue resolves the bug; if the error comes back, it is reopened.</sub>`,
  ].join("\n");
}

/**
 * The issue body: hidden marker, summary, table, latest event (message, stack, request), why
 * its events are grouped, and a footer with the slash commands. Everything from the report is escaped or fenced; the whole
 * stays under GitHub's 65,536-character limit.
 */
export function renderIssueBody(bug: IssueBugView, latestEvent?: LatestEventView): string {
  const event = latestEvent ?? bug.latestEvent;
  const head = [issueMarker(bug), summaryLine(bug), summaryTable(bug)];
  const eventSections: string[] = [];
  if (event) {
    eventSections.push(latestSection(event));
    const stack = stackSection(event);
    if (stack) eventSections.push(stack);
    const request = event.request ? requestSection(event.request) : undefined;
    if (request) eventSections.push(request);
  }
  const tail = [
    ...(bug.suspect ? [suspectSection(bug.suspect)] : []),
    ...(bug.grouping ? [groupingSection(bug.grouping)] : []),
    footer(bug),
  ].join("\n\n");
  const join = (sections: string[]) => [...head, ...sections, tail].join("\n\n");
  let body = join(eventSections);
  // Only reachable with pathological input, as sections have budgets: drop whole sections from
  // the end (request, then stack…) rather than cut through a code fence.
  let dropped = 0;
  while (body.length > MAX_BODY_LENGTH && eventSections.length > 0) {
    eventSections.pop();
    dropped++;
    body = join([...eventSections, `_${dropped} section(s) left out to fit GitHub's size limit._`]);
  }
  return body.length <= MAX_BODY_LENGTH ? body : body.slice(0, MAX_BODY_LENGTH);
}
