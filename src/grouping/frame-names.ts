/**
 * Generated parts of names that change from build to build or run to run. Every fingerprint
 * version uses these as they are (version 1 too: a change here changes version-1 hashes, which
 * its golden table catches); newer versions add their own rules on top.
 */

/** Java lambda numbers, .NET compiler-generated suffixes, PHP 8.4 closure line numbers. */
export function stripGeneratedSuffixes(name: string): string {
  let fn = name;
  // Each rewrite only when its literal part is there: most names have none of them.
  if (fn.includes("lambda$")) fn = fn.replace(/lambda\$([\w$]*?)\$\d+/g, "lambda$$$1$$");
  if (fn.includes("$$Lambda")) fn = fn.replace(/\$\$Lambda[$\w/.]*/g, "$$$$Lambda");
  if (fn.includes("DisplayClass") || fn.includes("__")) {
    fn = fn.replace(/(DisplayClass|b__|d__)\d+(?:_\d+)?/g, "$1");
  }
  if (fn.includes("{closure:")) fn = fn.replace(/(\{closure:[^}]*?):\d+\}/g, "$1}");
  return fn;
}

/** Java/Kotlin proxy classes carry per-run hashes (`Cart$$EnhancerBySpringCGLIB$$a1b2c3`). */
export function stripProxyHashes(location: string): string {
  if (!location.includes("$$")) return location;
  return location.replace(/\$\$[A-Za-z]+\$\$[\w$]*/g, "");
}
