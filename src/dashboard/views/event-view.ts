import type { StackFrame } from "../../grouping/error-event.js";
import type { EventDetail } from "../../stats/index.js";
import { type SafeHtml, html, safeHttpUrl } from "../html.js";
import { utc } from "./format.js";

/**
 * One stored event in full, as sections of the bug page: what was raised (and from what), where
 * (the stack, the application's frames marked and the rest folded), the request, tags,
 * contexts, breadcrumbs and the rest of its context. Everything from the report is escaped by
 * `html`; folding uses <details>, so the page needs no script.
 */

/** Headers never shown, even though events are scrubbed before they are stored. */
const HIDDEN_HEADERS =
  /^(cookie|set-cookie|authorization|proxy-authorization|x-api-key|x-auth-token|x-csrf-token|x-xsrf-token|x-faultline-key|x-sentry-auth)$/i;
const MESSAGE_CHARS = 4_000;
const VALUE_CHARS = 2_000;
const JSON_CHARS = 8_000;

function clip(text: string, limit: number): string {
  return text.length > limit
    ? `${text.slice(0, limit)}… (${text.length - limit} more characters)`
    : text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** A value for a table cell: text as is, anything else as compact JSON. */
function valueText(value: unknown): string {
  if (typeof value === "string") return clip(value, VALUE_CHARS);
  if (value === null || value === undefined) return "–";
  try {
    return clip(JSON.stringify(value) ?? String(value), VALUE_CHARS);
  } catch {
    return String(value);
  }
}

function prettyJson(value: unknown): string {
  try {
    return clip(JSON.stringify(value, null, 2) ?? String(value), JSON_CHARS);
  } catch {
    return String(value);
  }
}

function fact(label: string, value: SafeHtml | string | number | null | undefined) {
  return html`<tr><th scope="row">${label}</th><td>${value === null || value === undefined || value === "" ? "–" : value}</td></tr>`;
}

/** The summary facts of an event: when, where, who. */
export function eventFacts(event: EventDetail): SafeHtml {
  const location =
    event.request?.url || event.request?.method
      ? html`${event.request.method ?? ""} ${event.request.url ?? ""}${event.request.statusCode ? html` → <strong>${event.request.statusCode}</strong>` : html``}`
      : null;
  return html`<table class="facts" id="event-facts">
${fact("Received (UTC)", utc(event.receivedAt))}
${fact("Occurred (UTC)", utc(event.occurredAt))}
${fact("Level", event.level)}
${fact("Release", event.release)}
${fact("Environment", event.environment)}
${fact("Service", event.service)}
${fact("User", event.userId)}
${fact("Request", location)}
${fact("Event id", html`<code>${event.eventId}</code>`)}
${fact("Reported by", event.source)}
</table>`;
}

/** The exception and the chain it was raised from. */
export function exceptionSection(event: EventDetail): SafeHtml {
  const { exception } = event;
  const chain = exception.causes.map(
    (c) =>
      html`<li><strong>${c.type}</strong>${c.message ? html`: ${clip(c.message, MESSAGE_CHARS)}` : html``}</li>`,
  );
  return html`<section id="exception"><h3>Exception</h3>
<pre class="message"><strong>${exception.type}</strong>${exception.message ? `: ${clip(exception.message, MESSAGE_CHARS)}` : ""}</pre>
${chain.length > 0 ? html`<p class="muted">raised from (nearest first):</p><ol class="chain">${chain}</ol>` : html``}
</section>`;
}

function frameLine(frame: StackFrame): string {
  const where = frame.filename ?? frame.absPath ?? frame.module ?? "?";
  const line =
    frame.lineno !== undefined
      ? `:${frame.lineno}${frame.colno !== undefined ? `:${frame.colno}` : ""}`
      : "";
  return `${where}${line}`;
}

function frameItem(frame: StackFrame & { inApp: boolean }): SafeHtml {
  return html`<li class="${frame.inApp ? "app" : "lib"}">${frame.inApp ? html`<span aria-label="application frame">→ </span>` : html``}<code>${frame.function ?? "?"}</code> <span class="muted">in</span> <code>${frameLine(frame)}</code>${frame.module && frame.filename ? html` <span class="muted">(${frame.module})</span>` : html``}${frame.contextLine ? html`<pre>${frame.contextLine.trim()}</pre>` : html``}</li>`;
}

/**
 * The stack, the raising frame first (as runtimes print it): the application's frames shown and
 * marked, each run of library and runtime frames folded into one <details>.
 */
export function stackSection(event: EventDetail): SafeHtml {
  if (event.frames.length === 0) {
    if (!event.rawStacktrace?.trim()) return html``;
    return html`<section id="stack"><h3>Stack trace</h3><pre>${clip(event.rawStacktrace, 64_000)}</pre></section>`;
  }
  const frames = [...event.frames].reverse();
  const items: SafeHtml[] = [];
  const anyApp = frames.some((f) => f.inApp);
  for (let i = 0; i < frames.length; ) {
    const frame = frames[i] as StackFrame & { inApp: boolean };
    // Without any application frame there is nothing to fold around: show them all.
    if (frame.inApp || !anyApp) {
      items.push(frameItem(frame));
      i++;
      continue;
    }
    let end = i;
    while (end < frames.length && !(frames[end] as { inApp: boolean }).inApp) end++;
    const run = frames.slice(i, end);
    items.push(
      html`<li class="lib-run"><details><summary>${run.length} library frame${run.length === 1 ? "" : "s"}</summary><ol class="frames">${run.map(frameItem)}</ol></details></li>`,
    );
    i = end;
  }
  return html`<section id="stack"><h3>Stack trace</h3>
<p class="muted">The raising frame first; → marks the application's own frames.</p>
<ol class="frames">${items}</ol></section>`;
}

function keyValueTable(id: string, entries: [string, unknown][]): SafeHtml {
  return html`<table id="${id}" class="facts"><tbody>${entries.map(
    ([k, v]) => html`<tr><th scope="row">${k}</th><td><code>${valueText(v)}</code></td></tr>`,
  )}</tbody></table>`;
}

export function requestSection(event: EventDetail): SafeHtml {
  const request = event.request;
  if (!request) return html``;
  const headers = Object.entries(request.headers);
  const shown = headers.filter(([name]) => !HIDDEN_HEADERS.test(name));
  const hidden = headers.length - shown.length;
  const link = safeHttpUrl(request.url);
  const payload = (label: string, value: unknown) =>
    value === null ||
    value === undefined ||
    value === "" ||
    (isRecord(value) && Object.keys(value).length === 0)
      ? html``
      : html`<h4>${label}</h4><pre>${typeof value === "string" ? clip(value, JSON_CHARS) : prettyJson(value)}</pre>`;
  return html`<section id="request"><h3>Request</h3>
<table class="facts">
${fact("Method", request.method)}
${fact("URL", request.url ? (link ? html`<a href="${link}" rel="noreferrer nofollow">${request.url}</a>` : request.url) : null)}
${fact("Route", event.urlPattern)}
${fact("Status", request.statusCode)}
</table>
${shown.length > 0 ? html`<h4>Headers</h4>${keyValueTable("request-headers", shown)}` : html``}
${hidden > 0 ? html`<p class="muted">${hidden} credential header${hidden === 1 ? "" : "s"} (cookies, authorization) not shown.</p>` : html``}
${payload("Query", request.query)}
${payload("Body", request.data)}
</section>`;
}

export function tagsSection(event: EventDetail): SafeHtml {
  const entries = Object.entries(event.tags);
  if (entries.length === 0) return html``;
  return html`<section id="tags"><h3>Tags</h3>${keyValueTable("tag-table", entries)}</section>`;
}

export function contextsSection(event: EventDetail): SafeHtml {
  const contexts = Object.entries(event.contexts).filter(([, v]) => isRecord(v));
  if (contexts.length === 0) return html``;
  return html`<section id="contexts"><h3>Contexts</h3>${contexts.map(
    ([name, value]) =>
      html`<h4>${name}</h4>${keyValueTable(`context-${name.replace(/[^\w-]/g, "_")}`, Object.entries(value as Record<string, unknown>))}`,
  )}</section>`;
}

/** A breadcrumb's time: Sentry sends epoch seconds or ISO text. */
function crumbTime(value: unknown): string {
  if (typeof value === "number" && Number.isFinite(value)) {
    const date = new Date(value * 1000);
    return Number.isNaN(date.getTime()) ? String(value) : utc(date);
  }
  if (typeof value === "string") {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? value : utc(date);
  }
  return "–";
}

export function breadcrumbsSection(event: EventDetail): SafeHtml {
  if (event.breadcrumbs.length === 0) return html``;
  const rows = event.breadcrumbs.map((b) => {
    const text = typeof b.message === "string" ? b.message : "";
    const data = isRecord(b.data) && Object.keys(b.data).length > 0 ? valueText(b.data) : "";
    return html`<tr>
<td class="nowrap wide">${crumbTime(b.timestamp)}</td>
<td>${valueText(b.category ?? b.type ?? "")}</td>
<td class="wide">${valueText(b.level ?? "")}</td>
<td class="title">${clip(text, VALUE_CHARS)}${data ? html`<br><code class="muted">${data}</code>` : html``}</td>
</tr>`;
  });
  return html`<section id="breadcrumbs"><h3>Breadcrumbs</h3>
<p class="muted">What happened before the error, oldest first.</p>
<div class="scroll"><table id="breadcrumb-table">
<thead><tr><th scope="col" class="wide">Time (UTC)</th><th scope="col">Category</th><th scope="col" class="wide">Level</th><th scope="col">Message</th></tr></thead>
<tbody>${rows}</tbody></table></div></section>`;
}

export function contextSection(event: EventDetail): SafeHtml {
  if (Object.keys(event.context).length === 0) return html``;
  return html`<section id="context"><h3>More context</h3><pre>${prettyJson(event.context)}</pre></section>`;
}

/** Every section of one event, in reading order. */
export function eventSections(event: EventDetail): SafeHtml {
  return html`${eventFacts(event)}
${exceptionSection(event)}
${stackSection(event)}
${requestSection(event)}
${tagsSection(event)}
${contextsSection(event)}
${breadcrumbsSection(event)}
${contextSection(event)}`;
}
