import { LRUCache } from "lru-cache";

/**
 * Counts per key in fixed windows (one minute: 12:00:00–12:00:59.999). Only the current window's
 * keys are kept: they are dropped when the first report of the next window arrives, so memory
 * follows the keys active in one window, not every key ever seen. Bounded within a window too:
 * past `maxKeys` the least recently used key is forgotten, which can only let a forgotten bug
 * store a few more events, never count an occurrence wrongly. In-process: each replica counts
 * its own reports.
 */
export interface WindowCounter {
  /** How many were added for `key` in the window `now` falls in. */
  count(key: string, now: Date): number;
  add(key: string, now: Date): number;
  /** Keys held (those of the current window). */
  readonly size: number;
}

export function createWindowCounter(options: { windowMs: number; maxKeys: number }): WindowCounter {
  const counts = new LRUCache<string, number>({ max: options.maxKeys });
  let current = Number.NaN;
  // The counts of another window say nothing about this one.
  const enter = (now: Date) => {
    const window = Math.floor(now.getTime() / options.windowMs);
    if (window !== current) {
      counts.clear();
      current = window;
    }
  };
  return {
    count(key, now) {
      enter(now);
      return counts.get(key) ?? 0;
    },
    add(key, now) {
      enter(now);
      const count = (counts.get(key) ?? 0) + 1;
      counts.set(key, count);
      return count;
    },
    get size() {
      return counts.size;
    },
  };
}
