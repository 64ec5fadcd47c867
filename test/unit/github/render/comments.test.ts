import { describe, expect, it } from "vitest";
import {
  renderCommandReply,
  renderConfigErrorComment,
  renderDuplicateComment,
  renderEscalationComment,
  renderMilestoneComment,
  renderRegressionComment,
} from "../../../../src/github/render/index.js";
import { nodeTypeErrorBug } from "./fixtures.js";

describe("comments", () => {
  it("milestone", () => {
    expect(renderMilestoneComment(nodeTypeErrorBug(), 1000)).toMatchInlineSnapshot(
      `"B-007 has now happened **1,000** times in \`production\`, \`staging\`. Last seen 2024-05-03T16:42:07Z; first seen 2024-05-01T10:00:00Z."`,
    );
  });

  it("regression, with and without details", () => {
    expect(
      renderRegressionComment(nodeTypeErrorBug(), {
        release: "shop@1.5.0",
        environment: "production",
        countSinceResolution: 3,
        resolvedAt: new Date("2024-05-02T08:00:00Z"),
        resolvedInRelease: "shop@1.4.3",
      }),
    ).toMatchInlineSnapshot(
      `"**Regression:** B-007 was resolved in \`shop@1.4.3\` on 2024-05-02T08:00:00Z but has happened 3 times since, latest in release \`shop@1.5.0\`, \`production\`. Reopening this issue."`,
    );
    expect(
      renderRegressionComment(nodeTypeErrorBug(), { countSinceResolution: 1 }),
    ).toMatchInlineSnapshot(
      `"**Regression:** B-007 was resolved but has happened once since. Reopening this issue."`,
    );
  });

  it("duplicate", () => {
    expect(
      renderDuplicateComment("B-003", "https://github.com/acme/shop/issues/12"),
    ).toMatchInlineSnapshot(
      `"Merged into [B-003](https://github.com/acme/shop/issues/12): further occurrences are counted there. Closing this one as a duplicate."`,
    );
  });

  it("escalation mentions only valid handles", () => {
    expect(
      renderEscalationComment({
        ref: "B-007",
        assignees: ["alice", "@alice", "not a login"],
        team: ["@acme/backend"],
        severity: "high",
        age: 5 * 3_600_000 + 12 * 60_000,
      }),
    ).toMatchInlineSnapshot(
      `"B-007 (high) has been unresolved for 5 hours 12 minutes. @alice @acme/backend, could you take a look, or set the severity with \`/faultline severity <level>\` if it can wait?"`,
    );
    expect(
      renderEscalationComment({
        ref: "B-008",
        assignees: [],
        team: [],
        severity: "critical",
        age: 30_000,
      }),
    ).toMatchInlineSnapshot(
      `"B-008 (critical) has been unresolved for less than a minute. Nobody is assigned yet: set \`escalation.default_assignees\` or \`oncall\` in \`.github/faultline.yml\`."`,
    );
  });

  it("config errors", () => {
    expect(
      renderConfigErrorComment([
        'escalation.high.after: expected a duration like "4h" or "never", got "soon"',
        'threshhold: unknown key (ignored), did you mean "threshold"?',
        'severity_rules[0].match.message: got "`@team` | x"',
      ]),
    ).toMatchInlineSnapshot(`
      "Faultline found problems in \`.github/faultline.yml\`. The defaults are used for these settings until the file is fixed:

      - \`escalation.high.after: expected a duration like "4h" or "never", got "soon"\`
      - \`threshhold: unknown key (ignored), did you mean "threshold"?\`
      - \`\`severity_rules[0].match.message: got "\`@team\` | x"\`\`"
    `);
  });

  it("command replies escape what the user typed", () => {
    expect(renderCommandReply(true, "Severity set to critical.")).toMatchInlineSnapshot(
      `"✅ Severity set to critical."`,
    );
    expect(
      renderCommandReply(
        false,
        'Unknown severity "<b>@everyone</b>"; use critical, high, medium or low.',
      ),
    ).toMatchInlineSnapshot(
      `"⚠️ Unknown severity "&lt;b&gt;@‍everyone&lt;/b&gt;"; use critical, high, medium or low."`,
    );
  });
});
