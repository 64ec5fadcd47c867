import { CATEGORIES, type Category } from "../../grouping/category.js";
import type { CountBy, RangedBug, StatsSummary } from "../../stats/index.js";
import { type SafeHtml, html, safeHttpUrl } from "../html.js";
import type { AccessibleProject } from "../project-access.js";
import { TIME_RANGES, type TimeRangeKey, rangeUnit } from "../time-range.js";
import { categoryLabel, issueLabel, statusLabel, utcMinutes } from "./format.js";
import { accountHeader, bugHref, layout, siteNav } from "./layout.js";
import { byDay, trendChart } from "./trend-chart.js";

export interface DashboardView {
  login: string;
  projects: readonly AccessibleProject[];
  /** undefined = all of the user's repositories. */
  selected: AccessibleProject | undefined;
  range: TimeRangeKey;
  /** Only bugs of this category; undefined = all. */
  category: Category | undefined;
  summary: StatsSummary;
  /** Rows shown in each bug list. */
  listLength: number;
}

export function dashboardPage(view: DashboardView): string {
  const { summary } = view;
  const scope = view.selected ? view.selected.fullName : "all your repositories";
  const showRepo = view.selected === undefined && view.projects.length > 1;
  const unit = rangeUnit(view.range);
  const points = summary.errorRate.map((p) => ({ start: p.hour, count: p.count }));
  const chart = unit === "day" ? byDay(points) : points;
  const what = view.category ? `${categoryLabel(view.category)} errors` : "Errors";
  const listQuery = new URLSearchParams();
  if (view.selected) listQuery.set("repo", view.selected.fullName);
  if (view.category) listQuery.set("category", view.category);
  return layout({
    title: view.selected ? view.selected.fullName : "Dashboard",
    header: accountHeader(view.login),
    nav: siteNav(view.selected?.fullName),
    body: html`${filters(view)}
${
  view.projects.length === 0
    ? html`<div class="notice"><p>None of the repositories you can read on GitHub reports errors to
Faultline yet. Install the App on a repository and send a report, then sign in again.</p></div>`
    : html``
}
${totals(summary)}
<h2 id="trend">${what} per ${unit}</h2>
${trendChart(chart, `${what} per ${unit} in ${scope}, last ${view.range}`, unit)}
<h2 id="top-bugs-heading">Top bugs</h2>
${bugTable("top-bugs", summary.topBugs.slice(0, view.listLength), showRepo, "No errors in this range.")}
<p><a href="/dashboard/bugs${listQuery.size > 0 ? `?${listQuery}` : ""}" id="all-bugs">All bugs, with filters and search →</a></p>
<div class="grid2">
<section><h2>By severity</h2>${severityTable(summary.bySeverity)}</section>
<section><h2>By status</h2>${statusTable(summary.byStatus)}</section>
<section><h2>By category</h2>${categoryTable(summary.byCategory, view)}</section>
</div>
<h2>New bugs</h2>
${bugTable("new-bugs", summary.newBugs.slice(0, view.listLength), showRepo, "No new bugs in this range.")}
<h2>Regressions</h2>
${bugTable("regressions", summary.regressions.slice(0, view.listLength), showRepo, "No regressions in this range.")}
<p class="muted">Range ${summary.from.toISOString()} – ${summary.to.toISOString()} (whole UTC ${unit}s).</p>`,
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
<label>Category <select name="category" id="category">
<option value="">All categories</option>
${CATEGORIES.map((c) => html`<option value="${c}"${c === view.category ? html` selected` : html``}>${categoryLabel(c)}</option>`)}
</select></label>
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
  // Columns marked "wide" are left out on narrow screens (layout.ts): the title keeps its room.
  const rows = bugs.map((bug) => {
    const issueUrl = safeHttpUrl(bug.issueUrl);
    return html`<tr>
<td class="nowrap"><a href="${bugHref(bug.repo, bug.ref)}">${bug.ref}</a></td>
${showRepo ? html`<td class="wide">${bug.repo}</td>` : html``}
<td class="title">${bug.title}${bug.culprit ? html`<br><span class="muted">${bug.culprit}</span>` : html``}</td>
<td><span class="sev sev-${bug.severity}">${bug.severity}</span></td>
<td class="wide">${statusLabel(bug.status)}${bug.regressionCount > 0 ? html` <span class="muted">(regressed ${bug.regressionCount}×)</span>` : html``}</td>
<td class="num">${bug.countInRange}</td>
<td class="num wide">${bug.occurrenceCount}</td>
<td class="nowrap wide">${utcMinutes(bug.lastSeen)}</td>
<td class="wide">${issueUrl ? html`<a href="${issueUrl}">${issueLabel(issueUrl)}</a>` : html`<span class="muted">none yet</span>`}</td>
</tr>`;
  });
  return html`<div class="scroll"><table id="${id}">
<thead><tr><th scope="col">Bug</th>${showRepo ? html`<th scope="col" class="wide">Repository</th>` : html``}<th scope="col">Title</th><th scope="col">Severity</th><th scope="col" class="wide">Status</th><th scope="col" class="num">In range</th><th scope="col" class="num wide">All time</th><th scope="col" class="wide">Last seen (UTC)</th><th scope="col" class="wide">Issue</th></tr></thead>
<tbody>${rows}</tbody>
</table></div>`;
}

/** Categories of the bugs seen in range; each links to the list of those bugs. */
function categoryTable(rows: readonly CountBy[], view: DashboardView): SafeHtml {
  if (rows.length === 0)
    return html`<p class="muted" id="by-category">No errors in this range.</p>`;
  const max = Math.max(1, ...rows.map((r) => r.count));
  const link = (category: string) => {
    const query = new URLSearchParams({ category });
    if (view.selected) query.set("repo", view.selected.fullName);
    return `/dashboard/bugs?${query}`;
  };
  return html`<table id="by-category">
<thead><tr><th scope="col">Category</th><th scope="col" class="num">Errors</th><th scope="col" class="num">Bugs</th><th scope="col"><span class="muted">share</span></th></tr></thead>
<tbody>${rows.map(
    (r) =>
      html`<tr><td><a href="${link(r.key)}">${categoryLabel(r.key)}</a></td><td class="num">${r.count}</td><td class="num">${r.bugs}</td><td>${meter(r.count, max)}</td></tr>`,
  )}</tbody></table>`;
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
