/**
 * Repository configuration: `.github/faultline.yml`, read through Probot's `context.config`
 * (so `_extends` works) and handed here as a parsed object, or null when the file is absent.
 *
 * Every key has a default. An invalid file is never a crash and never silently ignored: each bad
 * value falls back to its default and yields one readable error line, which the caller reports
 * (see `renderConfigErrorComment`). Durations are strings in YAML and milliseconds here
 * (`null` = never); regexes stay strings here, validated, and are compiled by
 * `compileRepoPatterns`.
 */
import { z } from "zod";
import { CATEGORIES, type Category, MAX_WILDCARD_PATTERN } from "../grouping/index.js";
import { compileExtraPatterns } from "../scrub/extra-patterns.js";
import { ScrubConfigError } from "../scrub/scrub-config-error.js";
import { parseDuration } from "./repo-config/duration.js";
import {
  type PathSegment,
  defaultMessage,
  describeValue,
  formatIssue,
  valueAt,
} from "./repo-config/format-issue.js";
import { compilePathPattern, compileRegex } from "./repo-config/patterns.js";

export { formatDuration, parseDuration } from "./repo-config/duration.js";
export {
  type CompiledRegex,
  compilePathPattern,
  compileRegex,
  MAX_PATTERN_LENGTH,
} from "./repo-config/patterns.js";

export const SEVERITIES = ["critical", "high", "medium", "low"] as const;
export type RepoSeverity = (typeof SEVERITIES)[number];

export const NOTIFICATION_EVENTS = ["new_bug", "regression", "escalation", "spike"] as const;

/** Where escalation looks for assignees (`escalation.assign`), in the default order. */
export const ASSIGNEE_SOURCES = ["suspect", "codeowners", "oncall", "default"] as const;
export type AssigneeSource = (typeof ASSIGNEE_SOURCES)[number];

// ---------------------------------------------------------------------------------------------
// Building blocks

/** A duration string; `allowNever` admits `"never"` (-> null). */
function duration(fallback: string, allowNever: boolean) {
  const hint = allowNever ? 'a duration like "4h" or "never"' : 'a duration like "4h"';
  return z
    .string({ error: `expected ${hint}` })
    .refine(
      (text) => {
        const ms = parseDuration(text);
        return ms !== undefined && (allowNever || ms !== null);
      },
      { error: `expected ${hint}` },
    )
    .transform((text) => parseDuration(text) ?? null)
    .prefault(fallback);
}

/** A regex source, validated now so that a bad one is a config error rather than a crash later. */
const regex = z.string({ error: "expected a regular expression (a string)" }).check((ctx) => {
  const compiled = compileRegex(ctx.value);
  if (!compiled.ok) {
    ctx.issues.push({ code: "custom", message: compiled.error, input: ctx.value });
  }
});

/**
 * A scrub pattern: a regex as above that also must not match the empty string (it would put
 * "[Filtered]" between every character), checked by the scrubber's own compiler.
 */
const scrubPattern = regex.check((ctx) => {
  try {
    compileExtraPatterns([ctx.value]);
  } catch (error) {
    if (!(error instanceof ScrubConfigError)) throw error;
    ctx.issues.push({ code: "custom", message: error.message, input: ctx.value });
  }
});

/** A wildcard of grouping rules (`*`, `?`; matched without regexes, see grouping/wildcard.ts). */
const wildcard = z
  .string({ error: 'expected a pattern like "shop.*" or "**/vendor/**"' })
  .min(1)
  .max(MAX_WILDCARD_PATTERN, {
    error: `expected a pattern of at most ${MAX_WILDCARD_PATTERN} characters`,
  });

const MAX_GROUPING_RULES = 50;

/** `{path|module|function: <wildcard>, app: true|false}`: at least one of the three. */
const inAppRule = z
  .strictObject({
    path: wildcard.optional(),
    module: wildcard.optional(),
    function: wildcard.optional(),
    app: z.boolean({ error: "expected app: true or app: false" }),
  })
  .refine((r) => r.path !== undefined || r.module !== undefined || r.function !== undefined, {
    error: "an in_app rule needs path, module or function",
  });

