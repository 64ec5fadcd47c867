/**
 * Memoises a pure string -> T function. Grouping sees the same file names, paths and messages in
 * report after report; their normalisation is a dozen regex passes, a Map lookup is one hash.
 * Bounded: the cache is emptied when full (cheap, and a hostile stream of unique strings costs a
 * Map insert each), and long inputs are not kept at all.
 */
export function memoizeString<T>(
  fn: (input: string) => T,
  options: { maxEntries?: number; maxKeyLength?: number } = {},
): (input: string) => T {
  const maxEntries = options.maxEntries ?? 2000;
  const maxKeyLength = options.maxKeyLength ?? 512;
  const cache = new Map<string, T>();
  return (input) => {
    if (typeof input !== "string" || input.length > maxKeyLength) return fn(input);
    const hit = cache.get(input);
    if (hit !== undefined) return hit;
    const value = fn(input);
    if (cache.size >= maxEntries) cache.clear();
    cache.set(input, value);
    return value;
  };
}
