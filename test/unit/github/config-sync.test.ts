import { describe, expect, it } from "vitest";
import { fetchRepoConfig } from "../../../src/github/config/index.js";
import type { OutboxOctokit } from "../../../src/github/index.js";
import { bodyRefreshWindow } from "../../../src/github/outbox/plan-effects.js";
import { renderConfigIssueBody } from "../../../src/github/render/index.js";
import { touchesRepoConfig } from "../../../src/github/webhooks/register-webhooks.js";

function octokitGetting(get: () => Promise<unknown>): OutboxOctokit {
  return { config: { get } } as unknown as OutboxOctokit;
}

const repo = { owner: "octo-org", repo: "shop" };

describe("fetchRepoConfig", () => {
  it("no file in the repository nor in the owner's .github repository: null", async () => {
    const octokit = octokitGetting(async () => ({
      config: {},
      files: [{ config: null }, { config: null }],
    }));
    expect(await fetchRepoConfig(octokit, repo)).toEqual({ raw: null, errors: [] });
  });

  it("a file: its merged content", async () => {
    const octokit = octokitGetting(async () => ({
      config: { threshold: 2 },
      files: [{ config: { threshold: 2 } }],
    }));
    expect(await fetchRepoConfig(octokit, repo)).toEqual({ raw: { threshold: 2 }, errors: [] });
  });

  it("an unusable file becomes one readable error line", async () => {
    const octokit = octokitGetting(async () => {
      throw new Error(
        '[@probot/octokit-plugin-config] Invalid value "a b" for _extends in https://api.github.com/repos/octo-org/shop/contents/.github%2Ffaultline.yml?ref=main',
      );
    });
    expect(await fetchRepoConfig(octokit, repo)).toEqual({
      raw: null,
      errors: [
        'Invalid value "a b" for _extends in octo-org/shop:.github/faultline.yml. Every setting uses its default until this is fixed.',
      ],
    });
  });

  it("GitHub failures are thrown, to be retried", async () => {
    const failure = Object.assign(new Error("Bad Gateway"), { status: 502 });
    const octokit = octokitGetting(async () => {
      throw failure;
    });
    await expect(fetchRepoConfig(octokit, repo)).rejects.toBe(failure);
  });
});

describe("touchesRepoConfig", () => {
  it("sees the file added, modified or removed in any commit", () => {
    expect(touchesRepoConfig([])).toBe(false);
    expect(
      touchesRepoConfig([{ modified: ["README.md"], added: [".github/faultline.yaml"] }]),
    ).toBe(false);
    expect(touchesRepoConfig([{ modified: ["a"] }, { removed: [".github/faultline.yml"] }])).toBe(
      true,
    );
    expect(touchesRepoConfig([{ added: [".github/faultline.yml"] }])).toBe(true);
  });
});

describe("bodyRefreshWindow", () => {
  it("floors to the interval and ends at the next boundary", () => {
    const fiveMinutes = 300_000;
    const at = new Date("2026-03-01T12:04:59.999Z");
    const window = bodyRefreshWindow(at, fiveMinutes);
    expect(window.end.toISOString()).toBe("2026-03-01T12:05:00.000Z");
    expect(bodyRefreshWindow(new Date("2026-03-01T12:00:00Z"), fiveMinutes).key).toBe(window.key);
    expect(bodyRefreshWindow(new Date("2026-03-01T12:05:00Z"), fiveMinutes).key).toBe(
      window.key + 1,
    );
  });
});

describe("renderConfigIssueBody", () => {
  it("lists each error and says the defaults are used", () => {
    expect(
      renderConfigIssueBody([
        'threshold: expected a number, got "zero"',
        "labels.colors.bug: expected a hex colour like `d73a4a`",
      ]),
    ).toMatchInlineSnapshot(`
      "<!-- faultline:config -->
      Faultline found problems in \`.github/faultline.yml\`. The defaults are used for these settings until the file is fixed:

      - \`threshold: expected a number, got "zero"\`
      - \`\` labels.colors.bug: expected a hex colour like \`d73a4a\` \`\`

      <sub>Opened by Faultline. This issue is updated when the file changes and closed once it is valid.</sub>"
    `);
  });
});