/** `{match: {type, message, module, path, function, tags}, fingerprint: [..]}`. */
const fingerprintRule = z.strictObject({
  match: z
    .strictObject({
      type: wildcard.optional(),
      message: wildcard.optional(),
      module: wildcard.optional(),
      path: wildcard.optional(),
      function: wildcard.optional(),
      tags: z.record(z.string().min(1).max(200), wildcard).optional(),
    })
    .refine((m) => Object.values(m).some((v) => v !== undefined), {
      error:
        "a fingerprint rule's match needs at least one of type, message, module, path, function, tags",
    }),
  fingerprint: z
    .array(z.string().min(1).max(500), {
      error: 'expected a list like ["database-timeouts"] or ["{{ default }}", "{{ tags.tenant }}"]',
    })
    .min(1)
    .max(20),
});

/** GitHub label colour: six hex digits, `#` optional; YAML may read `123456` as a number. */
const color = (fallback: string) =>
  z
    .union([z.string(), z.int().nonnegative()], { error: 'expected a hex colour like "d73a4a"' })
    .transform((v) => (typeof v === "number" ? String(v).padStart(6, "0") : v))
    .pipe(
      z
        .string()
        .regex(/^#?[0-9a-fA-F]{6}$/, { error: 'expected a hex colour like "d73a4a"' })
        .transform((v) => v.replace(/^#/, "").toLowerCase()),
    )
    .prefault(fallback);

const labelName = (fallback: string) =>
  z
    .string()
    .trim()
    .min(1)
    .max(50, { error: "expected a label name of at most 50 characters (GitHub's limit)" })
    .prefault(fallback);

const HANDLE = /^@?[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\/[A-Za-z0-9][A-Za-z0-9_.-]*)?$/;
/** `@alice`, `alice`, `@acme/backend`: stored without the `@`. */
const handle = z
  .string({ error: 'expected a GitHub login or team like "@acme/backend"' })
  .regex(HANDLE, { error: 'expected a GitHub login or team like "@acme/backend"' })
  .transform((v) => v.replace(/^@/, ""));
const login = z
  .string({ error: 'expected a GitHub login like "alice"' })
  .regex(/^@?[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, { error: 'expected a GitHub login like "alice"' })
  .transform((v) => v.replace(/^@/, ""));

const positiveInt = (fallback: number) => z.int().min(1).prefault(fallback);
const rate = (fallback: number) => z.number().min(0).max(1).prefault(fallback);
/** A positive hourly threshold, or null to switch that check off. */
const perHour = (fallback: number | null) =>
  z
    .number({ error: "expected a positive number or null (off)" })
    .positive()
    .nullable()
    .prefault(fallback);
const url = z
  .url({ protocol: /^https?$/, error: "expected an http(s) URL or null" })
  .nullable()
  .prefault(null);

const severity = z.enum(SEVERITIES);
const category = z.enum(CATEGORIES);
const statusCode = z.int().min(100).max(599);

// ---------------------------------------------------------------------------------------------
// The schema. Each key: what it does, in one line.

const severityRule = z.strictObject({
  /** Conditions, all of which must hold; at least one is required. */
  match: z
    .strictObject({
      /** Regex on the exception class (`TypeError`, `java.lang.NullPointerException`). */
      error_type: regex.optional(),
      /** Regex on the error message. */
      message: regex.optional(),
      /** Exact environment name (`production`). */
      environment: z.string().optional(),
      /** Exact service name. */
      service: z.string().optional(),
      /** Request path: prefix or glob, like `filters.exclude_paths`. */
      path: z.string().min(1).optional(),
      /** The category the new bug gets (built-in, or from `categories.rules`). */
      category: category.optional(),
    })
    .refine((m) => Object.values(m).some((v) => v !== undefined), {
      error: "a rule needs at least one condition",
    }),
  /** Severity given to matching errors. */
  severity,
});

const categoryRule = z.strictObject({
  /** Conditions, all of which must hold; at least one is required. */
  match: z
    .strictObject({
      /** Regex on the exception class. */
      error_type: regex.optional(),
      /** Regex on the error message. */
      message: regex.optional(),
      /** Status of the failed request: one code or a list. */
      status_code: z
        .union([statusCode, z.array(statusCode).min(1).max(100)], {
          error: "expected an HTTP status code like 404, or a list of them",
        })
        .transform((v) => (Array.isArray(v) ? v : [v]))
        .optional(),
      /** Request path: prefix or glob, like `filters.exclude_paths`. */
      path: z.string().min(1).optional(),
      environment: z.string().optional(),
      service: z.string().optional(),
    })
    .refine((m) => Object.values(m).some((v) => v !== undefined), {
      error: "a rule needs at least one condition",
    }),
  /** Category given to matching errors. */
  category,
});

const escalationStep = (after: string) =>
  z
    .strictObject({
      /** Age of an unresolved bug before escalation starts. */
      after: duration(after, true),
    })
    .prefault({});

export const repoConfigSchema = z
  .strictObject({
    /** Labels Faultline puts on issues (created with these colours when missing). */
    labels: z
      .strictObject({
        bug: labelName("bug"),
        severity: z
          .strictObject({
            critical: labelName("severity:critical"),
            high: labelName("severity:high"),
            medium: labelName("severity:medium"),
            low: labelName("severity:low"),
          })
          .prefault({}),
        escalated: labelName("escalated"),
        regression: labelName("regression"),
        /** Hex colours without `#`, one per label above. */
        colors: z
          .strictObject({
            bug: color("d73a4a"),
            critical: color("b60205"),
            high: color("d93f0b"),
            medium: color("fbca04"),
            low: color("0e8a16"),
            escalated: color("5319e7"),
            regression: color("e99695"),
            /** Of the `category:<name>` labels (when `categories.label` is on). */
            category: color("c5def5"),
          })
          .prefault({}),
      })
      .prefault({}),

    /** Occurrences of a bug before its issue is opened. */
    threshold: positiveInt(1),

    /**
     * New issues opened per hour in this repository; past it, new bugs are listed in one
     * "N new bugs" issue (or a comment on it) and get their own issue as the limit allows.
     */
    new_issues_per_hour: positiveInt(20),

    /** Occurrence counts that earn a comment on the issue (sorted, duplicates dropped). */
    milestones: z
      .array(z.int().min(1))
      .max(50)
      .transform((list) => [...new Set(list)].sort((a, b) => a - b))
      .prefault([10, 100, 1000, 10000, 100000]),

    /** Least time between two rewrites of an issue body with fresh counts. */
    body_update_interval: duration("5m", true),

    /** Severity overrides applied over the level mapping; the first matching rule wins. */
    severity_rules: z.array(severityRule).max(200).prefault([]),

    /** Error categories (network, timeout, database…) of new bugs. */
    categories: z
      .strictObject({
        /** Also label each new bug's issue `category:<name>` (never `category:unknown`). */
        label: z.boolean().prefault(false),
        /** Overrides of the built-in derivation; the first matching rule wins. */
        rules: z.array(categoryRule).max(200).prefault([]),
      })
      .prefault({}),

    /** Escalation ladder for unresolved bugs: assign, then mention, then further. */
    escalation: z
      .strictObject({
        /** Off switch for the whole ladder. */
        enabled: z.boolean().prefault(true),
        critical: escalationStep("1h"),
        high: escalationStep("4h"),
        medium: escalationStep("8h"),
        low: escalationStep("never"),
        /** Logins or `org/team` slugs mentioned at step 2 (stored without `@`). */
        team: z.array(handle).prefault([]),
        /** Logins assigned at step 1 when no on-call or CODEOWNERS owner is found. */
        default_assignees: z.array(login).max(10).prefault([]),
        /**
         * Where step 1 looks for assignees, first found wins: the suspect commit's author,
         * CODEOWNERS of the top in-app frame's file, the on-call person, default_assignees.
         */
        assign: z
          .array(z.enum(ASSIGNEE_SOURCES), {
            error: `expected a list of ${ASSIGNEE_SOURCES.join(", ")}`,
          })
          .max(ASSIGNEE_SOURCES.length * 2)
          .transform((list) => [...new Set(list)])
          .prefault([...ASSIGNEE_SOURCES]),
      })
      .prefault({}),

    /** Pull requests (and commits pushed to the default branch) that say they fix a bug. */
    pull_requests: z
      .strictObject({
        /**
         * What merging a fix into the default branch does: `merged` resolves the bug,
         * `next_release` resolves it in the next release, `off` only links the pull request.
         */
        resolve: z.enum(["merged", "next_release", "off"]).prefault("merged"),
      })
      .prefault({}),

    /** On-call rotation: who is assigned first; null = none. */
    oncall: z
      .strictObject({
        /** Logins, in rotation order. */
        rotation: z.array(login).min(1),
        /** When the first person's turn began (ISO 8601, e.g. `2024-01-01T09:00:00Z`). */
        start: z
          .string({ error: 'expected an ISO date like "2024-01-01T09:00:00Z"' })
          .refine((v) => /^\d{4}-\d{2}-\d{2}/.test(v) && !Number.isNaN(Date.parse(v)), {
            error: 'expected an ISO date like "2024-01-01T09:00:00Z"',
          }),
        /** Length of one person's turn. */
        period: duration("7d", false),
      })
      .nullable()
      .prefault(null),

    /** Spike detection: a comment/notification when the hourly rate jumps. null = off. */
    spikes: z
      .strictObject({
        /** Events per hour for any single bug. */
        bug_per_hour: perHour(null),
        /** Events per hour across the whole repository. */
        project_per_hour: perHour(100),
        /** Events per hour of critical bugs. */
        critical_per_hour: perHour(50),
        /** Spike when an hour exceeds this multiple of the trailing 24h hourly average. */
        factor: z.number().gt(1).prefault(5),
        /** Hours with fewer events never count as a spike. */
        min_events: positiveInt(10),
      })
      .prefault({}),

    /** Reports dropped before grouping (still counted in ingest metrics). */
    filters: z
      .strictObject({
        /** Request paths: prefix (`/health/`) or glob (`/api/*\/ping`). */
        exclude_paths: z.array(z.string().min(1)).prefault(["/health/", "/static/", "/media/"]),
        /** HTTP status codes of the failed request (e.g. 404). */
        exclude_status_codes: z.array(z.int().min(100).max(599)).prefault([]),
        /** Exact environment names. */
        exclude_environments: z.array(z.string()).prefault([]),
        /** Regexes on the exception class. */
        exclude_error_types: z.array(regex).prefault([]),
        /** Regexes on the message. */
        exclude_messages: z.array(regex).prefault([]),
        /** Drop browser errors raised inside extensions (`chrome-extension://…` frames). */
        ignore_browser_extensions: z.boolean().prefault(true),
        /** Drop reports whose User-Agent is a known crawler. */
        ignore_crawlers: z.boolean().prefault(true),
      })
      .prefault({}),

    /** Share of reports kept, per level, 0..1 ("fatal" counts as critical). */
    sampling: z
      .strictObject({
        critical: rate(1),
        error: rate(1),
        warning: rate(0.5),
        info: rate(0.1),
        debug: rate(0.01),
      })
      .prefault({}),

    /** Reports accepted per minute; the excess is counted but not stored. */
    rate_limits: z
      .strictObject({
        per_bug_per_minute: positiveInt(100),
        per_project_per_minute: positiveInt(1000),
      })
      .prefault({}),

    /** How long events are kept; bugs themselves are kept. */
    retention: z
      .strictObject({
        /** Events of resolved bugs. */
        resolved_events: duration("30d", true),
        /** All other events. */
        events: duration("90d", true),
      })
      .prefault({}),

    /**
     * Grouping rules as code (src/grouping/grouping-rules.ts): which frames are the app's, and
     * fingerprints for events that the built-in grouping splits or joins wrongly.
     */
    grouping: z
      .strictObject({
        in_app: z.array(inAppRule).max(MAX_GROUPING_RULES).prefault([]),
        fingerprints: z.array(fingerprintRule).max(MAX_GROUPING_RULES).prefault([]),
      })
      .prefault({}),

    /** Scrubbing on top of the built-in rules. */
    scrub: z
      .strictObject({
        /** Extra field names whose values are replaced (case-insensitive). */
        extra_keys: z.array(z.string().min(1)).prefault([]),
        /** Extra regexes whose matches are replaced in any string. */
        extra_patterns: z.array(scrubPattern).prefault([]),
        /**
         * Also replace IPv4/IPv6 addresses in strings. Opt-in: they help debugging, and version
         * strings such as 1.2.3.4 cannot be told from an address.
         */
        ip_addresses: z.boolean().prefault(false),
      })
      .prefault({}),

    /** A daily digest: one issue per repository, its body rewritten each day. */
    digest: z
      .strictObject({
        enabled: z.boolean().prefault(false),
        /** Hour of day, UTC, 0..23. */
        hour_utc: z.int().min(0).max(23).prefault(9),
      })
      .prefault({}),

    /** Outgoing notifications besides GitHub. */
    notifications: z
      .strictObject({
        slack_webhook_url: url,
        /** Generic webhook receiving a JSON POST per event. */
        webhook_url: url,
        /** Which events are sent. */
        events: z.array(z.enum(NOTIFICATION_EVENTS)).prefault([...NOTIFICATION_EVENTS]),
      })
      .prefault({}),

    /** Which comments Faultline writes on issues. */
    comments: z
      .strictObject({
        on_regression: z.boolean().prefault(true),
        on_milestone: z.boolean().prefault(true),
      })
      .prefault({}),

    /** Probot's inheritance key; resolved by `context.config` before it reaches us. */
    _extends: z.unknown().optional(),
  })
  .transform(({ _extends, ...config }) => config);

/** Fully defaulted configuration; durations in ms (`null` = never). */
export type RepoConfig = z.output<typeof repoConfigSchema>;

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

export const DEFAULT_REPO_CONFIG: RepoConfig = deepFreeze(repoConfigSchema.parse({}));

// ---------------------------------------------------------------------------------------------
// Parsing with per-key fallback

/** Known keys at a path of the schema, for "did you mean" hints. */
function knownKeysAt(path: readonly PathSegment[]): string[] {
  let schema: z.core.$ZodType | undefined = repoConfigSchema;
  const unwrap = (s: z.core.$ZodType): z.core.$ZodType => {
    const def = s._zod.def as { type: string; innerType?: z.core.$ZodType; in?: z.core.$ZodType };
    if (def.innerType) return unwrap(def.innerType);
    if (def.type === "pipe" && def.in) return unwrap(def.in);
    return s;
  };
  for (const segment of [...path, null]) {
    if (!schema) return [];
    schema = unwrap(schema);
    const def = schema._zod.def as {
      type: string;
      shape?: Record<string, z.core.$ZodType>;
      element?: z.core.$ZodType;
    };
    if (segment === null) return def.shape ? Object.keys(def.shape) : [];
    schema = typeof segment === "number" ? def.element : def.shape?.[String(segment)];
  }
  return [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

const REMOVED = Symbol("removed");

/**
 * Removes what an issue points at, so that the next parse uses the default there. Inside a list
 * the whole item goes (a half-valid severity rule must not match more than meant); unknown keys
 * are dropped one by one; anything else loses the key holding the bad value.
 */
function removeAt(root: unknown, issue: z.core.$ZodIssue, path: readonly PathSegment[]): unknown {
  const firstIndex = path.findIndex((s) => typeof s === "number");
  let target: PathSegment[];
  let keys: PathSegment[];
  if (firstIndex >= 0) {
    target = path.slice(0, firstIndex);
    keys = [path[firstIndex] as number];
  } else if (issue.code === "unrecognized_keys") {
    target = [...path];
    keys = issue.keys;
  } else if (path.length === 0) {
    return undefined;
  } else {
    target = path.slice(0, -1);
    keys = [path[path.length - 1] as PathSegment];
  }
  let container: unknown = root;
  for (const segment of target) {
    container = (container as Record<PropertyKey, unknown> | undefined)?.[segment];
  }
  if (Array.isArray(container)) {
    // Mark now, compact later: indices of the other issues must stay valid meanwhile.
    for (const k of keys) container[k as number] = REMOVED;
  } else if (isRecord(container)) {
    for (const k of keys) delete container[k as string];
  }
  return root;
}

function compact(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => v !== REMOVED).map(compact);
  if (isRecord(value)) {
    for (const [k, v] of Object.entries(value)) value[k] = compact(v);
  }
  return value;
}

/** A plain deep copy of YAML-shaped data (objects, arrays, scalars). */
function clone(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(clone);
  if (value instanceof Date) return value.toISOString();
  if (isRecord(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clone(v)]));
  }
  return value;
}

export interface ParsedRepoConfig {
  config: RepoConfig;
  errors: string[];
}

/**
 * Validates a parsed `.github/faultline.yml`. Never throws. `null`/`undefined` (no file) gives
 * the defaults without errors; each invalid value falls back to its default and adds one error
 * line; unknown keys are reported (typo detection) and ignored.
 */
export function parseRepoConfig(raw: unknown): ParsedRepoConfig {
  if (raw === null || raw === undefined) return { config: repoConfigSchema.parse({}), errors: [] };
  if (!isRecord(raw)) {
    return {
      config: repoConfigSchema.parse({}),
      errors: [`faultline.yml: expected a mapping of settings, got ${describeValue(raw)}`],
    };
  }
  const errors: string[] = [];
  // YAML timestamps (`start: 2024-01-01`) arrive as Date objects: read them as ISO strings.
  let input = clone(raw);
  // Each round removes every bad value it found; removal can only expose defaults, which are
  // valid, so a second round normally succeeds. The bound is a guard, not a plan.
  for (let round = 0; round < 5; round++) {
    const result = repoConfigSchema.safeParse(input, { error: (iss) => defaultMessage(iss) });
    if (result.success) return { config: result.data, errors: dedupe(errors) };
    const removals: Array<[z.core.$ZodIssue, PathSegment[]]> = [];
    for (const issue of result.error.issues) {
      const missing = round > 0 && valueAt(input, issue.path) === undefined;
      if (missing && issue.path.length > 1) {
        // A required key we removed last round (oncall.rotation): the whole block falls back.
        removals.push([issue, issue.path.slice(0, -1)]);
      } else {
        errors.push(...formatIssue(issue, input, knownKeysAt));
        removals.push([issue, issue.path]);
      }
    }
    for (const [issue, path] of removals) input = removeAt(input, issue, path);
    input = compact(input);
  }
  return { config: repoConfigSchema.parse({}), errors: dedupe(errors) };
}

function dedupe(list: string[]): string[] {
  return [...new Set(list)];
}

// ---------------------------------------------------------------------------------------------
// Compiled patterns

/** The conditions of a severity or category rule, compiled. */
export interface CompiledMatch {
  errorType?: RegExp;
  message?: RegExp;
  environment?: string;
  service?: string;
  path?: RegExp;
  statusCodes?: readonly number[];
  category?: Category;
}

export interface CompiledSeverityRule extends CompiledMatch {
  severity: RepoSeverity;
}

export interface CompiledCategoryRule {
  match: CompiledMatch;
  /** The category it gives. */
  category: Category;
  /** 1-based position in `categories.rules`, for the bug's category reason. */
  index: number;
}

export interface CompiledRepoPatterns {
  severityRules: CompiledSeverityRule[];
  categoryRules: CompiledCategoryRule[];
  excludePaths: RegExp[];
  excludeErrorTypes: RegExp[];
  excludeMessages: RegExp[];
  scrubPatterns: RegExp[];
}

const compiledCache = new WeakMap<RepoConfig, CompiledRepoPatterns>();

function compileAll(patterns: readonly string[]): RegExp[] {
  const out: RegExp[] = [];
  for (const p of patterns) {
    const compiled = compileRegex(p);
    if (compiled.ok) out.push(compiled.regex);
  }
  return out;
}

/**
 * The config's regexes and path patterns, compiled once per config object. Never throws: the
 * patterns were validated by parseRepoConfig, and any that still fail to compile are skipped.
 */
export function compileRepoPatterns(config: RepoConfig): CompiledRepoPatterns {
  const cached = compiledCache.get(config);
  if (cached) return cached;
  const one = (p: string | undefined): RegExp | undefined => {
    if (p === undefined) return undefined;
    const compiled = compileRegex(p);
    return compiled.ok ? compiled.regex : undefined;
  };
  // undefined when a pattern does not compile: the rule is then left out, never half-applied.
  const compileMatch = (m: {
    error_type?: string | undefined;
    message?: string | undefined;
    environment?: string | undefined;
    service?: string | undefined;
    path?: string | undefined;
    status_code?: number[] | undefined;
    category?: Category | undefined;
  }): CompiledMatch | undefined => {
    const compiled: CompiledMatch = {};
    if (m.error_type !== undefined) {
      const re = one(m.error_type);
      if (!re) return undefined;
      compiled.errorType = re;
    }
    if (m.message !== undefined) {
      const re = one(m.message);
      if (!re) return undefined;
      compiled.message = re;
    }
    if (m.environment !== undefined) compiled.environment = m.environment;
    if (m.service !== undefined) compiled.service = m.service;
    if (m.path !== undefined) compiled.path = compilePathPattern(m.path);
    if (m.status_code !== undefined) compiled.statusCodes = m.status_code;
    if (m.category !== undefined) compiled.category = m.category;
    return compiled;
  };
  const severityRules: CompiledSeverityRule[] = [];
  for (const rule of config.severity_rules) {
    const match = compileMatch(rule.match);
    if (match) severityRules.push({ ...match, severity: rule.severity });
  }
  const categoryRules: CompiledCategoryRule[] = [];
  config.categories.rules.forEach((rule, i) => {
    const match = compileMatch(rule.match);
    if (match) categoryRules.push({ match, category: rule.category, index: i + 1 });
  });
  const patterns: CompiledRepoPatterns = {
    severityRules,
    categoryRules,
    excludePaths: config.filters.exclude_paths.map(compilePathPattern),
    excludeErrorTypes: compileAll(config.filters.exclude_error_types),
    excludeMessages: compileAll(config.filters.exclude_messages),
    scrubPatterns: compileAll(config.scrub.extra_patterns),
  };
  compiledCache.set(config, patterns);
  return patterns;
}

/** What severity and category rules are matched against. */
export interface RuleSubject {
  errorType: string;
  message: string;
  environment?: string | undefined;
  service?: string | undefined;
  /** The request's path (no host, no query). */
  path?: string | undefined;
  statusCode?: number | undefined;
  /** The bug's category, for severity rules. */
  category?: string | undefined;
}

function matches(rule: CompiledMatch, event: RuleSubject): boolean {
  if (rule.errorType && !rule.errorType.test(event.errorType)) return false;
  if (rule.message && !rule.message.test(event.message)) return false;
  if (rule.environment !== undefined && rule.environment !== event.environment) return false;
  if (rule.service !== undefined && rule.service !== event.service) return false;
  if (rule.path && (event.path === undefined || !rule.path.test(event.path))) return false;
  if (
    rule.statusCodes &&
    (event.statusCode === undefined || !rule.statusCodes.includes(event.statusCode))
  ) {
    return false;
  }
  if (rule.category !== undefined && rule.category !== event.category) return false;
  return true;
}

/** The first severity rule matching an event, if any (rules override the level mapping). */
export function matchSeverityRule(
  rules: readonly CompiledSeverityRule[],
  event: RuleSubject,
): RepoSeverity | undefined {
  return rules.find((rule) => matches(rule, event))?.severity;
}

/** The first category rule matching an event, if any (rules override the built-in derivation). */
export function matchCategoryRule(
  rules: readonly CompiledCategoryRule[],
  event: RuleSubject,
): { category: Category; rule: number } | undefined {
  const rule = rules.find((r) => matches(r.match, event));
  return rule ? { category: rule.category, rule: rule.index } : undefined;
}
