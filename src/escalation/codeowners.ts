/**
 * CODEOWNERS parsing and lookup with GitHub's semantics: the last matching rule wins, and a
 * matching rule without owners leaves the path unowned. Rules are plain data (they can be cached
 * or logged); their compiled matchers are kept aside in a WeakMap.
 */
import {
  type PathMatcher,
  compileCodeownersPattern,
  invalidPatternReason,
} from "./codeowners-pattern.js";

export interface CodeownersRule {
  /** The pattern as written (backslash escapes kept, e.g. `My\ Docs/`). */
  pattern: string;
  /** `@user`, `@org/team` or e-mail addresses, in file order; empty = explicitly unowned. */
  owners: string[];
  /** 1-based line number in the file, to point people at the rule that decided. */
  line: number;
}

export interface SkippedCodeownersLine {
  line: number;
  text: string;
  reason: string;
}

/** Where GitHub looks for the file, first found wins (GitHub docs, "CODEOWNERS file location"). */
export const codeownersPaths = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"] as const;

// Underscores appear in Enterprise Managed User logins (`octocat_acme`).
const USER_OWNER = /^@[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?$/;
const TEAM_OWNER = /^@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\/[A-Za-z0-9._-]+$/;
const EMAIL_OWNER = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

export function isTeamOwner(owner: string): boolean {
  return TEAM_OWNER.test(owner);
}

export function isUserOwner(owner: string): boolean {
  return USER_OWNER.test(owner);
}

/**
 * Rules in file order. Lines GitHub would skip (bad owner, unsupported pattern syntax, GitLab
 * `[Section]` headers) are left out, so an earlier rule keeps applying, as on GitHub; pass
 * `onSkipped` to report them.
 */
export function parseCodeowners(
  text: string,
  onSkipped?: (skipped: SkippedCodeownersLine) => void,
): CodeownersRule[] {
  const rules: CodeownersRule[] = [];
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  lines.forEach((raw, index) => {
    const tokens = tokenize(raw);
    const [pattern, ...owners] = tokens;
    if (pattern === undefined) return;
    const line = index + 1;
    const reason =
      invalidPatternReason(pattern) ??
      owners
        .filter((o) => !isUserOwner(o) && !isTeamOwner(o) && !EMAIL_OWNER.test(o))
        .map((o) => `"${o}" is not a @user, @org/team or e-mail owner`)[0];
    if (reason !== undefined) {
      onSkipped?.({ line, text: raw, reason });
      return;
    }
    rules.push({ pattern, owners, line });
  });
  return rules;
}

/**
 * Splits a line on unescaped whitespace and stops at a `#` that starts a token (a comment line,
 * or an inline comment after the owners, as GitHub's own example shows). `\ ` stays escaped in the
 * pattern so the matcher reads it as a literal space.
 */
function tokenize(line: string): string[] {
  const tokens: string[] = [];
  let current = "";
  for (let i = 0; i < line.length; i++) {
    const ch = line.charAt(i);
    if (ch === "\\" && i + 1 < line.length) {
      current += ch + line.charAt(i + 1);
      i++;
    } else if (/\s/.test(ch)) {
      if (current !== "") tokens.push(current);
      current = "";
    } else if (ch === "#" && current === "") {
      break;
    } else {
      current += ch;
    }
  }
  if (current !== "") tokens.push(current);
  return tokens;
}

const matchers = new WeakMap<CodeownersRule, PathMatcher>();

function matcherFor(rule: CodeownersRule): PathMatcher {
  let matcher = matchers.get(rule);
  if (matcher === undefined) {
    matcher = compileCodeownersPattern(rule.pattern);
    matchers.set(rule, matcher);
  }
  return matcher;
}

/** The rule that decides ownership of `filePath` (the last one matching), if any. */
export function matchingRule(
  rules: readonly CodeownersRule[],
  filePath: string,
): CodeownersRule | undefined {
  for (let i = rules.length - 1; i >= 0; i--) {
    const rule = rules[i];
    if (rule !== undefined && matcherFor(rule)(filePath)) return rule;
  }
  return undefined;
}

/** Owners of a repo-relative path; `[]` when nothing matches or the winning rule un-owns it. */
export function ownersFor(rules: readonly CodeownersRule[], filePath: string): string[] {
  return [...(matchingRule(rules, filePath)?.owners ?? [])];
}
