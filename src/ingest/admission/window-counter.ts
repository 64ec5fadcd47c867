import { LRUCache } from "lru-cache";

/**
 * Counts per key in fixed windows (one minute: 12:00:00–12:00:59.999). Bounded: past `maxKeys`
 * the least recently used key is forgotten, which can only let a forgotten bug store a few more
 * events, never count an occurrence wrongly. In-process: each replica counts its own reports.
 */
export interface WindowCounter {
  /** How many were added for `key` in the window `now` falls in. */
  count(key: string, now: Date): number;
  add(key: string, now: Date): number;
}

export function createWindowCounter(options: { windowMs: number; maxKeys: number }): WindowCounter {
  const windows = new LRUCache<string, { window: number; count: number }>({
    max: options.maxKeys,
  });
  const windowOf = (now: Date) => Math.floor(now.getTime() / options.windowMs);
  return {
    count(key, now) {
      const entry = windows.get(key);
      return entry && entry.window === windowOf(now) ? entry.count : 0;
    },
    add(key, now) {
      const window = windowOf(now);
      const entry = windows.get(key);
      const count = entry && entry.window === window ? entry.count + 1 : 1;
      windows.set(key, { window, count });
      return count;
    },
  };
}
