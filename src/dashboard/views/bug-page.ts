import type { BugEvent, BugGithubLinks, BugListItem } from "../../stats/index.js";
import { type SafeHtml, html, safeHttpUrl } from "../html.js";
import { issueLabel, statusLabel } from "./format.js";
import { accountHeader, layout } from "./layout.js";

const MESSAGE_CHARS = 300;

/** One bug: what it is, where its issue is, and its latest stored occurrences. */
export function bugPage(input: {
  login: string;
  bug: BugListItem;
  events: BugEvent[];
  github?: BugGithubLinks;
}): string {
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
${input.github ? githubSection(input.github) : html``}
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

/** Pull requests that fix the bug, how it was resolved, and the suspect commit. */
function githubSection(github: BugGithubLinks): SafeHtml {
  const prs = github.pullRequests.map((pr) => {
    const url = safeHttpUrl(pr.url);
    const label = `#${pr.number}`;
    return html`<li>${url ? html`<a href="${url}">${label}</a>` : label} ${pr.title} <span class="muted">(${pr.state}${pr.mergeCommitSha ? `, ${pr.mergeCommitSha.slice(0, 7)}` : ""})</span></li>`;
  });
  const resolution = github.resolution;
  const resolvedBy = resolution
    ? html`<p id="resolution">Resolved${resolution.commit ? ` by commit ${resolution.commit.slice(0, 7)}` : ""}${resolution.mode === "next_release" ? " in the next release" : resolution.mode === "in_release" && resolution.release ? ` in ${resolution.release}` : ""}.</p>`
    : html``;
  const s = github.suspect;
  const suspectUrl = s ? safeHttpUrl(s.commit.url) : undefined;
  const suspect = s
    ? html`<p id="suspect">Suspect commit: ${suspectUrl ? html`<a href="${suspectUrl}">${s.commit.oid.slice(0, 7)}</a>` : s.commit.oid.slice(0, 7)} ${s.commit.headline} <span class="muted">by ${s.commit.authorLogin ?? s.commit.authorName ?? "unknown"}, ${s.path}:${s.line}</span></p>`
    : html``;
  return html`<h2>Pull requests</h2>
${prs.length > 0 ? html`<ul id="pull-requests">${prs}</ul>` : html`<p class="muted" id="pull-requests">No pull request says it fixes this bug yet.</p>`}
${resolvedBy}${suspect}`;
}
