import { describe, expect, it } from "vitest";
import {
  MAX_BODY_LENGTH,
  parseIssueMarker,
  renderIssueBody,
} from "../../../../src/github/render/index.js";
import { nodeTypeErrorBug, nodeTypeErrorEvent } from "./fixtures.js";

/** The body with fenced blocks and code spans removed: what GitHub renders as markdown/HTML. */
function outsideCode(body: string): string {
  return body
    .replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1$/gm, "")
    .replace(/(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g, "");
}

describe("renderIssueBody", () => {
  it("renders a Node TypeError with app and library frames and a request", () => {
    expect(renderIssueBody(nodeTypeErrorBug(), nodeTypeErrorEvent())).toMatchInlineSnapshot(`
      "<!-- faultline:B-007 fp=3f2a9c1e7b -->

      **TypeError** in \`cart/checkout.ts\`, seen 1,234 times since 2024-05-01T10:00:00Z.

      | Bug | **B-007** |
      | --- | --- |
      | Severity | high |
      | Status | open |
      | First seen | 2024-05-01T10:00:00Z |
      | Last seen | 2024-05-03T16:42:07Z |
      | Occurrences | 1,234 |
      | Environments | \`production\`, \`staging\` |
      | Releases | \`shop@1.4.1\`, \`shop@1.4.2\` |
      | Service | \`api\` |
      | Regressions | 1 |

      ### Latest event

      environment \`production\` · release \`shop@1.4.2\` · user \`u_8841\`

      \`\`\`
      Cannot read properties of undefined (reading 'id')
      \`\`\`

      ### Stack trace

      \`\`\`
      → at applyDiscount (src/cart/checkout.ts:42:17)
        at RetryOperation._fn (node_modules/p-retry/index.js:50:12)
      → at checkoutHandler (src/routes/cart.ts:88:22)
        … 4 library frames
      \`\`\`

      <details><summary>All 7 frames</summary>

      \`\`\`
      → at applyDiscount (src/cart/checkout.ts:42:17)
        at RetryOperation._fn (node_modules/p-retry/index.js:50:12)
      → at checkoutHandler (src/routes/cart.ts:88:22)
        at Route.dispatch (node_modules/express/lib/router/route.js:119:3)
        at Layer.handle [as handle_request] (node_modules/express/lib/router/layer.js:95:5)
        at next (node_modules/express/lib/router/index.js:280:10)
        at process.processTicksAndRejections (node:internal/process/task_queues:95:5)
      \`\`\`

      </details>

      \`→\` marks the application's own frames; the raising frame is first.

      ### Request

      | | |
      | --- | --- |
      | Method | \`POST\` |
      | URL | \`https://shop.example.com/api/cart/checkout?coupon=SPRING\` |
      | Status | 500 |

      | Header | Value |
      | --- | --- |
      | \`Content-Type\` | \`application/json\` |
      | \`User-Agent\` | \`Mozilla/5.0\` |

      2 credential headers (cookies, authorization) not shown.

      Body:

      \`\`\`
      {
        "cartId": "c_123",
        "coupon": "SPRING"
      }
      \`\`\`

      ---
      <details><summary>Commands</summary>

      Comment on this issue with:

      - \`/faultline severity <critical|high|medium|low>\`: change the severity
      - \`/faultline ignore\`: stop notifying about this bug (occurrences are still counted)
      - \`/faultline resolve [in <release>]\`: mark it resolved, optionally as fixed in a release
      - \`/faultline merge B-003\`: this is the same bug as B-003; occurrences move there

      </details>

      <sub>Opened by Faultline · [bug page](https://faultline.example.com/acme/shop/bugs/B-007). Closing this issue resolves the bug; if the error comes back, it is reopened.</sub>"
    `);
  });

  it("renders a bug without an event, and uses bug.latestEvent when no event is passed", () => {
    const bare = nodeTypeErrorBug({
      culprit: undefined,
      environments: [],
      services: ["api", "worker"],
      appUrl: undefined,
    });
    expect(renderIssueBody(bare)).toMatchInlineSnapshot(`
      "<!-- faultline:B-007 fp=3f2a9c1e7b -->

      **TypeError**, seen 1,234 times since 2024-05-01T10:00:00Z.

      | Bug | **B-007** |
      | --- | --- |
      | Severity | high |
      | Status | open |
      | First seen | 2024-05-01T10:00:00Z |
      | Last seen | 2024-05-03T16:42:07Z |
      | Occurrences | 1,234 |
      | Environments | — |
      | Releases | \`shop@1.4.1\`, \`shop@1.4.2\` |
      | Services | \`api\`, \`worker\` |
      | Regressions | 1 |

      ---
      <details><summary>Commands</summary>

      Comment on this issue with:

      - \`/faultline severity <critical|high|medium|low>\`: change the severity
      - \`/faultline ignore\`: stop notifying about this bug (occurrences are still counted)
      - \`/faultline resolve [in <release>]\`: mark it resolved, optionally as fixed in a release
      - \`/faultline merge B-003\`: this is the same bug as B-003; occurrences move there

      </details>

      <sub>Opened by Faultline. Closing this issue resolves the bug; if the error comes back, it is reopened.</sub>"
    `);
    const withLatest = nodeTypeErrorBug({ latestEvent: nodeTypeErrorEvent() });
    expect(renderIssueBody(withLatest)).toBe(
      renderIssueBody(nodeTypeErrorBug(), nodeTypeErrorEvent()),
    );
  });

  it("falls back to the raw stack trace and shows unknown-origin frames unfolded", () => {
    const raw = renderIssueBody(nodeTypeErrorBug(), {
      message: "boom",
      frames: [],
      rawStacktrace: "Error: boom\n    at main (/app/index.js:1:1)",
    });
    expect(raw).toContain(
      "### Stack trace\n\n```\nError: boom\n    at main (/app/index.js:1:1)\n```",
    );
    const unknown = renderIssueBody(nodeTypeErrorBug(), {
      message: "boom",
      frames: [
        { filename: "a.js", function: "outer", lineno: 1 },
        { filename: "b.js", lineno: 2, colno: 3 },
      ],
    });
    expect(unknown).toContain("```\nat b.js:2:3\nat outer (a.js:1)\n```");
  });

  it("starts with a marker that parses back", () => {
    const body = renderIssueBody(nodeTypeErrorBug(), nodeTypeErrorEvent());
    expect(body.split("\n")[0]).toBe("<!-- faultline:B-007 fp=3f2a9c1e7b -->");
    expect(parseIssueMarker(body)).toEqual({ ref: "B-007", number: 7, fingerprint: "3f2a9c1e7b" });
  });

  it("never renders credential headers", () => {
    const body = renderIssueBody(nodeTypeErrorBug(), nodeTypeErrorEvent());
    expect(body).not.toMatch(/Bearer|session=abc|`Cookie`|`Authorization`/);
    expect(body).toContain("2 credential headers (cookies, authorization) not shown.");
  });

  it("escapes hostile messages and names", () => {
    const hostile =
      "<script>alert(1)</script> `rm -rf` | @octocat see #1 **bold** [x](javascript:alert(1))";
    const body = renderIssueBody(
      nodeTypeErrorBug({
        errorType: "Evil<img src=x onerror=alert(1)>Error",
        culprit: "a|b`c",
        environments: ["prod|uction", "@admins"],
        releases: ["```"],
      }),
      {
        message: `${hostile}\n\`\`\`\n@here breakout`,
        frames: [{ filename: "x.js", function: "```<b>@ghost", lineno: 1, inApp: true }],
        request: { url: "https://x.test/?q=<script>|`", headers: { "X-Who": "@octocat" } },
      },
    );
    // Inside code, HTML is literal and mentions do not ping; everywhere else they must be inert.
    const prose = outsideCode(body);
    expect(prose).not.toMatch(/<script|<img|<b>/);
    expect(prose).not.toMatch(/@(octocat|admins|here|ghost)/);
    expect(body).toContain("**Evil&lt;img src=x onerror=alert(1)&gt;Error**");
    // Table rows keep their two cells: every `|` inside a cell is escaped.
    for (const row of body.split("\n").filter((l) => /^\| (Environments|Releases|URL) /.test(l))) {
      expect(row.replace(/\\\|/g, "").split("|")).toHaveLength(4);
    }
    // The message's own ``` cannot close the block it sits in.
    expect(body).toContain("````\n<script>alert(1)</script>");
    expect(outsideCode(body)).not.toContain("breakout");
    expect(body).toMatchInlineSnapshot(`
      "<!-- faultline:B-007 fp=3f2a9c1e7b -->

      **Evil&lt;img src=x onerror=alert(1)&gt;Error** in \`\`a|b\`c\`\`, seen 1,234 times since 2024-05-01T10:00:00Z.

      | Bug | **B-007** |
      | --- | --- |
      | Severity | high |
      | Status | open |
      | First seen | 2024-05-01T10:00:00Z |
      | Last seen | 2024-05-03T16:42:07Z |
      | Occurrences | 1,234 |
      | Environments | \`prod\\|uction\`, \`@admins\` |
      | Releases | \`\`\`\` \`\`\` \`\`\`\` |
      | Service | \`api\` |
      | Regressions | 1 |

      ### Latest event

      \`\`\`\`
      <script>alert(1)</script> \`rm -rf\` | @octocat see #1 **bold** [x](javascript:alert(1))
      \`\`\`
      @here breakout
      \`\`\`\`

      ### Stack trace

      \`\`\`\`
      → at \`\`\`<b>@ghost (x.js:1)
      \`\`\`\`

      \`→\` marks the application's own frames; the raising frame is first.

      ### Request

      | | |
      | --- | --- |
      | URL | \`\` https://x.test/?q=<script>\\|\` \`\` |

      | Header | Value |
      | --- | --- |
      | \`X-Who\` | \`@octocat\` |

      ---
      <details><summary>Commands</summary>

      Comment on this issue with:

      - \`/faultline severity <critical|high|medium|low>\`: change the severity
      - \`/faultline ignore\`: stop notifying about this bug (occurrences are still counted)
      - \`/faultline resolve [in <release>]\`: mark it resolved, optionally as fixed in a release
      - \`/faultline merge B-003\`: this is the same bug as B-003; occurrences move there

      </details>

      <sub>Opened by Faultline · [bug page](https://faultline.example.com/acme/shop/bugs/B-007). Closing this issue resolves the bug; if the error comes back, it is reopened.</sub>"
    `);
  });

  it("stays under GitHub's limit, truncating with a note", () => {
    const frames = Array.from({ length: 5_000 }, (_, i) => ({
      filename: `src/deep/module-${i}.ts`,
      function: `recurse${i}`,
      lineno: i,
      colno: 1,
      inApp: i % 3 === 0,
    }));
    const body = renderIssueBody(
      nodeTypeErrorBug({ releases: Array.from({ length: 500 }, (_, i) => `r${i}`) }),
      {
        message: "x".repeat(100_000),
        frames,
        request: {
          url: `https://x.test/${"a".repeat(50_000)}`,
          headers: Object.fromEntries(
            Array.from({ length: 500 }, (_, i) => [`X-H${i}`, "v".repeat(1_000)]),
          ),
          data: "d".repeat(100_000),
        },
      },
    );
    expect(body.length).toBeLessThanOrEqual(MAX_BODY_LENGTH);
    expect(body).toContain("… message truncated (");
    expect(body).toContain("… stack trace truncated (");
    expect(body).toContain("and 490 more");
    expect(body).toContain("450 more headers not shown.");
    expect(body).toContain("/faultline merge B-003");
    // Every fence opened is closed.
    expect((body.match(/^```+/gm) ?? []).length % 2).toBe(0);
  });

  it("drops whole sections when even the budgets do not fit", () => {
    const huge = "y".repeat(70_000);
    const body = renderIssueBody(nodeTypeErrorBug({ environments: [huge.slice(0, 99)] }), {
      message: "m",
      frames: [],
      rawStacktrace: huge,
      request: {
        data: huge,
        headers: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`h${i}`, huge])),
      },
    });
    expect(body.length).toBeLessThanOrEqual(MAX_BODY_LENGTH);
  });

  it("says why the events are together, collapsed, above the commands", () => {
    const body = renderIssueBody(
      nodeTypeErrorBug({
        grouping: {
          version: 2,
          basis: "stacktrace",
          parts: [
            "type: TypeError",
            "frame: routes/cart in checkoutHandler | const id = req.session.user.id;",
          ],
        },
      }),
    );
    expect(body).toContain(
      [
        "<details><summary>Why these events are one bug</summary>",
        "",
        "Grouped by the exception's type and the stack frames nearest the raise (not its message), grouping version 2:",
        "",
        "- `type: TypeError`",
        "- `frame: routes/cart in checkoutHandler | const id = req.session.user.id;`",
        "",
        "</details>",
      ].join("\n"),
    );
    expect(body.indexOf("Why these events")).toBeLessThan(body.indexOf("<summary>Commands"));
    const ruled = renderIssueBody(
      nodeTypeErrorBug({
        grouping: { version: 2, basis: "rule", rule: 3, parts: ["db-timeouts"] },
      }),
    );
    expect(ruled).toContain(
      "Grouped by a fingerprint rule of `.github/faultline.yml` (rule 3 of `grouping.fingerprints`), grouping version 2:",
    );
    expect(renderIssueBody(nodeTypeErrorBug())).not.toContain("Why these events");
  });

  it("names the suspect commit, its author and pull request, collapsed, without pinging anyone", () => {
    const body = renderIssueBody(
      nodeTypeErrorBug({
        suspect: {
          path: "src/cart/checkout.ts",
          line: 42,
          revision: "HEAD",
          commit: {
            oid: "3f9c0e1d2b4a5c6d7e8f90123456789abcdef012",
            url: "https://github.com/octo-org/shop/commit/3f9c0e1d2b4a5c6d7e8f90123456789abcdef012",
            headline: "Apply coupons before tax <b>@everyone</b>",
            authorName: "Bob Example",
            authorLogin: "bob",
          },
          pullRequest: {
            number: 12,
            url: "https://github.com/octo-org/shop/pull/12",
            title: "Coupons: apply before tax",
          },
        },
        grouping: { version: 2, basis: "rule", rule: 3, parts: ["db-timeouts"] },
      }),
    );
    expect(body).toContain(
      [
        "<details><summary>Suspect commit: 3f9c0e1 by bob (#12)</summary>",
        "",
        "Line 42 of `src/cart/checkout.ts` (the top frame of this app's own code) was last changed on the default branch by [bob](https://github.com/bob) in commit [`3f9c0e1`](https://github.com/octo-org/shop/commit/3f9c0e1d2b4a5c6d7e8f90123456789abcdef012): Apply coupons before tax &lt;b&gt;@\u200Deveryone&lt;/b&gt; in [#12](https://github.com/octo-org/shop/pull/12) (Coupons: apply before tax).",
        "",
        "</details>",
      ].join("\n"),
    );
    // Beside the grouping section, above the commands.
    expect(body.indexOf("Suspect commit")).toBeLessThan(body.indexOf("Why these events"));
    expect(body.indexOf("Why these events")).toBeLessThan(body.indexOf("<summary>Commands"));
    expect(body).not.toMatch(/(^|[^\[])@bob/);

    const atRelease = renderIssueBody(
      nodeTypeErrorBug({
        suspect: {
          path: "app/models/cart.rb",
          line: 7,
          revision: "0123456789abcdef0123456789abcdef01234567",
          commit: {
            oid: "89abcdef0123456789abcdef0123456789abcdef",
            url: "javascript:alert(1)",
            headline: "x",
            authorName: "Someone [not linked]",
            authorLogin: null,
          },
          pullRequest: null,
        },
      }),
    );
    expect(atRelease).toContain("at the release's commit `0123456789ab`");
    expect(atRelease).toContain("by Someone \\[not linked\\] in commit `89abcde`: x.");
    expect(atRelease).not.toContain("javascript:");
    expect(renderIssueBody(nodeTypeErrorBug())).not.toContain("Suspect commit");
  });
});
