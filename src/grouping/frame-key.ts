import type { StackFrame } from "./error-event.js";
import { frameLocation } from "./frame-location.js";
import { stripGeneratedSuffixes, stripProxyHashes } from "./frame-names.js";

/**
 * What one frame contributes to a fingerprint (version 2): where it is (module, else the
 * normalised file), its function, and for the raising frame its source line when the SDK sent
 * one. Line numbers are
 * left out wherever something better exists: they move whenever code above them changes, and a
 * fingerprint that moves with every deploy opens a new issue per deploy.
 *
 * A function name that says nothing (anonymous, `?`, or minified: `n`, `t.r` in a bundle) is
 * replaced by the source line; without one either (browser SDKs send none: Sentry reads it from
 * the source map), by the line and column. That keeps two sites of one minified bundle apart, at
 * a price: a new build of the bundle moves the columns, so each build's sites start new bugs.
 * Keeping names in production builds (esbuild/terser `keepNames`) avoids that.
 */

/** Sentry's bound: a longer source line is minified code or data, not a statement. */
const MAX_CONTEXT_LINE = 120;

const ANONYMOUS =
  /^(?:|\?|<anonymous>|anonymous|<anonymous function>|anonymous function|\{anonymous\}|<lambda>|<unknown>|<redacted>)$/i;

/** Names a minifier gives: one or two characters per dotted part (`n`, `t.r`, `Object.$e`). */
function isMinifiedName(name: string, frame: StackFrame): boolean {
  const file = frame.filename ?? frame.absPath ?? "";
  const bundle = /^https?:\/\//i.test(file) || /\.min\.[cm]?js(?:$|\?)/i.test(file);
  if (!bundle) return false;
  const parts = name.split(".");
  const own = parts[parts.length - 1] ?? "";
  return own.length <= 2 || parts.every((part) => part.length <= 2);
}

/** The frame's function as grouping uses it, or undefined when the name says nothing. */
export function usableFunction(frame: StackFrame): string | undefined {
  let fn = stripGeneratedSuffixes((frame.function ?? "").trim());
  // Ruby: `block (2 levels) in checkout` is a block of checkout; ERB methods end in random ids.
  if (fn.startsWith("block (")) fn = fn.replace(/^block \(\d+ levels\) in /, "block in ");
  if (fn.includes("__")) fn = fn.replace(/__\d{4,}_\d{4,}$/, "");
  const own = fn.split(".").pop() ?? "";
  if (ANONYMOUS.test(fn) || ANONYMOUS.test(own) || fn.endsWith("/<")) return undefined;
  if (isMinifiedName(fn, frame)) return undefined;
  return fn;
}

/** The source line, whitespace folded, when it is short enough to be a statement. */
export function usableContextLine(frame: StackFrame): string | undefined {
  const raw = frame.contextLine;
  if (typeof raw !== "string" || raw.length > MAX_CONTEXT_LINE) return undefined;
  const line = raw.trim().replace(/\s+/g, " ");
  return line === "" ? undefined : line;
}

/**
 * `shop.sites in lookup_price | return PRICES[sku]`, or undefined for a frame with nothing usable.
 * Only the raising frame (`raising`) is told apart by its source line or position: that is the
 * code site. A caller counts by where it is and its name; the line it calls from does not count,
 * so `validate(a); validate(b);` in one function is one bug, and an edit to a caller's line does
 * not split one.
 */
export function frameKey(frame: StackFrame, raising: boolean): string | undefined {
  const raw = frameLocation(frame);
  const location = raw ? stripProxyHashes(raw) : undefined;
  const fn = usableFunction(frame);
  let key = location ?? "?";
  if (fn !== undefined) key += ` in ${fn}`;
  if (!raising) return fn === undefined && location === undefined ? undefined : key;
  const context = usableContextLine(frame);
  if (context !== undefined) key += ` | ${context}`;
  else if (fn === undefined) {
    if (typeof frame.lineno !== "number") return location === undefined ? undefined : key;
    key += ` @ ${frame.lineno}${typeof frame.colno === "number" ? `:${frame.colno}` : ""}`;
  }
  return key;
}
