import type { CountBy, RangedBug, StatsSummary } from "../../stats/index.js";
import { type SafeHtml, html, safeHttpUrl } from "../html.js";
import type { AccessibleProject } from "../project-access.js";
import { TIME_RANGES, type TimeRangeKey } from "../time-range.js";
import { issueLabel, statusLabel } from "./format.js";
import { accountHeader, bugHref, layout } from "./layout.js";
import { trendChart } from "./trend-chart.js";

export interface DashboardView {
  login: string;
  projects: readonly AccessibleProject[];
  /** undefined = all of the user's repositories. */
  selected: AccessibleProject | undefined;
  range: TimeRangeKey;
  summary: StatsSummary;
  /** Rows shown in each bug list. */
  listLength: number;
}

export function dashboardPage(view: DashboardView): string {
  const { summary } = view;
  const scope = view.selected ? view.selected.fullName : "all your repositories";
  const showRepo = view.selected === undefined && view.projects.length > 1;
  return layout({
    title: view.selected ? view.selected.fullName : "Dashboard",
    header: accountHeader(view.login),
    body: html`${filters(view)}
${
  view.projects.length === 0
    ? html`<div class="notice"><p>None of the repositories you can read on GitHub reports errors to
Faultline yet. Install the App on a repository and send a report, then sign in again.</p></div>`
    : html``
}
${totals(summary)}
<h2 id="trend">Errors per hour</h2>
${trendChart(summary.errorRate, `Errors per hour in ${scope}, last ${view.range}`)}
<h2 id="top-bugs-heading">Top bugs</h2>
${bugTable("top-bugs", summary.topBugs.slice(0, view.listLength), showRepo, "No errors in this range.")}
<div class="grid2">
<section><h2>By severity</h2>${severityTable(summary.bySeverity)}</section>
<section><h2>By status</h2>${statusTable(summary.byStatus)}</section>
</div>
<h2>New bugs</h2>
${bugTable("new-bugs", summary.newBugs.slice(0, view.listLength), showRepo, "No new bugs in this range.")}
<h2>Regressions</h2>
${bugTable("regressions", summary.regressions.slice(0, view.listLength), showRepo, "No regressions in this range.")}
<p class="muted">Range ${summary.from.toISOString()} – ${summary.to.toISOString()} (UTC hours).</p>`,
  });
}

function filters(view: DashboardView): SafeHtml {
  const repoOptions = view.projects.map(
    (p) =>
      html`<option value="${p.fullName}"${view.selected?.id === p.id ? html` selected` : html``}>${p.fullName}</option>`,
  );
  const rangeOptions = Object.keys(TIME_RANGES).map(
    (key) =>
      html`<option value="${key}"${key === view.range ? html` selected` : html``}>Last ${key}</option>`,
  );
  return html`<form class="filters" method="get" action="/dashboard">
<label>Repository <select name="repo" id="repo">
<option value="">All repositories (${view.projects.length})</option>
${repoOptions}
</select></label>
<label>Time range <select name="range" id="range">${rangeOptions}</select></label>
<button type="submit">Show</button>
</form>`;
}

function totals(summary: StatsSummary): SafeHtml {
  const t = summary.totals;
  const item = (value: number | string, label: string) =>
    html`<li><strong>${value}</strong><span>${label}</span></li>`;
  return html`<ul class="totals" aria-label="Totals">
${item(t.occurrences, "errors")}
${item(t.activeBugs, "bugs seen")}
${item(t.newBugs, "new bugs")}
${item(t.regressions, "regressions")}
${item(t.resolved, "resolved")}
${item(t.unresolvedNow, "unresolved now")}
${item(t.affectedUsers, "users affected")}
${item(formatDuration(summary.meanTimeToResolutionMs), "mean time to resolve")}
</ul>`;
}

function bugTable(id: string, bugs: readonly RangedBug[], showRepo: boolean, empty: string) {
  if (bugs.length === 0) return html`<p class="muted" id="${id}">${empty}</p>`;
  const rows = bugs.map((bug) => {
    const issueUrl = safeHttpUrl(bug.issueUrl);
    return html`<tr>
<td class="nowrap"><a href="${bugHref(bug.repo, bug.ref)}">${bug.ref}</a></td>
${showRepo ? html`<td>${bug.repo}</td>` : html``}
<td class="title">${bug.title}${bug.culprit ? html`<br><span class="muted">${bug.culprit}</span>` : html``}</td>
<td><span class="sev sev-${bug.severity}">${bug.severity}</span></td>
<td>${statusLabel(bug.status)}${bug.regressionCount > 0 ? html` <span class="muted">(regressed ${bug.regressionCount}×)</span>` : html``}</td>
<td class="num">${bug.countInRange}</td>
<td class="num">${bug.occurrenceCount}</td>
<td class="nowrap">${bug.lastSeen.toISOString().slice(0, 16).replace("T", " ")}</td>
<td>${issueUrl ? html`<a href="${issueUrl}">${issueLabel(issueUrl)}</a>` : html`<span class="muted">none yet</span>`}</td>
</tr>`;
  });
  return html`<table id="${id}">
<thead><tr><th scope="col">Bug</th>${showRepo ? html`<th scope="col">Repository</th>` : html``}<th scope="col">Title</th><th scope="col">Severity</th><th scope="col">Status</th><th scope="col" class="num">In range</th><th scope="col" class="num">All time</th><th scope="col">Last seen (UTC)</th><th scope="col">Issue</th></tr></thead>
<tbody>${rows}</tbody>
</table>`;
}

function severityTable(rows: readonly CountBy[]): SafeHtml {
  const max = Math.max(1, ...rows.map((r) => r.count));
  return html`<table id="by-severity">
<thead><tr><th scope="col">Severity</th><th scope="col" class="num">Errors</th><th scope="col" class="num">Bugs</th><th scope="col"><span class="muted">share</span></th></tr></thead>
<tbody>${rows.map(
    (r) =>
      html`<tr><td><span class="sev sev-${r.key}">${r.key}</span></td><td class="num">${r.count}</td><td class="num">${r.bugs}</td><td>${meter(r.count, max)}</td></tr>`,
  )}</tbody></table>`;
}

/** Statuses (current) of the bugs seen in range, with their occurrences in range. */
function statusTable(rows: readonly CountBy[]): SafeHtml {
  const max = Math.max(1, ...rows.map((r) => r.count));
  return html`<table id="by-status">
<thead><tr><th scope="col">Status</th><th scope="col" class="num">Errors</th><th scope="col" class="num">Bugs</th><th scope="col"><span class="muted">share</span></th></tr></thead>
<tbody>${rows.map(
    (r) =>
      html`<tr><td>${statusLabel(r.key)}</td><td class="num">${r.count}</td><td class="num">${r.bugs}</td><td>${meter(r.count, max)}</td></tr>`,
  )}</tbody></table>`;
}

function meter(value: number, max: number): SafeHtml {
  const width = Math.round((value / max) * 100);
  return html`<span class="meter" style="width:${width}px" aria-hidden="true"></span>`;
}

function formatDuration(ms: number | null): string {
  if (ms === null) return "–";
  const hours = ms / 3_600_000;
  if (hours < 1) return `${Math.max(1, Math.round(ms / 60_000))} min`;
  if (hours < 48) return `${hours.toFixed(1)} h`;
  return `${(hours / 24).toFixed(1)} d`;
}
