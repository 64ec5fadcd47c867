import type { StackFrame } from "./error-event.js";
import { memoizeString } from "./memo.js";

/**
 * In-app detection: grouping and culprits should point at the application's own code, not at
 * the framework or runtime frames that surround every error. An explicit `inApp` from the client
 * always wins; otherwise these heuristics decide.
 */

/** Paths of dependencies, runtimes and generated code, whatever the language. */
const LIBRARY_PATH = new RegExp(
  [
    "node_modules",
    "site-packages",
    "dist-packages",
    "/vendor/",
    "^vendor/",
    "(?:^|[/~.-])vendors?[~.-][^/]*$", // bundler vendor chunks: vendors~main.js, chunk-vendors.js
    "<anonymous>",
    "^<", // <frozen importlib._bootstrap>, <string>
    "^native$",
    "\\[native code\\]",
    "^node:",
    "^internal/",
    "^/usr/lib/",
    "/lib/python\\d",
    "/usr/local/go/",
    "/usr/lib/go",
    "/go/pkg/mod/",
    "/pkg/mod/",
    "/gems/",
    "/rubygems/",
    "/lib/ruby/",
    "^dart:",
    "^package:flutter(?:_\\w+)?/",
    "webpack/bootstrap",
    "\\(webpack\\)",
    "^(?:chrome|moz|safari(?:-web)?)-extension://",
    "/\\.cargo/registry/",
  ].join("|"),
  "i",
);

/** Module/namespace prefixes of JVM, .NET and PHP libraries. */
const LIBRARY_MODULE = new RegExp(
  `^(?:${[
    "java\\.",
    "javax\\.",
    "jakarta\\.",
    "jdk\\.",
    "sun\\.",
    "com\\.sun\\.",
    "kotlin\\.",
    "kotlinx\\.",
    "scala\\.",
    "akka\\.",
    "org\\.springframework\\.",
    "org\\.apache\\.",
    "org\\.hibernate\\.",
    "org\\.eclipse\\.jetty\\.",
    "org\\.junit\\.",
    "io\\.netty\\.",
    "io\\.micronaut\\.",
    "io\\.quarkus\\.",
    "reactor\\.",
    "okhttp3\\.",
    "retrofit2\\.",
    "com\\.fasterxml\\.",
    "com\\.google\\.",
    "android\\.",
    "androidx\\.",
    "dalvik\\.",
    "com\\.android\\.",
    "System\\.",
    "Microsoft\\.",
    "Illuminate\\\\",
    "Laravel\\\\",
    "Symfony\\\\",
    "GuzzleHttp\\\\",
    "Doctrine\\\\",
    "Monolog\\\\",
    "Composer\\\\",
  ].join("|")})`,
);

/** Go standard library packages have no dot in their first path element (`net/http`, `runtime`). */
function isGoStdlib(module: string): boolean {
  if (module === "main" || module.includes(".")) return false;
  return /^(?:runtime|net|sync|reflect|syscall|os|io|bufio|context|fmt|testing|internal|crypto|encoding|database|log|time|strings|bytes|errors|sort|strconv|text|html|math|compress|path|unicode|mime|embed)(?:\/|$)/.test(
    module,
  );
}

/** Memoised: one big alternation per path, and the same paths come in report after report. */
const isLibraryPath = memoizeString((path: string) =>
  LIBRARY_PATH.test(path.replaceAll("\\", "/")),
);

/**
 * Version 1 and ingestion: the client's `in_app` always wins, the heuristics decide the rest.
 * Grouping since version 2 uses `decideInApp`, which trusts the client less.
 */
export function isInAppFrame(frame: StackFrame, platform?: string): boolean {
  if (typeof frame?.inApp === "boolean") return frame.inApp;
  const paths = [frame.filename, frame.absPath].filter((p): p is string => !!p);
  const module = frame.module;
  // No location at all (`[internal function]`, `at async Promise.all (index 0)`): not app code.
  if (paths.length === 0 && !module) return false;
  if (paths.some(isLibraryPath)) return false;
  if (module && LIBRARY_MODULE.test(module)) return false;
  const isGo = platform === "go" || paths.some((p) => p.endsWith(".go"));
  if (isGo && module && isGoStdlib(module)) return false;
  return true;
}

export function markInApp(frames: readonly StackFrame[], platform?: string): StackFrame[] {
  if (!Array.isArray(frames)) return [];
  return frames.map((f) => ({ ...f, inApp: isInAppFrame(f, platform) }));
}

/** A repository's own say on one frame (`grouping.in_app` rules), or undefined. */
export type InAppRule = (frame: StackFrame) => boolean | undefined;

/**
 * In-app as grouping decides it: the repository's rules first; then a frame whose path is
 * unmistakably a dependency or the runtime (site-packages, node_modules, /usr/lib/python3.11,
 * gems) is not the app's, whatever the client says (python-sentry-sdk 1.x marks every frame
 * in-app, the standard library's included, when no in_app_include is set); then the client's
 * flag; then the heuristics.
 */
export function decideInApp(frame: StackFrame, platform?: string, rule?: InAppRule): boolean {
  const ruled = rule?.(frame);
  if (ruled !== undefined) return ruled;
  if (frame.inApp === true) {
    const paths = [frame.absPath, frame.filename].filter((p): p is string => !!p);
    if (paths.some(isLibraryPath)) return false;
    return true;
  }
  return isInAppFrame(frame, platform);
}
