import { describe, expect, it } from "vitest";
import type { DigestData } from "../../../src/digest/digest-data.js";
import { renderDigest } from "../../../src/digest/render-digest.js";

const bug = {
  ref: "B-001",
  title: "TypeError: @alice broke #12 | *here*",
  severity: "high",
  status: "open",
  issueUrl: "https://github.com/octo-org/shop/issues/7",
  windowCount: 1234,
  total: 56789,
  firstSeen: "2026-11-23T01:00:00.000Z",
};

describe("renderDigest", () => {
  it("renders tables with links, escaped titles and counts", () => {
    const data: DigestData = {
      day: "2026-11-23",
      since: "2026-11-22T09:00:00.000Z",
      until: "2026-11-23T09:00:00.000Z",
      totalEvents: 1240,
      newBugCount: 12,
      newBugs: [{ ...bug, ref: "B-002", issueUrl: null, windowCount: 6, total: 6 }],
      topBugs: [bug],
      regressionCount: 0,
      regressions: [],
      escalationCount: 1,
      escalations: [
        {
          ref: "B-001",
          title: bug.title,
          issueUrl: bug.issueUrl,
          step: "1: assign",
          at: "2026-11-23T08:00:00.000Z",
        },
      ],
    };
    expect(renderDigest("octo-org/shop", data)).toBe(
      [
        "<!-- faultline:digest -->",
        "",
        "## Faultline digest for octo-org/shop, 2026-11-23",
        "",
        "Last 24 hours (2026-11-22T09:00:00Z to 2026-11-23T09:00:00Z): **1,240** events, **12** new bugs, **0** regressions, **1** escalation.",
        "",
        "### Top bugs",
        "",
        "| Bug | Title | Severity | Status | Events (24 h) | Total |",
        "|---|---|---|---|---:|---:|",
        "| [B-001](https://github.com/octo-org/shop/issues/7) | TypeError: @\u200Dalice broke \\#\u200D12 \\| \\*here\\* | high | open | 1,234 | 56,789 |",
        "",
        "### New bugs",
        "",
        "| Bug | Title | Severity | Events (24 h) | First seen |",
        "|---|---|---|---:|---|",
        "| B-002 | TypeError: @\u200Dalice broke \\#\u200D12 \\| \\*here\\* | high | 6 | 2026-11-23T01:00:00Z |",
        "",
        "_…and 11 more._",
        "",
        "### Regressions",
        "",
        "_None._",
        "",
        "### Escalations",
        "",
        "| Bug | Title | Step | At |",
        "|---|---|---|---|",
        "| [B-001](https://github.com/octo-org/shop/issues/7) | TypeError: @\u200Dalice broke \\#\u200D12 \\| \\*here\\* | 1: assign | 2026-11-23T08:00:00Z |",
        "",
        "---",
        "",
        "_Faultline edits this issue once a day (`digest` in `.github/faultline.yml`); it is not a bug report._",
      ].join("\n"),
    );
  });
});
