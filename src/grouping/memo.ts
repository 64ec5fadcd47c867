/**
 * Memoises a pure string -> T function. Grouping sees the same file names, paths and messages in
 * report after report; their normalisation is a dozen regex passes, a Map lookup is one hash.
 * Bounded: the cache is emptied when full (cheap, and a hostile stream of unique strings costs a
 * Map insert each), and long inputs are not kept at all. `keep` decides which results are worth
 * keeping (all by default): the scrubber keeps only strings that had nothing to filter, so no
 * secret stays in memory.
 */
export function memoizeString<T>(
  fn: (input: string) => T,
  options: {
    maxEntries?: number;
    maxKeyLength?: number;
    keep?: (input: string, value: T) => boolean;
  } = {},
): (input: string) => T {
  const maxEntries = options.maxEntries ?? 2000;
  const maxKeyLength = options.maxKeyLength ?? 512;
  const keep = options.keep;
  const cache = new Map<string, T>();
  return (input) => {
    if (typeof input !== "string" || input.length > maxKeyLength) return fn(input);
    const hit = cache.get(input);
    if (hit !== undefined) return hit;
    const value = fn(input);
    if (keep && !keep(input, value)) return value;
    if (cache.size >= maxEntries) cache.clear();
    cache.set(input, value);
    return value;
  };
}
