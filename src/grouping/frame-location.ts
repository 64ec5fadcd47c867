import type { StackFrame } from "./error-event.js";
import { memoizeString } from "./memo.js";

/**
 * Where a frame is, in a form that survives redeploys: no scheme/host, query, build hash, or
 * deploy root. Used by both the culprit (for people) and the fingerprint (for grouping).
 */

const SCHEME_AND_HOST = /^[a-z][\w+.-]*:\/\/[^/]*/i;
// Dependencies: keep from the package directory on, wherever it was installed.
const DEPENDENCY_DIR =
  /^.*?\/((?:node_modules|site-packages|dist-packages|vendor|gems|pkg\/mod)\/)/;
// Deploy roots (and the project directory under them): /var/www/app/, /home/deploy/shop/, /app/.
const DEPLOY_ROOT =
  /^\/(?:var\/www|srv|opt|home\/[^/]+|Users\/[^/]+|usr\/src|usr\/app|code|workspace|builds?|inetpub\/wwwroot|tmp\/build_[^/]+)\/(?:[^/]+\/(?=.*\/))?|^\/app\//;
const RELEASE_DIR = /^(?:releases\/[^/]+|current)\//;
// Dot-separated hashes (webpack `main.3f2a1b9c.js`) and numeric chunk ids, which change per build.
const DOT_HASH = /^(?:(?=[0-9a-f]*\d)[0-9a-f]{5,}|\d+)$/;
// Dash-separated hashes: hex, or Vite's 8-character base64url (`index-BxHgT5kz.js`), which is
// told from a word by mixing cases or digits and not being a capitalised word.
const DASH_HASH =
  /^(?:(?=[0-9a-f]*\d)[0-9a-f]{5,}|(?![A-Z][a-z]+$)(?=[\w-]*[A-Z])(?=[\w-]*[a-z\d])[\w-]{8}|(?=[\w-]*\d)(?=[\w-]*[a-z])[\w-]{8})$/;

/** `main.3f2a1b9c.js` -> `main.js`, `index-BxHgT5kz.js` -> `index.js`, `812.4f3a.chunk.js` -> `chunk.js`. */
function stripBuildHash(basename: string): string {
  const parts = basename.split(".");
  if (parts.length < 2) return basename;
  const extension = parts.pop() as string;
  const kept = parts
    .map((part) => {
      const dash = part.lastIndexOf("-");
      return dash > 0 && DASH_HASH.test(part.slice(dash + 1)) ? part.slice(0, dash) : part;
    })
    .filter((part) => part !== "" && !DOT_HASH.test(part));
  return `${kept.length > 0 ? kept.join(".") : "chunk"}.${extension}`;
}

/** Memoised: the same few files appear in report after report. */
export const normaliseFilename: (raw: string) => string = memoizeString(normaliseUncached);

function normaliseUncached(raw: string): string {
  let path = raw.trim().replaceAll("\\", "/");
  path = path.replace(SCHEME_AND_HOST, "");
  path = path.replace(/[?#].*$/, "");
  path = path.replace(/^[A-Za-z]:(?=\/)/, "");
  path = path.replace(/\/\.(?=\/)/g, "").replace(/^\.\//, "/");
  const dependency = DEPENDENCY_DIR.exec(path);
  if (dependency) path = path.slice(dependency[0].length - (dependency[1]?.length ?? 0));
  else path = path.replace(DEPLOY_ROOT, "").replace(/^\//, "").replace(RELEASE_DIR, "");
  const slash = path.lastIndexOf("/");
  path = path.slice(0, slash + 1) + stripBuildHash(path.slice(slash + 1));
  return path.replace(/^\/+/, "").slice(0, 300);
}

/** Module when known (stable across machines), else the normalised file. */
export function frameLocation(frame: StackFrame): string | undefined {
  if (frame.module) return frame.module.slice(0, 300);
  const file = frame.filename ?? frame.absPath;
  return file ? normaliseFilename(file) || undefined : undefined;
}
