import type { BugDetail, BugEvent, BugGithubLinks, EventDetail, Page } from "../../stats/index.js";
import { type SafeHtml, html, safeHttpUrl } from "../html.js";
import { TIME_RANGES, type TimeRangeKey } from "../time-range.js";
import { eventSections } from "./event-view.js";
import { categoryLabel, issueLabel, statusLabel, utc, utcMinutes } from "./format.js";
import { accountHeader, bugHref, layout, siteNav } from "./layout.js";
import { trendChart } from "./trend-chart.js";

const MESSAGE_CHARS = 200;

const BASIS_TEXT: Record<string, string> = {
  stacktrace: "the exception's type and the stack frames nearest the raise (not its message)",
  message: "the error's type and its message, with ids, numbers, times and such replaced",
  request: "the error's type and the failed request's method, route and status",
  client: "the fingerprint the reporting SDK sent",
  rule: "a fingerprint rule of .github/faultline.yml",
};

export interface BugPageView {
  login: string;
  bug: BugDetail;
  range: TimeRangeKey;
  /** The event shown in full: the latest, or the one asked for. */
  event: EventDetail | null;
  /** True when `event` is the latest one (no `event` parameter). */
  latest: boolean;
  /** A page of the bug's stored events, newest first. */
  events: Page<BugEvent>;
  /** The cursor of the page of events shown (absent = the newest page). */
  eventsCursor: string | undefined;
  /** Pull requests that fix it, how it was resolved, its suspect commit (#23). */
  github?: BugGithubLinks;
}

/**
 * One bug: what it is, where its issue is, its own occurrences, why its events are one bug, one
 * event in full (the latest by default; newer and older ones one click away) and its stored
 * events, a page at a time. Plain links and forms only: no script.
 */
export function bugPage(view: BugPageView): string {
  const { bug } = view;
  const issueUrl = safeHttpUrl(bug.issueUrl);
  const fact = (label: string, value: SafeHtml | string | number | null) =>
    html`<tr><th scope="row">${label}</th><td>${value ?? "–"}</td></tr>`;
  return layout({
    title: `${bug.ref} · ${bug.repo}`,
    header: accountHeader(view.login),
    nav: siteNav(bug.repo),
    body: html`<p class="pager"><a href="${`/dashboard?${new URLSearchParams({ repo: bug.repo })}`}">← ${bug.repo}</a><a href="${`/dashboard/bugs?${new URLSearchParams({ repo: bug.repo })}`}">All bugs of ${bug.repo}</a></p>
<h2 id="bug-title"><span class="nowrap">${bug.ref}</span> <span class="title">${bug.title}</span></h2>
<p><span class="sev sev-${bug.severity}">${bug.severity}</span> <span class="cat" id="bug-category">${categoryLabel(bug.category)}</span> <span class="muted">${statusLabel(bug.status)} · ${bug.occurrenceCount} occurrence${bug.occurrenceCount === 1 ? "" : "s"}</span></p>
<div class="scroll"><table id="bug-facts" class="facts">
${fact("Severity", html`<span class="sev sev-${bug.severity}">${bug.severity}</span>`)}
${fact("Category", html`${categoryLabel(bug.category)}${bug.categoryReason ? html` <span class="muted">(${bug.categoryReason})</span>` : html``}`)}
${fact("Status", statusLabel(bug.status))}
${fact("Error type", bug.errorType)}
${fact("Culprit", bug.culprit)}
${fact("Occurrences", bug.occurrenceCount)}
${fact("First seen (UTC)", utc(bug.firstSeen))}
${fact("Last seen (UTC)", utc(bug.lastSeen))}
${fact("First release", bug.firstRelease)}
${fact("Last release", bug.lastRelease)}
${fact("Resolved (UTC)", bug.resolvedAt ? utc(bug.resolvedAt) : null)}
${fact("Regressions", bug.regressionCount)}
${fact("GitHub issue", issueUrl ? html`<a href="${issueUrl}">${issueLabel(issueUrl)}</a>` : "none yet")}
</table></div>
${view.github ? githubSection(view.github) : html``}
${occurrencesSection(view)}
${releasesSection(bug)}
${groupingSection(bug)}
${eventSection(view)}
${eventsSection(view)}`,
  });
}

