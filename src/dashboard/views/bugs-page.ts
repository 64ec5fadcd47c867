import { CATEGORIES } from "../../grouping/category.js";
import type { BugListItem, ListBugsQuery, Page } from "../../stats/index.js";
import { type SafeHtml, html, safeHttpUrl } from "../html.js";
import type { AccessibleProject } from "../project-access.js";
import { categoryLabel, issueLabel, statusLabel, utcMinutes } from "./format.js";
import { accountHeader, bugHref, layout, siteNav } from "./layout.js";

export const STATUSES = ["open", "in_progress", "resolved", "wontfix", "ignored"] as const;
export const SEVERITIES = ["critical", "high", "medium", "low"] as const;

/** The list's filters as they came in the URL (text fields as typed). */
export type BugFilters = Pick<
  ListBugsQuery,
  "status" | "severity" | "category" | "service" | "environment" | "release" | "q"
>;

export interface BugsPageView {
  login: string;
  projects: readonly AccessibleProject[];
  /** undefined = all of the user's repositories. */
  selected: AccessibleProject | undefined;
  filters: BugFilters;
  page: Page<BugListItem>;
  /** The cursor of this page (absent = the first page). */
  cursor: string | undefined;
}

/** The query string of the list with these filters (and a page cursor). */
export function bugsQuery(
  repo: string | undefined,
  filters: BugFilters,
  cursor?: string,
): URLSearchParams {
  const params = new URLSearchParams();
  if (repo) params.set("repo", repo);
  for (const key of [
    "q",
    "status",
    "severity",
    "category",
    "service",
    "environment",
    "release",
  ] as const) {
    const value = filters[key];
    if (value !== undefined && value !== "") params.set(key, value);
  }
  if (cursor) params.set("cursor", cursor);
  return params;
}

/**
 * Every bug, newest first, a page at a time (keyset: pages never skip or repeat while new bugs
 * arrive), filtered by status, severity, category, service, environment and release, and
 * searched by title, type, culprit or ref. A GET form: the URL is the state, no script.
 */
export function bugsPage(view: BugsPageView): string {
  const showRepo = view.selected === undefined && view.projects.length > 1;
  const repo = view.selected?.fullName;
  const filtered = Object.values(view.filters).some((v) => v !== undefined && v !== "");
  const next = view.page.nextCursor
    ? html`<a href="${`/dashboard/bugs?${bugsQuery(repo, view.filters, view.page.nextCursor)}`}" rel="next" id="next-page">Next page →</a>`
    : html``;
  const first = view.cursor
    ? html`<a href="${`/dashboard/bugs?${bugsQuery(repo, view.filters)}`}" id="first-page">← First page</a>`
    : html``;
  return layout({
    title: repo ? `Bugs · ${repo}` : "Bugs",
    header: accountHeader(view.login),
    nav: siteNav(repo),
    body: html`<h2>Bugs${repo ? html` of ${repo}` : html``}</h2>
${filterForm(view)}
${
  view.page.items.length === 0
    ? html`<p class="muted" id="bugs">${filtered ? "No bug matches these filters." : "No bugs yet."}</p>`
    : bugTable(view.page.items, showRepo)
}
<p class="pager">${first}${next}</p>`,
  });
}

function select(
  name: string,
  label: string,
  values: readonly string[],
  current: string | undefined,
  text: (value: string) => string,
): SafeHtml {
  return html`<label>${label} <select name="${name}" id="filter-${name}">
<option value="">Any</option>
${values.map((v) => html`<option value="${v}"${v === current ? html` selected` : html``}>${text(v)}</option>`)}
</select></label>`;
}

function textInput(name: string, label: string, value: string | undefined, size = 12): SafeHtml {
  return html`<label>${label} <input type="text" name="${name}" id="filter-${name}" value="${value ?? ""}" size="${size}" maxlength="200"></label>`;
}

function filterForm(view: BugsPageView): SafeHtml {
  const f = view.filters;
  const repoOptions = view.projects.map(
    (p) =>
      html`<option value="${p.fullName}"${view.selected?.id === p.id ? html` selected` : html``}>${p.fullName}</option>`,
  );
  return html`<form class="filters" method="get" action="/dashboard/bugs" id="bug-filters">
<label>Repository <select name="repo" id="filter-repo">
<option value="">All repositories (${view.projects.length})</option>
${repoOptions}
</select></label>
${textInput("q", "Search (title, type, culprit, B-7)", f.q, 20)}
${select("status", "Status", STATUSES, f.status, statusLabel)}
${select("severity", "Severity", SEVERITIES, f.severity, (s) => s)}
${select("category", "Category", CATEGORIES, f.category, categoryLabel)}
${textInput("service", "Service", f.service)}
${textInput("environment", "Environment", f.environment)}
${textInput("release", "Release", f.release)}
<button type="submit">Filter</button>
</form>`;
}

function bugTable(bugs: readonly BugListItem[], showRepo: boolean): SafeHtml {
  // Columns marked "wide" are left out on narrow screens (layout.ts): the title keeps its room.
  const rows = bugs.map((bug) => {
    const issueUrl = safeHttpUrl(bug.issueUrl);
    return html`<tr>
<td class="nowrap"><a href="${bugHref(bug.repo, bug.ref)}">${bug.ref}</a></td>
${showRepo ? html`<td class="wide">${bug.repo}</td>` : html``}
<td class="title">${bug.title}${bug.culprit ? html`<br><span class="muted">${bug.culprit}</span>` : html``}</td>
<td><span class="sev sev-${bug.severity}">${bug.severity}</span></td>
<td class="wide"><span class="cat">${categoryLabel(bug.category)}</span></td>
<td class="wide">${statusLabel(bug.status)}</td>
<td class="num">${bug.occurrenceCount}</td>
<td class="nowrap wide">${utcMinutes(bug.lastSeen)}</td>
<td class="wide">${issueUrl ? html`<a href="${issueUrl}">${issueLabel(issueUrl)}</a>` : html`<span class="muted">none yet</span>`}</td>
</tr>`;
  });
  return html`<div class="scroll"><table id="bugs">
<thead><tr><th scope="col">Bug</th>${showRepo ? html`<th scope="col" class="wide">Repository</th>` : html``}<th scope="col">Title</th><th scope="col">Severity</th><th scope="col" class="wide">Category</th><th scope="col" class="wide">Status</th><th scope="col" class="num">Events</th><th scope="col" class="wide">Last seen (UTC)</th><th scope="col" class="wide">Issue</th></tr></thead>
<tbody>${rows}</tbody>
</table></div>`;
}
