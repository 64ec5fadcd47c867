import type { ErrorEvent, StackFrame } from "./error-event.js";
import { normaliseFilename } from "./frame-location.js";
import type { InAppRule } from "./in-app.js";
import { memoizeString } from "./memo.js";
import { normaliseMessage } from "./normalise-message.js";
import { type WildcardMatcher, compileWildcard } from "./wildcard.js";

/**
 * A repository's grouping rules (`grouping:` in `.github/faultline.yml`), as code:
 *
 *   grouping:
 *     in_app:                       # first matching rule decides whether a frame is the app's
 *       - { path: "**\/vendor/**", app: false }
 *       - { module: "shop.*", app: true }
 *     fingerprints:                 # first matching rule gives the fingerprint
 *       - match: { type: "ConnectionError", message: "*timed out*" }
 *         fingerprint: ["database-timeouts"]
 *       - match: { path: "**\/legacy/**", tags: { tenant: "*" } }
 *         fingerprint: ["{{ default }}", "{{ tags.tenant }}"]
 *
 * Patterns are wildcards (`*`, `?`, case-insensitive, see wildcard.ts). `path` is matched against
 * a frame's absolute path, its file name and its normalised file; `module` and `function` against
 * the frame's; `type` and `message` against the exception (the message as sent, and normalised);
 * `tags` against the event's tags. A fingerprint rule matches when every field given matches
 * (for frame fields: some frame of the stack). Fingerprint entries may use `{{ default }}` (the
 * built-in fingerprint), `{{ type }}`, `{{ message }}` (normalised) and `{{ tags.<name> }}`.
 */
export interface InAppRuleSettings {
  path?: string;
  module?: string;
  function?: string;
  app: boolean;
}

export interface FingerprintRuleSettings {
  match: {
    type?: string;
    message?: string;
    module?: string;
    path?: string;
    function?: string;
    tags?: Record<string, string>;
  };
  fingerprint: string[];
}

export interface GroupingSettings {
  in_app: InAppRuleSettings[];
  fingerprints: FingerprintRuleSettings[];
}

export const NO_GROUPING_SETTINGS: GroupingSettings = Object.freeze({
  in_app: [],
  fingerprints: [],
}) as GroupingSettings;

/** A fingerprint rule's outcome: its parts, `{{ default }}` still unexpanded. */
export interface RuleFingerprint {
  /** 1-based position in `grouping.fingerprints`, for the grouping reasons shown on the bug. */
  rule: number;
  parts: string[];
}

export interface GroupingRules {
  inApp?: InAppRule;
  /** `frames`: the event's frames, parsed from its raw stack when it came as text. */
  fingerprint?: (event: ErrorEvent, frames: readonly StackFrame[]) => RuleFingerprint | undefined;
}

export const NO_GROUPING_RULES: GroupingRules = Object.freeze({});

/** Memoised per rule: the same paths and modules come in report after report. */
function cachedMatcher(pattern: string | undefined): WildcardMatcher | undefined {
  if (pattern === undefined) return undefined;
  return memoizeString(compileWildcard(pattern), { maxEntries: 2000 });
}

function pathsOf(frame: StackFrame): string[] {
  const out: string[] = [];
  for (const path of [frame.absPath, frame.filename]) {
    if (typeof path !== "string" || path === "") continue;
    out.push(path.replaceAll("\\", "/"));
    out.push(normaliseFilename(path));
  }
  return out;
}

interface FrameMatchers {
  path?: WildcardMatcher;
  module?: WildcardMatcher;
  function?: WildcardMatcher;
}

function frameMatches(frame: StackFrame, m: FrameMatchers): boolean {
  if (m.path && !pathsOf(frame).some(m.path)) return false;
  if (m.module && !m.module(frame.module ?? "")) return false;
  if (m.function && !m.function(frame.function ?? "")) return false;
  return true;
}

function compileInApp(rules: readonly InAppRuleSettings[]): InAppRule | undefined {
  const compiled = rules
    .filter((r) => r.path !== undefined || r.module !== undefined || r.function !== undefined)
    .map((r) => ({
      app: r.app,
      matchers: {
        path: cachedMatcher(r.path),
        module: cachedMatcher(r.module),
        function: cachedMatcher(r.function),
      },
    }));
  if (compiled.length === 0) return undefined;
  return (frame) => compiled.find((r) => frameMatches(frame, r.matchers))?.app;
}

const VARIABLE = /\{\{\s*(type|message|tags\.([^}\s]{1,200}))\s*\}\}/gi;

function fillVariables(part: string, event: ErrorEvent): string {
  return part.replace(VARIABLE, (_all, name: string, tag: string | undefined) => {
    if (tag !== undefined) return event.tags?.[tag] ?? "";
    if (name.toLowerCase() === "type") return event.errorType ?? "";
    return normaliseMessage(event.messageTemplate ?? event.message ?? "");
  });
}

function compileFingerprints(
  rules: readonly FingerprintRuleSettings[],
): GroupingRules["fingerprint"] {
  const compiled = rules
    .map((rule, index) => ({
      number: index + 1,
      parts: rule.fingerprint,
      type: cachedMatcher(rule.match.type),
      message: rule.match.message === undefined ? undefined : compileWildcard(rule.match.message),
      frame: {
        path: cachedMatcher(rule.match.path),
        module: cachedMatcher(rule.match.module),
        function: cachedMatcher(rule.match.function),
      },
      usesFrames:
        rule.match.path !== undefined ||
        rule.match.module !== undefined ||
        rule.match.function !== undefined,
      tags: Object.entries(rule.match.tags ?? {}).map(
        ([name, pattern]) => [name, compileWildcard(pattern)] as const,
      ),
    }))
    .filter((r) => r.parts.length > 0);
  if (compiled.length === 0) return undefined;
  return (event, frames) => {
    for (const rule of compiled) {
      if (rule.type && !rule.type(event.errorType ?? "")) continue;
      if (rule.message) {
        const message = event.message ?? "";
        if (!rule.message(message) && !rule.message(normaliseMessage(message))) continue;
      }
      if (rule.tags.some(([name, match]) => !match(event.tags?.[name] ?? ""))) continue;
      if (rule.usesFrames && !frames.some((f) => frameMatches(f, rule.frame))) {
        continue;
      }
      return { rule: rule.number, parts: rule.parts.map((part) => fillVariables(part, event)) };
    }
    return undefined;
  };
}

/** Compiles a repository's grouping settings; compile once per settings object. */
export function compileGroupingRules(settings: GroupingSettings | undefined): GroupingRules {
  if (!settings) return NO_GROUPING_RULES;
  const inApp = compileInApp(settings.in_app ?? []);
  const fingerprint = compileFingerprints(settings.fingerprints ?? []);
  if (!inApp && !fingerprint) return NO_GROUPING_RULES;
  return { ...(inApp ? { inApp } : {}), ...(fingerprint ? { fingerprint } : {}) };
}
