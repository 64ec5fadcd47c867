import { type SafeHtml, html, raw } from "../html.js";

// One small stylesheet inline: the page needs no other request and no build step.
const STYLE = raw(`
:root { color-scheme: light dark; --fg: #1f2328; --muted: #59636e; --bg: #fff; --line: #d1d9e0;
  --bar: #cf222e; --accent: #0969da; --card: #f6f8fa; --app: #fff8c5; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #9198a1; --bg: #0d1117;
  --line: #3d444d; --bar: #f85149; --accent: #4493f8; --card: #151b23; --app: #3b2e00; } }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg);
  background: var(--bg); }
header { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center;
  justify-content: space-between; padding: .75rem 1.5rem; border-bottom: 1px solid var(--line); }
header h1 { font-size: 1.1rem; margin: 0; }
header nav { display: flex; gap: 1rem; flex: 1; }
main { max-width: 1100px; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
a { color: var(--accent); }
h2 { font-size: 1rem; margin: 1.5rem 0 .5rem; }
h3 { font-size: .9rem; margin: 1.25rem 0 .4rem; }
form.filters { display: flex; gap: .75rem; flex-wrap: wrap; align-items: end; }
label { display: flex; flex-direction: column; font-size: .8rem; color: var(--muted); }
select, button, input { font: inherit; padding: .3rem .5rem; max-width: 100%; }
.totals { display: grid; grid-template-columns: repeat(auto-fit, minmax(130px, 1fr)); gap: .5rem;
  margin: 1rem 0; padding: 0; list-style: none; }
.totals li { background: var(--card); border: 1px solid var(--line); border-radius: 6px;
  padding: .5rem .75rem; }
.totals strong { display: block; font-size: 1.3rem; }
.totals span { color: var(--muted); font-size: .8rem; }
.grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(300px, 100%), 1fr));
  gap: 1rem; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line);
  vertical-align: top; overflow-wrap: break-word; }
th { font-size: .8rem; color: var(--muted); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.title { overflow-wrap: anywhere; min-width: 12rem; }
h2 .title { min-width: 0; }
/* Key/value tables: long values (URLs, ids, tag values) wrap anywhere rather than widen the page. */
.facts { table-layout: fixed; } .facts th { width: 11rem; }
.facts td { overflow-wrap: anywhere; }
.muted { color: var(--muted); } .nowrap { white-space: nowrap; }
.sev { display: inline-block; padding: 0 .4rem; border-radius: 1rem; font-size: .75rem;
  border: 1px solid var(--line); white-space: nowrap; }
.sev-critical { background: #cf222e; color: #fff; } .sev-high { background: #fb8500; color: #000; }
.sev-medium { background: #d4a72c; color: #000; } .sev-low { background: #8c959f; color: #000; }
.cat { display: inline-block; padding: 0 .4rem; border-radius: 1rem; font-size: .75rem;
  border: 1px solid var(--line); background: var(--card); white-space: nowrap; }
.meter { display: inline-block; height: .6rem; background: var(--bar); vertical-align: middle;
  max-width: 100%; }
svg.trend { display: block; max-width: 100%; height: auto; border: 1px solid var(--line);
  border-radius: 6px; background: var(--card); }
svg.trend .bar { fill: var(--bar); } svg.trend .grid { stroke: var(--line); stroke-width: 1; }
svg.trend .tick { fill: var(--muted); font-size: 11px; }
.notice { background: var(--card); border: 1px solid var(--line); border-radius: 6px;
  padding: 1rem 1.25rem; max-width: 720px; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .85rem; }
pre { margin: .25rem 0; padding: .5rem .75rem; background: var(--card); border-radius: 6px;
  border: 1px solid var(--line); overflow-x: auto; max-width: 100%; white-space: pre; }
pre.message { white-space: pre-wrap; overflow-wrap: anywhere; }
.button { display: inline-block; background: #1f883d; color: #fff; padding: .5rem 1rem;
  border-radius: 6px; text-decoration: none; font-weight: 600; }
.pager, .ranges { display: flex; flex-wrap: wrap; gap: .75rem; align-items: center; margin: .5rem 0; }
.ranges a[aria-current] { font-weight: 600; color: var(--fg); text-decoration: none; }
ol.frames { list-style: none; margin: 0; padding: 0; }
ol.frames > li { padding: .3rem .5rem; border-bottom: 1px solid var(--line); overflow-wrap: anywhere; }
ol.frames > li.app { background: var(--app); }
ol.frames pre { margin: .2rem 0 0; }
details > summary { cursor: pointer; color: var(--accent); }
ol.chain { margin: .25rem 0; padding-left: 1.25rem; }
/* Narrow screens (phones): the columns that matter, and each table scrolls within itself. */
@media (max-width: 640px) {
  header, main { padding-left: .75rem; padding-right: .75rem; }
  .wide { display: none; }
  .title { min-width: 10rem; }
  .facts th { width: 40%; }
  th, td { padding: .3rem .35rem; }
}
`);

/** The page shell shared by every dashboard page. */
export function layout(input: {
  title: string;
  header?: SafeHtml;
  nav?: SafeHtml;
  body: SafeHtml;
}): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${input.title} · Faultline</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>Faultline</h1>${input.nav ?? ""}${input.header}</header>
<main>
${input.body}
</main>
</body>
</html>
`.toString();
}

/** "Signed in as …" and the sign-out button (a POST form: works without script). */
export function accountHeader(login: string): SafeHtml {
  return html`<form method="post" action="/dashboard/logout">
<span class="muted">Signed in as <strong>${login}</strong></span>
<button type="submit">Sign out</button></form>`;
}

/** The pages a signed-in reader moves between, for the repository in view (if one). */
export function siteNav(repo: string | undefined): SafeHtml {
  const query = repo ? `?${new URLSearchParams({ repo })}` : "";
  return html`<nav aria-label="Pages"><a href="/dashboard${query}">Overview</a><a href="/dashboard/bugs${query}">Bugs</a></nav>`;
}

/** The dashboard's own page of one bug (and optionally one of its events, a range). */
export function bugHref(
  repo: string,
  ref: string,
  extra: { event?: number; range?: string; events?: string } = {},
): string {
  const params = new URLSearchParams({ repo, bug: ref });
  if (extra.range) params.set("range", extra.range);
  if (extra.event !== undefined) params.set("event", String(extra.event));
  if (extra.events) params.set("events", extra.events);
  return `/dashboard/bug?${params}`;
}
