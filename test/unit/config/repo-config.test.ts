import { describe, expect, it } from "vitest";
import {
  DEFAULT_REPO_CONFIG,
  compileRegex,
  compileRepoPatterns,
  formatDuration,
  matchCategoryRule,
  matchSeverityRule,
  parseDuration,
  parseRepoConfig,
} from "../../../src/config/repo-config.js";

const HOUR = 3_600_000;

describe("parseDuration", () => {
  it.each([
    ["30m", 30 * 60_000],
    ["4h", 4 * HOUR],
    ["1d", 24 * HOUR],
    ["2w", 14 * 24 * HOUR],
    ["90s", 90_000],
    ["1h30m", 1.5 * HOUR],
    [" 1.5h ", 1.5 * HOUR],
    ["NEVER", null],
  ])("%s", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["soon", "", "4", "h", "0m", "-1h", "4 hours", "1y"])("rejects %j", (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it("formats back", () => {
    expect(formatDuration(1.5 * HOUR)).toBe("1h30m");
    expect(formatDuration(null)).toBe("never");
    expect(parseDuration(formatDuration(7 * 24 * HOUR))).toBe(7 * 24 * HOUR);
  });
});

describe("parseRepoConfig defaults", () => {
  it.each([null, undefined, {}])("%j gives the defaults without errors", (raw) => {
    const { config, errors } = parseRepoConfig(raw);
    expect(errors).toEqual([]);
    expect(config).toEqual(DEFAULT_REPO_CONFIG);
  });

  it("has a default for every key", () => {
    expect(DEFAULT_REPO_CONFIG).toMatchObject({
      labels: {
        bug: "bug",
        severity: { critical: "severity:critical", low: "severity:low" },
        colors: { bug: "d73a4a" },
      },
      threshold: 1,
      milestones: [10, 100, 1000, 10000, 100000],
      body_update_interval: 5 * 60_000,
      severity_rules: [],
      escalation: {
        enabled: true,
        critical: { after: HOUR },
        high: { after: 4 * HOUR },
        medium: { after: 8 * HOUR },
        low: { after: null },
        team: [],
        default_assignees: [],
        assign: ["suspect", "codeowners", "oncall", "default"],
      },
      pull_requests: { resolve: "merged" },
      oncall: null,
      spikes: { bug_per_hour: null, project_per_hour: 100, critical_per_hour: 50, factor: 5 },
      filters: { exclude_paths: ["/health/", "/static/", "/media/"], ignore_crawlers: true },
      sampling: { critical: 1, error: 1, warning: 0.5, info: 0.1, debug: 0.01 },
      rate_limits: { per_bug_per_minute: 100, per_project_per_minute: 1000 },
      retention: { resolved_events: 30 * 24 * HOUR, events: 90 * 24 * HOUR },
      scrub: { extra_keys: [], extra_patterns: [], ip_addresses: false },
      grouping: { in_app: [], fingerprints: [] },
      digest: { enabled: false, hour_utc: 9 },
      notifications: {
        slack_webhook_url: null,
        events: ["new_bug", "regression", "escalation", "spike"],
      },
      comments: { on_regression: true, on_milestone: true },
    });
  });

  it("is deeply frozen and never shared with parse results", () => {
    expect(Object.isFrozen(DEFAULT_REPO_CONFIG.escalation.high)).toBe(true);
    expect(Object.isFrozen(DEFAULT_REPO_CONFIG.milestones)).toBe(true);
    const { config } = parseRepoConfig({});
    config.milestones.push(5);
    expect(DEFAULT_REPO_CONFIG.milestones).toHaveLength(5);
  });
});

describe("escalation.assign and pull_requests", () => {
  it("take an order of assignee sources and a merge policy; bad values are reported", () => {
    const ok = parseRepoConfig({
      escalation: { assign: ["codeowners", "suspect", "codeowners"] },
      pull_requests: { resolve: "next_release" },
    });
    expect(ok.errors).toEqual([]);
    expect(ok.config.escalation.assign).toEqual(["codeowners", "suspect"]);
    expect(ok.config.pull_requests.resolve).toBe("next_release");

    const bad = parseRepoConfig({
      escalation: { assign: ["oncall", "blame"] },
      pull_requests: { resolve: "always" },
    });
    expect(bad.errors).toHaveLength(2);
    expect(bad.errors.join("\n")).toMatch(/escalation\.assign/);
    expect(bad.errors.join("\n")).toMatch(/pull_requests\.resolve/);
    // As everywhere in lists, the bad item goes and the rest stays.
    expect(bad.config.escalation.assign).toEqual(["oncall"]);
    expect(bad.config.pull_requests.resolve).toBe("merged");
  });
});

describe("parseRepoConfig overrides", () => {
  it("deep-merges a partial file over the defaults", () => {
    const { config, errors } = parseRepoConfig({
      labels: { severity: { high: "prio:high" }, colors: { high: "#FF0000" } },
      escalation: { high: { after: "2h" }, team: ["@acme/backend", "alice"] },
      sampling: { info: 0 },
      milestones: [1000, 10, 10],
      oncall: { rotation: ["@alice", "bob"], start: "2024-01-01T09:00:00Z" },
      _extends: ".github",
    });
    expect(errors).toEqual([]);
    expect(config.labels.severity).toEqual({
      ...DEFAULT_REPO_CONFIG.labels.severity,
      high: "prio:high",
    });
    expect(config.labels.colors.high).toBe("ff0000");
    expect(config.labels.bug).toBe("bug");
    expect(config.escalation.high.after).toBe(2 * HOUR);
    expect(config.escalation.critical.after).toBe(HOUR);
    expect(config.escalation.team).toEqual(["acme/backend", "alice"]);
    expect(config.sampling).toEqual({ ...DEFAULT_REPO_CONFIG.sampling, info: 0 });
    expect(config.milestones).toEqual([10, 1000]);
    expect(config.oncall).toEqual({
      rotation: ["alice", "bob"],
      start: "2024-01-01T09:00:00Z",
      period: 7 * 24 * HOUR,
    });
    expect(config).not.toHaveProperty("_extends");
  });

  it("accepts YAML's readings of dates and numeric colours", () => {
    const { config, errors } = parseRepoConfig({
      oncall: { rotation: ["alice"], start: new Date("2024-01-01T00:00:00Z"), period: "1w" },
      labels: { colors: { low: 123456 } },
    });
    expect(errors).toEqual([]);
    expect(config.oncall?.start).toBe("2024-01-01T00:00:00.000Z");
    expect(config.labels.colors.low).toBe("123456");
  });

  it("accepts never where timers can be off, and null spike thresholds", () => {
    const { config, errors } = parseRepoConfig({
      escalation: { critical: { after: "never" } },
      retention: { events: "never" },
      spikes: { project_per_hour: null, bug_per_hour: 20 },
    });
    expect(errors).toEqual([]);
    expect(config.escalation.critical.after).toBeNull();
    expect(config.retention.events).toBeNull();
    expect(config.spikes.project_per_hour).toBeNull();
    expect(config.spikes.bug_per_hour).toBe(20);
  });
});

describe("parseRepoConfig errors", () => {
  it.each<[string, unknown, string]>([
    [
      "bad duration",
      { escalation: { high: { after: "soon" } } },
      'escalation.high.after: expected a duration like "4h" or "never", got "soon"',
    ],
    [
      "duration as a number",
      { body_update_interval: 5 },
      'body_update_interval: expected a duration like "4h" or "never", got 5',
    ],
    [
      "never where a length is needed",
      { oncall: { rotation: ["a"], start: "2024-01-01", period: "never" } },
      'oncall.period: expected a duration like "4h", got "never"',
    ],
    ["wrong type", { threshold: "many" }, 'threshold: expected a number, got "many"'],
    ["fraction", { threshold: 2.5 }, "threshold: expected a whole number, got 2.5"],
    [
      "empty label",
      { labels: { bug: "" } },
      'labels.bug: expected at least 1 character(s), got ""',
    ],
    ["too small", { threshold: 0 }, "threshold: expected a number >= 1, got 0"],
    ["rate above 1", { sampling: { info: 2 } }, "sampling.info: expected a number <= 1, got 2"],
    [
      "boolean",
      { comments: { on_milestone: "yes" } },
      'comments.on_milestone: expected true or false, got "yes"',
    ],
    ["mapping expected", { digest: "daily" }, 'digest: expected a mapping, got "daily"'],
    ["list expected", { milestones: 10 }, "milestones: expected a list, got 10"],
    [
      "hour out of range",
      { digest: { hour_utc: 24 } },
      "digest.hour_utc: expected a number <= 23, got 24",
    ],
    [
      "enum",
      { notifications: { events: ["new_bug", "deploy"] } },
      'notifications.events[1]: expected one of "new_bug", "regression", "escalation", "spike", got "deploy"',
    ],
    [
      "url",
      { notifications: { webhook_url: "ftp://example.com" } },
      'notifications.webhook_url: expected an http(s) URL or null, got "ftp://example.com"',
    ],
    [
      "colour",
      { labels: { colors: { bug: "red" } } },
      'labels.colors.bug: expected a hex colour like "d73a4a", got "red"',
    ],
    [
      "handle",
      { escalation: { team: ["acme backend"] } },
      'escalation.team[0]: expected a GitHub login or team like "@acme/backend", got "acme backend"',
    ],
    [
      "date",
      { oncall: { rotation: ["alice"], start: "monday" } },
      'oncall.start: expected an ISO date like "2024-01-01T09:00:00Z", got "monday"',
    ],
    [
      "status code",
      { filters: { exclude_status_codes: [404, 700] } },
      "filters.exclude_status_codes[1]: expected a number <= 599, got 700",
    ],
    [
      "top level",
      "threshold: 3",
      'faultline.yml: expected a mapping of settings, got "threshold: 3"',
    ],
  ])("%s", (_name, raw, message) => {
    const { errors } = parseRepoConfig(raw);
    expect(errors).toEqual([message]);
  });

  it("falls back per key and keeps the valid siblings", () => {
    const { config, errors } = parseRepoConfig({
      threshold: -3,
      escalation: { high: { after: "soon" }, medium: { after: "2h" }, team: ["bob", "not valid"] },
      milestones: [5, "x", 50],
      sampling: { debug: 0.5, info: -1 },
    });
    expect(errors).toHaveLength(5);
    expect(config.threshold).toBe(1);
    expect(config.escalation.high.after).toBe(4 * HOUR);
    expect(config.escalation.medium.after).toBe(2 * HOUR);
    // In a list only the bad item goes.
    expect(config.escalation.team).toEqual(["bob"]);
    expect(config.milestones).toEqual([5, 50]);
    expect(config.sampling).toEqual({ ...DEFAULT_REPO_CONFIG.sampling, debug: 0.5 });
  });

  it("drops an incomplete on-call block as a whole, with one error per problem", () => {
    const { config, errors } = parseRepoConfig({ oncall: { rotation: [], start: "2024-01-01" } });
    expect(errors).toEqual(["oncall.rotation: expected at least 1 item(s)"]);
    expect(config.oncall).toBeNull();
  });

  it("reports unknown keys with a suggestion and ignores them", () => {
    const { config, errors } = parseRepoConfig({
      threshhold: 5,
      escalaton: {},
      colour: "red",
      escalation: { hihg: { after: "1h" } },
    });
    expect(errors).toEqual([
      'escalation.hihg: unknown key (ignored), did you mean "high"?',
      'threshhold: unknown key (ignored), did you mean "threshold"?',
      'escalaton: unknown key (ignored), did you mean "escalation"?',
      "colour: unknown key (ignored)",
    ]);
    expect(config).toEqual(DEFAULT_REPO_CONFIG);
  });

  it("reports a bad regex and drops only that rule or pattern", () => {
    const { config, errors } = parseRepoConfig({
      severity_rules: [
        { match: { error_type: "(Timeout" }, severity: "low" },
        { match: { message: "/payment/i", environment: "production" }, severity: "critical" },
        { match: {}, severity: "low" },
        { match: { message: "x" }, severity: "urgent" },
      ],
      filters: { exclude_messages: ["ok", "[a-"], exclude_error_types: ["/x/g"] },
      scrub: { extra_patterns: ["*"] },
    });
    expect(errors).toEqual([
      'severity_rules[0].match.error_type: invalid regular expression (Unterminated group), got "(Timeout"',
      "severity_rules[2].match: a rule needs at least one condition",
      'severity_rules[3].severity: expected one of "critical", "high", "medium", "low", got "urgent"',
      'filters.exclude_error_types[0]: unsupported regex flags "g" (use i, m, s or u), got "/x/g"',
      'filters.exclude_messages[1]: invalid regular expression (Unterminated character class), got "[a-"',
      'scrub.extra_patterns[0]: invalid regular expression (Nothing to repeat), got "*"',
    ]);
    expect(config.severity_rules).toEqual([
      { match: { message: "/payment/i", environment: "production" }, severity: "critical" },
    ]);
    expect(config.filters.exclude_messages).toEqual(["ok"]);
    expect(config.filters.exclude_error_types).toEqual([]);
    expect(config.scrub.extra_patterns).toEqual([]);
  });

  it("reads grouping rules, and reports the broken ones by path", () => {
    const { config, errors } = parseRepoConfig({
      grouping: {
        in_app: [
          { path: "**/vendor/**", app: false },
          { module: "shop.*" },
          { app: true },
          { module: "x".repeat(300), app: true },
        ],
        fingerprints: [
          { match: { type: "ConnectionError", message: "*timed out*" }, fingerprint: ["db"] },
          { match: {}, fingerprint: ["all"] },
          { match: { tags: { tenant: "acme-*" } }, fingerprint: [] },
          { match: { type: "X" }, fingerprint: "not-a-list" },
          { match: { kind: "X" }, fingerprint: ["y"] },
        ],
      },
    });
    expect(errors).toEqual([
      "grouping.in_app[1].app: expected app: true or app: false, got nothing",
      "grouping.in_app[2]: an in_app rule needs path, module or function",
      `grouping.in_app[3].module: expected a pattern of at most 200 characters, got "${"x".repeat(57)}..."`,
      "grouping.fingerprints[1].match: a fingerprint rule's match needs at least one of type, message, module, path, function, tags",
      'grouping.fingerprints[2].fingerprint: expected a list like ["database-timeouts"] or ["{{ default }}", "{{ tags.tenant }}"]',
      'grouping.fingerprints[3].fingerprint: expected a list like ["database-timeouts"] or ["{{ default }}", "{{ tags.tenant }}"], got "not-a-list"',
      "grouping.fingerprints[4].match.kind: unknown key (ignored)",
      "grouping.fingerprints[4].match: a fingerprint rule's match needs at least one of type, message, module, path, function, tags",
    ]);
    expect(config.grouping).toEqual({
      in_app: [{ path: "**/vendor/**", app: false }],
      fingerprints: [
        { match: { type: "ConnectionError", message: "*timed out*" }, fingerprint: ["db"] },
      ],
    });
  });

  it("never throws, whatever it is given", () => {
    for (const raw of [
      42,
      "x",
      [],
      [1, 2],
      true,
      { labels: [] },
      { escalation: null },
      { severity_rules: {} },
    ]) {
      expect(() => parseRepoConfig(raw)).not.toThrow();
      expect(parseRepoConfig(raw).errors.length).toBeGreaterThan(0);
    }
  });
});

describe("compiled patterns", () => {
  it("compiles regexes safely", () => {
    expect(compileRegex("(")).toMatchObject({ ok: false });
    expect(compileRegex("a".repeat(501))).toMatchObject({ ok: false });
    const ok = compileRegex("/TIMEOUT/i");
    expect(ok.ok && ok.regex.test("request timeout")).toBe(true);
  });

  it("matches severity rules in order and path patterns", () => {
    const { config } = parseRepoConfig({
      severity_rules: [
        { match: { message: "/payment/i", environment: "production" }, severity: "critical" },
        { match: { path: "/api/*/internal/**" }, severity: "low" },
        { match: { error_type: "^Timeout" }, severity: "medium" },
      ],
      filters: { exclude_paths: ["/health/", "/assets/*.js"] },
    });
    const patterns = compileRepoPatterns(config);
    expect(compileRepoPatterns(config)).toBe(patterns);
    const base = { errorType: "Error", message: "boom" };
    expect(
      matchSeverityRule(patterns.severityRules, {
        ...base,
        message: "Payment failed",
        environment: "production",
      }),
    ).toBe("critical");
    expect(
      matchSeverityRule(patterns.severityRules, { ...base, message: "Payment failed" }),
    ).toBeUndefined();
    expect(
      matchSeverityRule(patterns.severityRules, { ...base, path: "/api/v1/internal/a/b" }),
    ).toBe("low");
    expect(
      matchSeverityRule(patterns.severityRules, { ...base, path: "/api/v1/x/internal" }),
    ).toBeUndefined();
    expect(matchSeverityRule(patterns.severityRules, { ...base, errorType: "TimeoutError" })).toBe(
      "medium",
    );
    const excluded = (p: string) => patterns.excludePaths.some((re) => re.test(p));
    expect(excluded("/health/live")).toBe(true);
    expect(excluded("/healthz")).toBe(false);
    expect(excluded("/assets/app.js")).toBe(true);
    expect(excluded("/assets/js/app.js")).toBe(false);
  });

  it("matches category rules (status codes, paths, types) and severity rules on the category", () => {
    const { config, errors } = parseRepoConfig({
      categories: {
        label: true,
        rules: [
          { match: { error_type: "^PaymentDeclined$" }, category: "external_service" },
          { match: { status_code: [409, 412], path: "/api/orders/**" }, category: "validation" },
          { match: { status_code: 418 }, category: "not_found" },
          { match: { message: "(?=x)" }, category: "network" },
          { match: {}, category: "timeout" },
          { match: { status_code: 99 }, category: "timeout" },
          { match: { error_type: "X" }, category: "kaput" },
        ],
      },
      severity_rules: [{ match: { category: "database" }, severity: "critical" }],
    });
    expect(errors).toEqual([
      expect.stringMatching(
        /^categories\.rules\[3\]\.match\.message: unsupported regular expression: lookarounds/,
      ),
      "categories.rules[4].match: a rule needs at least one condition",
      "categories.rules[5].match.status_code: expected a number >= 100, got 99",
      expect.stringMatching(
        /^categories\.rules\[6\]\.category: expected one of "network", "timeout"/,
      ),
    ]);
    expect(config.categories.label).toBe(true);
    expect(config.labels.colors.category).toBe("c5def5");
    const patterns = compileRepoPatterns(config);
    const base = { errorType: "Error", message: "boom" };
    expect(
      matchCategoryRule(patterns.categoryRules, { ...base, errorType: "PaymentDeclined" }),
    ).toEqual({ category: "external_service", rule: 1 });
    expect(
      matchCategoryRule(patterns.categoryRules, {
        ...base,
        statusCode: 412,
        path: "/api/orders/7/lines",
      }),
    ).toEqual({ category: "validation", rule: 2 });
    expect(
      matchCategoryRule(patterns.categoryRules, { ...base, statusCode: 412, path: "/api/carts" }),
    ).toBeUndefined();
    expect(matchCategoryRule(patterns.categoryRules, { ...base, statusCode: 418 })).toEqual({
      category: "not_found",
      rule: 3,
    });
    expect(matchCategoryRule(patterns.categoryRules, base)).toBeUndefined();
    expect(matchSeverityRule(patterns.severityRules, { ...base, category: "database" })).toBe(
      "critical",
    );
    expect(matchSeverityRule(patterns.severityRules, { ...base, category: "network" })).toBe(
      undefined,
    );
  });
});