function occurrencesSection(view: BugPageView): SafeHtml {
  const { bug } = view;
  const { occurrences } = bug;
  const unit = occurrences.interval;
  const ranges = Object.keys(TIME_RANGES).map((key) =>
    key === view.range
      ? html`<a aria-current="page" href="${bugHref(bug.repo, bug.ref, { range: key })}">${key}</a>`
      : html`<a href="${bugHref(bug.repo, bug.ref, { range: key })}">${key}</a>`,
  );
  return html`<h2 id="occurrences">Occurrences per ${unit}</h2>
<p class="ranges" aria-label="Range">Last ${ranges}</p>
${trendChart(occurrences.points, `Occurrences of ${bug.ref} per ${unit}, last ${view.range}`, unit, "bug-trend")}`;
}

function releasesSection(bug: BugDetail): SafeHtml {
  if (bug.releases.length === 0) return html``;
  return html`<h2>Releases</h2>
<div class="scroll"><table id="releases">
<thead><tr><th scope="col">Release</th><th scope="col" class="num">Occurrences</th><th scope="col" class="wide">First seen (UTC)</th><th scope="col">Last seen (UTC)</th></tr></thead>
<tbody>${bug.releases.map(
    (r) =>
      html`<tr><td class="title"><code>${r.release}</code></td><td class="num">${r.count}</td><td class="nowrap wide">${utcMinutes(r.firstSeen)}</td><td class="nowrap">${utcMinutes(r.lastSeen)}</td></tr>`,
  )}</tbody></table></div>`;
}

function groupingSection(bug: BugDetail): SafeHtml {
  const grouping = bug.grouping;
  if (!grouping) return html``;
  const rule =
    grouping.rule !== undefined ? ` (rule ${grouping.rule} of grouping.fingerprints)` : "";
  return html`<details id="grouping"><summary>Why these events are one bug</summary>
<p>Grouped by ${BASIS_TEXT[grouping.basis] ?? grouping.basis}${rule}, grouping version ${grouping.version}:</p>
<ul>${grouping.parts.map((part) => html`<li><code>${part}</code></li>`)}</ul>
</details>`;
}

function eventSection(view: BugPageView): SafeHtml {
  const { bug, event } = view;
  if (!event) {
    return html`<h2 id="event">Latest event</h2>
<p class="muted">No stored event (retention or sampling may have removed them); the counts above still hold every occurrence.</p>`;
  }
  const link = (id: number) => bugHref(bug.repo, bug.ref, { event: id, range: view.range });
  const nav = html`<p class="pager" id="event-nav">${
    event.newerId !== null
      ? html`<a href="${link(event.newerId)}" rel="prev">← Newer event</a>`
      : html`<span class="muted">← Newer event</span>`
  }${
    event.olderId !== null
      ? html`<a href="${link(event.olderId)}" rel="next">Older event →</a>`
      : html`<span class="muted">Older event →</span>`
  }${view.latest ? html`` : html`<a href="${bugHref(bug.repo, bug.ref, { range: view.range })}">Latest event</a>`}</p>`;
  return html`<h2 id="event">${view.latest ? "Latest event" : `Event of ${utc(event.receivedAt)} (UTC)`}</h2>
${nav}
${eventSections(event)}`;
}

function eventsSection(view: BugPageView): SafeHtml {
  const { bug, events } = view;
  if (events.items.length === 0) {
    return html`<h2>Stored events</h2><p class="muted" id="events">No stored events.</p>`;
  }
  const rows = events.items.map((e) => {
    const current = view.event?.id === e.id;
    return html`<tr${current ? html` aria-current="true"` : html``}>
<td class="nowrap"><a href="${bugHref(bug.repo, bug.ref, { event: e.id, range: view.range })}">${utc(e.receivedAt)}</a></td>
<td class="wide">${e.environment ?? "–"}</td>
<td class="wide">${e.release ?? "–"}</td>
<td class="title">${truncate(e.message)}${e.url ? html`<br><span class="muted">${e.method ?? ""} ${e.url}${e.statusCode ? ` → ${e.statusCode}` : ""}</span>` : html``}</td>
</tr>`;
  });
  const first = view.eventsCursor
    ? html`<a href="${bugHref(bug.repo, bug.ref, { range: view.range })}#events">Newest events</a>`
    : html``;
  const next = events.nextCursor
    ? html`<a href="${bugHref(bug.repo, bug.ref, { range: view.range, events: events.nextCursor })}#events" rel="next">Older events →</a>`
    : html``;
  return html`<h2>Stored events</h2>
<div class="scroll"><table id="events">
<thead><tr><th scope="col">Received (UTC)</th><th scope="col" class="wide">Environment</th><th scope="col" class="wide">Release</th><th scope="col">Message</th></tr></thead>
<tbody>${rows}</tbody></table></div>
<p class="pager">${first}${next}</p>`;
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
