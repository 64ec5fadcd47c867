/**
 * Stack frame file -> candidate repo-relative paths, for CODEOWNERS lookup. Runtimes print where
 * the file was deployed (`/app/src/cart.ts`, `/var/www/html/app/...`), bundlers print their own
 * URLs (`webpack:///./src/cart.ts`), browsers print served URLs; none of them print the repo path,
 * so this guesses, most specific first, and says how sure each guess is by its position.
 */

/** Structurally a subset of `StackFrame` (grouping), so any frame can be passed as it is. */
export interface FrameLocation {
  filename?: string;
  absPath?: string;
  module?: string;
}

export interface RepoPathOptions {
  /** Deploy roots of this project (`/opt/shop/`), tried before the built-in ones. */
  extraRoots?: readonly string[];
}

/**
 * Common deploy roots, most specific first. A Capistrano-style `releases/<id>/` or `current/`
 * after the root is part of the root. Anchored at the path start so that a Laravel `app/` inside
 * `/var/www/html/` is kept.
 */
const RELEASE = "(?:releases/[^/]+/|current/)?";
const BUILT_IN_ROOTS: readonly RegExp[] = [
  "/usr/src/app/",
  "/usr/app/",
  "/opt/app/",
  "/app/",
  "/var/task/", // AWS Lambda, Vercel functions
  "/workspace/", // Cloud Build, buildpacks
  "/var/www/html/",
  "/var/www/[^/]+/",
  "/srv/[^/]+/",
  "/home/runner/work/[^/]+/[^/]+/", // GitHub Actions checkout
  "/home/[^/]+/[^/]+/",
  "/inetpub/wwwroot/",
].map((root) => new RegExp(`^${root}${RELEASE}`));

interface Guess {
  path: string;
  /** False when the path was absolute under an unknown root: its tail is probably right. */
  sure: boolean;
}

export function repoPathForFrame(frame: FrameLocation, options: RepoPathOptions = {}): string[] {
  const guesses = [frame.filename, frame.absPath]
    .map((raw) => (raw === undefined ? undefined : guessPath(raw, options)))
    .filter((g): g is Guess => g !== undefined && g.path !== "");

  const sure = guesses
    .filter((g) => g.sure)
    .map((g) => g.path)
    .sort((a, b) => depth(b) - depth(a));
  // An unknown root: the full path, then ever shorter tails down to `dir/file` (a lone file name
  // adds nothing, since a pattern without a slash already matches it at any depth).
  const tails = guesses
    .filter((g) => !g.sure)
    .flatMap((g) => {
      const parts = g.path.split("/");
      const out: string[] = [];
      for (let i = 0; i < parts.length - 1; i++) out.push(parts.slice(i).join("/"));
      return out.length > 0 ? out : [g.path];
    });
  const fromModule = modulePath(frame);

  return [...new Set([...sure, ...tails, ...(fromModule === undefined ? [] : [fromModule])])];
}

function guessPath(raw: string, options: RepoPathOptions): Guess | undefined {
  let s = raw.trim();
  if (s === "") return undefined;

  const windowsDrive = /^[A-Za-z]:[\\/]/.exec(s);
  if (windowsDrive) s = s.slice(2);
  else {
    const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(s)?.[1]?.toLowerCase();
    if (scheme === "webpack") {
      // webpack:///./src/x.ts (no namespace) or webpack://my-app/./src/x.ts (webpack 5).
      s = s.replace(/^webpack:\/\/[^/]*\//i, "");
      return { path: cleanSegments(stripQuery(s)), sure: true };
    }
    if (scheme === "app") return { path: cleanSegments(stripQuery(s.slice(4))), sure: true };
    if (scheme === "http" || scheme === "https") {
      try {
        return { path: cleanSegments(decodeURIComponent(new URL(s).pathname)), sure: true };
      } catch {
        return undefined;
      }
    }
    if (scheme === "file") s = stripQuery(s.replace(/^file:\/\//i, ""));
    else if (scheme !== undefined) return undefined; // node:internal/..., blob:, chrome-extension:
  }

  s = s.replaceAll("\\", "/");
  if (s.startsWith("<") || s === "[native code]") return undefined; // <anonymous>, <string>
  if (!s.startsWith("/")) return { path: cleanSegments(s), sure: true };

  const absolute = `/${cleanSegments(s)}`;
  for (const root of options.extraRoots ?? []) {
    const prefix = `/${cleanSegments(root)}/`;
    if (prefix !== "//" && absolute.startsWith(prefix)) {
      return { path: absolute.slice(prefix.length), sure: true };
    }
  }
  for (const root of BUILT_IN_ROOTS) {
    const m = root.exec(absolute);
    if (m && m[0].length < absolute.length) {
      return { path: absolute.slice(m[0].length), sure: true };
    }
  }
  return { path: absolute.slice(1), sure: false };
}

/** Drops empty and `.` segments and resolves `..` (never above the start). */
function cleanSegments(path: string): string {
  const out: string[] = [];
  for (const seg of path.replaceAll("\\", "/").split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") out.pop();
    else out.push(seg);
  }
  return out.join("/");
}

function stripQuery(s: string): string {
  return s.replace(/[?#].*$/, "");
}

function depth(path: string): number {
  return path.split("/").length;
}

/**
 * `com.acme.cart.CartService` + `CartService.java` -> `com/acme/cart/CartService.java`. Last resort:
 * it lacks the source root (`src/main/java/`), so only unanchored patterns can match it.
 */
function modulePath(frame: FrameLocation): string | undefined {
  const { module, filename } = frame;
  if (module === undefined || filename === undefined) return undefined;
  if (!/^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/.test(module)) return undefined;
  const base = filename.replaceAll("\\", "/").split("/").at(-1) ?? "";
  const dot = base.lastIndexOf(".");
  if (dot <= 0) return undefined;
  const parts = module.split(".");
  if (parts.at(-1) !== base.slice(0, dot)) return undefined;
  return `${parts.join("/")}${base.slice(dot)}`;
}
