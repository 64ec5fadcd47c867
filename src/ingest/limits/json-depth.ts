/** Deepest JSON nesting a report may have; real SDK payloads stay well under 20. */
export const MAX_JSON_DEPTH = 64;

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * True when `value` nests arrays/objects deeper than `max` levels (the top object is level 1).
 * Iterative, so a hostile 100,000-level body cannot overflow the call stack while being checked.
 */
export function exceedsJsonDepth(value: unknown, max: number = MAX_JSON_DEPTH): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (max < 1) return true;
  // Two parallel stacks of containers only: no tuple and no Object.values array per node. This
  // runs on every report.
  const nodes: object[] = [value];
  const depths: number[] = [1];
  while (nodes.length > 0) {
    const node = nodes.pop() as object;
    const childDepth = (depths.pop() as number) + 1;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const child: unknown = node[i];
        if (typeof child === "object" && child !== null) {
          if (childDepth > max) return true;
          nodes.push(child);
          depths.push(childDepth);
        }
      }
    } else {
      for (const key in node) {
        // Own keys only, as Object.values; V8 makes this check free inside for-in.
        if (!hasOwn.call(node, key)) continue;
        const child: unknown = (node as Record<string, unknown>)[key];
        if (typeof child === "object" && child !== null) {
          if (childDepth > max) return true;
          nodes.push(child);
          depths.push(childDepth);
        }
      }
    }
  }
  return false;
}
