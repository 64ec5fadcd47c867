import { describe, expect, it } from "vitest";
import { loadEnv } from "../../src/config/index.js";
import { nextLink } from "../../src/dashboard/github-sign-in.js";
import { html, safeHttpUrl } from "../../src/dashboard/html.js";
import { dashboardSettingsFromEnv } from "../../src/dashboard/index.js";
import { safeNext } from "../../src/dashboard/routes.js";
import { rangeWindow } from "../../src/dashboard/time-range.js";
import { trendChart } from "../../src/dashboard/views/trend-chart.js";

// The dashboard's pure parts (no database): escaping, redirects, pagination links, the chart.

describe("html", () => {
  it("escapes every interpolation, including inside arrays, and keeps nested templates", () => {
    const title = `"><script>alert('x')</script>&`;
    const out = html`<p title="${title}">${[title, html`<b>${title}</b>`]}</p>`.toString();
    expect(out).toBe(
      '<p title="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;">' +
        "&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;" +
        "<b>&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;</b></p>",
    );
  });

  it("links only http(s) URLs", () => {
    expect(safeHttpUrl("https://github.com/o/r/issues/1")).toBe("https://github.com/o/r/issues/1");
    expect(safeHttpUrl("javascript:alert(1)")).toBeUndefined();
    expect(safeHttpUrl("data:text/html,x")).toBeUndefined();
    expect(safeHttpUrl("not a url")).toBeUndefined();
    expect(safeHttpUrl(null)).toBeUndefined();
  });
});

describe("safeNext", () => {
  it.each([
    ["/dashboard?repo=o/r&range=7d", "/dashboard?repo=o/r&range=7d"],
    ["/dashboard", "/dashboard"],
    ["https://evil.example/dashboard", "/dashboard"],
    ["//evil.example/dashboard", "/dashboard"],
    ["/dashboardx", "/dashboard"],
    ["/dashboard/login?next=/dashboard", "/dashboard"],
    ["/dashboard\\@evil.example", "/dashboard"],
    [undefined, "/dashboard"],
    ["/dashboard?x=\r\nSet-Cookie: a=b", "/dashboard"],
    ["/dashboard?repo=é", "/dashboard"],
  ])("%s -> %s", (input, expected) => {
    expect(safeNext(input)).toBe(expected);
  });
});

describe("nextLink", () => {
  it("finds rel=next among GitHub's Link relations", () => {
    const header =
      '<https://api.github.com/user/installations?page=1>; rel="prev", ' +
      '<https://api.github.com/user/installations?page=3>; rel="next", ' +
      '<https://api.github.com/user/installations?page=9>; rel="last"';
    expect(nextLink(header)).toBe("https://api.github.com/user/installations?page=3");
    expect(nextLink('<https://x/?page=9>; rel="last"')).toBeUndefined();
    expect(nextLink(null)).toBeUndefined();
  });
});

describe("rangeWindow", () => {
  it("covers the last N whole hours, the current one included", () => {
    const now = new Date("2026-11-23T12:34:56Z");
    expect(rangeWindow("24h", now)).toEqual({
      from: new Date("2026-11-22T13:00:00Z"),
      to: new Date("2026-11-23T13:00:00Z"),
    });
    const week = rangeWindow("7d", now);
    expect((week.to.getTime() - week.from.getTime()) / 3_600_000).toBe(168);
  });
});

describe("trendChart", () => {
  const hour = (h: number) => new Date(Date.UTC(2026, 10, 23, h));

  it("draws one bar per hour, proportional, with an accessible title and description", () => {
    const svg = trendChart(
      [
        { start: hour(0), count: 0 },
        { start: hour(1), count: 3 },
        { start: hour(2), count: 6 },
      ],
      "Errors <per> hour",
    ).toString();
    expect(svg).toContain('role="img" aria-labelledby="trend-title trend-desc"');
    expect(svg).toContain('<title id="trend-title">Errors &lt;per&gt; hour</title>');
    expect(svg).toContain(
      '<desc id="trend-desc">9 errors over 3 hours; peak 6 in the hour starting 2026-11-23 02:00 UTC.</desc>',
    );
    const heights = [...svg.matchAll(/<rect class="bar"[^>]* height="([\d.]+)"/g)].map((m) =>
      Number(m[1]),
    );
    expect(heights).toHaveLength(3);
    expect(heights[0]).toBe(0);
    expect(heights[2]).toBeCloseTo((heights[1] ?? 0) * 2, 0);
    // Axis ticks are whole numbers: 0, 3, 6 for a peak of 6.
    expect([...svg.matchAll(/text-anchor="end">(\d+)</g)].map((m) => m[1])).toEqual([
      "0",
      "3",
      "6",
    ]);
  });

  it("says so when there is nothing to draw", () => {
    const svg = trendChart([{ start: hour(0), count: 0 }], "t").toString();
    expect(svg).toContain("No errors in 1 hour.");
  });
});

describe("dashboardSettingsFromEnv", () => {
  it("defaults to github.com and reads the App's OAuth client", () => {
    const settings = dashboardSettingsFromEnv(
      loadEnv({ GITHUB_CLIENT_ID: "Iv1.a", GITHUB_CLIENT_SECRET: "s", PORT: "4000" }),
    );
    expect(settings).toEqual({
      oauth: { clientId: "Iv1.a", clientSecret: "s" },
      githubUrl: "https://github.com",
      githubApiUrl: "https://api.github.com",
      publicUrl: "http://localhost:4000",
      sessionTtlMs: 8 * 3_600_000,
    });
  });

  it("follows GHE_HOST, and GITHUB_URL / GITHUB_API_URL win; no secret means no sign-in", () => {
    const ghe = dashboardSettingsFromEnv(loadEnv({ GHE_HOST: "ghe.corp", GITHUB_CLIENT_ID: "x" }));
    expect(ghe.githubUrl).toBe("https://ghe.corp");
    expect(ghe.githubApiUrl).toBe("https://ghe.corp/api/v3");
    expect(ghe.oauth).toBeUndefined();
    const explicit = dashboardSettingsFromEnv(
      loadEnv({ GITHUB_URL: "http://127.0.0.1:9/", GITHUB_API_URL: "http://127.0.0.1:9/api/" }),
    );
    expect(explicit.githubUrl).toBe("http://127.0.0.1:9");
    expect(explicit.githubApiUrl).toBe("http://127.0.0.1:9/api");
    expect(() => loadEnv({ DASHBOARD_SESSION_HOURS: "0" })).toThrow(/DASHBOARD_SESSION_HOURS/);
  });
});
