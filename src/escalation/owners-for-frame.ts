/**
 * CODEOWNERS owners of a stack frame's file: `repoPathForFrame` guesses paths, this picks the
 * first guess that some rule really speaks about.
 */
import { type CodeownersRule, matchingRule } from "./codeowners.js";
import {
  type FrameLocation,
  type RepoPathOptions,
  repoPathForFrame,
} from "./repo-path-for-frame.js";

export interface FrameOwnerMatch {
  /** The candidate path that matched, for explaining the assignment. */
  path: string;
  rule: CodeownersRule;
}

/** Patterns that own every path: they say nothing about where a file really lives. */
const CATCH_ALL = new Set(["*", "**", "/**"]);

/**
 * The first candidate whose deciding rule is specific wins. A catch-all match (`* @org/core`) is
 * only kept as a fallback: otherwise the wrong full path of an unknown deploy root
 * (`opt/build/src/cart.ts`) would always stop at the default owner before its right tail
 * (`src/cart.ts`) reached the `/src/cart/` rule.
 */
export function ownerMatchForFrame(
  rules: readonly CodeownersRule[],
  frame: FrameLocation,
  options?: RepoPathOptions,
): FrameOwnerMatch | undefined {
  let fallback: FrameOwnerMatch | undefined;
  for (const path of repoPathForFrame(frame, options)) {
    const rule = matchingRule(rules, path);
    if (rule === undefined) continue;
    if (!CATCH_ALL.has(rule.pattern)) return { path, rule };
    fallback ??= { path, rule };
  }
  return fallback;
}

export function ownersForFrame(
  rules: readonly CodeownersRule[],
  frame: FrameLocation,
  options?: RepoPathOptions,
): string[] {
  return [...(ownerMatchForFrame(rules, frame, options)?.rule.owners ?? [])];
}
