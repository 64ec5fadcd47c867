/** Deepest JSON nesting a report may have; real SDK payloads stay well under 20. */
export const MAX_JSON_DEPTH = 64;

/**
 * Entries kept per object (its first keys) and per array (its first and last halves: a stack's
 * outermost and innermost frames), and in one report in all. Far above what is stored (50 tags,
 * 200 entries per context container, 250 frames), but a body of 60,000 tags or context keys cost
 * ~0.2-0.4 s of schema validation and key folding before those limits applied, and 8 such
 * requests in parallel stalled the server for seconds.
 */
export const MAX_CONTAINER_ENTRIES = 1_000;
export const MAX_TOTAL_ENTRIES = 20_000;

const hasOwn = Object.prototype.hasOwnProperty;

type Container = Record<string, unknown> | unknown[];

/**
 * True when `value` nests arrays/objects deeper than `max` levels (the top object is level 1).
 * Iterative, so a hostile 100,000-level body cannot overflow the call stack while being checked.
 *
 * The same walk caps containers before any parser or schema sees them (each parser calls this
 * first): an object keeps its first MAX_CONTAINER_ENTRIES keys, an array its first and last
 * halves of that many items, and once MAX_TOTAL_ENTRIES entries were met, further containers
 * are emptied. The body is changed in place (it is the request's own parse).
 */
export function exceedsJsonDepth(value: unknown, max: number = MAX_JSON_DEPTH): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (max < 1) return true;
  // Two parallel stacks of containers only: no tuple and no Object.values array per node. This
  // runs on every report. Children are cut as they are met (their parent then holds the cut
  // copy); only the top object, which the caller holds, is cut in place.
  trimInPlace(value as Container, MAX_CONTAINER_ENTRIES);
  const nodes: Container[] = [value as Container];
  const depths: number[] = [1];
  let budget = MAX_TOTAL_ENTRIES - size(value as Container);
  while (nodes.length > 0) {
    const node = nodes.pop() as Container;
    const childDepth = (depths.pop() as number) + 1;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const child: unknown = node[i];
        if (typeof child === "object" && child !== null) {
          if (childDepth > max) return true;
          const kept = cut(
            child as Container,
            Math.max(0, Math.min(MAX_CONTAINER_ENTRIES, budget)),
          );
          if (kept !== child) node[i] = kept;
          budget -= size(kept);
          nodes.push(kept);
          depths.push(childDepth);
        }
      }
    } else {
      for (const key in node) {
        // Own keys only, as Object.values; V8 makes this check free inside for-in.
        if (!hasOwn.call(node, key)) continue;
        const child: unknown = node[key];
        if (typeof child === "object" && child !== null) {
          if (childDepth > max) return true;
          const kept = cut(
            child as Container,
            Math.max(0, Math.min(MAX_CONTAINER_ENTRIES, budget)),
          );
          if (kept !== child) node[key] = kept;
          budget -= size(kept);
          nodes.push(kept);
          depths.push(childDepth);
        }
      }
    }
  }
  return false;
}

/** Own enumerable keys (or items) of `node`, counted no further than `stop`. */
function size(node: Container, stop = Number.POSITIVE_INFINITY): number {
  if (Array.isArray(node)) return node.length;
  let n = 0;
  for (const key in node) {
    if (hasOwn.call(node, key) && ++n >= stop) break;
  }
  return n;
}

/** `node` itself when within `limit`, else a copy cut down to it (first keys; both ends). */
function cut(node: Container, limit: number): Container {
  if (Array.isArray(node)) {
    if (node.length <= limit) return node;
    const head = Math.ceil(limit / 2);
    return node.slice(0, head).concat(node.slice(node.length - (limit - head)));
  }
  // One enumeration (a for-in that stops early still lists every key of a big object first).
  const keys = Object.keys(node);
  if (keys.length <= limit) return node;
  // A copy of the first keys: deleting tens of thousands of keys costs more.
  const out: Record<string, unknown> = {};
  for (let i = 0; i < limit; i++) {
    const key = keys[i] as string;
    // defineProperty: a `__proto__` key stays data, as JSON.parse made it.
    Object.defineProperty(out, key, {
      value: node[key],
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** The top object is the caller's: cut in place. */
function trimInPlace(node: Container, limit: number): void {
  if (Array.isArray(node)) {
    if (node.length > limit) node.splice(Math.ceil(limit / 2), node.length - limit);
    return;
  }
  let n = 0;
  for (const key in node) {
    if (hasOwn.call(node, key) && n++ >= limit) delete node[key];
  }
}
