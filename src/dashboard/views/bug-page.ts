import type { BugEvent, BugListItem } from "../../stats/index.js";
import { type SafeHtml, html, safeHttpUrl } from "../html.js";
import { issueLabel, statusLabel } from "./format.js";
import { accountHeader, layout } from "./layout.js";

const MESSAGE_CHARS = 300;

/** One bug: what it is, where its issue is, and its latest stored occurrences. */
export function bugPage(input: { login: string; bug: BugListItem; events: BugEvent[] }): string {
  const { bug } = input;
  const issueUrl = safeHttpUrl(bug.issueUrl);
  const back = `/dashboard?${new URLSearchParams({ repo: bug.repo })}`;
  const fact = (label: string, value: SafeHtml | string | number) =>
    html`<tr><th scope="row">${label}</th><td>${value}</td></tr>`;
  return layout({
    title: `${bug.ref} · ${bug.repo}`,
    header: accountHeader(input.login),
    body: html`<p><a href="${back}">← ${bug.repo}</a></p>
<h2 id="bug-title"><span class="nowrap">${bug.ref}</span> <span class="title">${bug.title}</span></h2>
<table id="bug-facts">
${fact("Severity", html`<span class="sev sev-${bug.severity}">${bug.severity}</span>`)}
${fact("Status", statusLabel(bug.status))}
${fact("Error type", bug.errorType)}
${fact("Culprit", bug.culprit ?? "–")}
${fact("Occurrences", bug.occurrenceCount)}
${fact("First seen (UTC)", utc(bug.firstSeen))}
${fact("Last seen (UTC)", utc(bug.lastSeen))}
${fact("Resolved (UTC)", bug.resolvedAt ? utc(bug.resolvedAt) : "–")}
${fact("Regressions", bug.regressionCount)}
${fact("GitHub issue", issueUrl ? html`<a href="${issueUrl}">${issueLabel(issueUrl)}</a>` : "none yet")}
</table>
<h2>Latest occurrences</h2>
${eventsTable(input.events)}`,
  });
}

function eventsTable(events: BugEvent[]): SafeHtml {
  if (events.length === 0) {
    return html`<p class="muted" id="events">No stored occurrences (retention may have removed them).</p>`;
  }
  const rows = events.map(
    (e) => html`<tr>
<td class="nowrap">${utc(e.receivedAt)}</td>
<td>${e.level}</td>
<td>${e.environment ?? "–"}</td>
<td>${e.service ?? "–"}</td>
<td>${e.release ?? "–"}</td>
<td class="title">${truncate(e.message)}${e.url ? html`<br><span class="muted">${e.method ?? ""} ${e.url}${e.statusCode ? ` → ${e.statusCode}` : ""}</span>` : html``}</td>
</tr>`,
  );
  return html`<table id="events">
<thead><tr><th scope="col">Received (UTC)</th><th scope="col">Level</th><th scope="col">Environment</th><th scope="col">Service</th><th scope="col">Release</th><th scope="col">Message</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

function utc(date: Date): string {
  return date.toISOString().slice(0, 19).replace("T", " ");
}

function truncate(text: string): string {
  return text.length > MESSAGE_CHARS ? `${text.slice(0, MESSAGE_CHARS)}…` : text;
}
