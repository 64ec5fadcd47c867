import { LRUCache } from "lru-cache";

/**
 * Which bug counts a fingerprint (`projectId\0fingerprint` -> bug id, merges followed), learnt
 * from earlier groups: a group whose fingerprints are all known skips its lookup, one round trip
 * of four. Only bugs found in the database are remembered (committed already), never ones a group
 * creates (its transaction may still roll back). An entry can go stale (the bug merged or deleted
 * since): the group's write then fails, the group is stored report by report on the full path,
 * and its entries are forgotten.
 */
export class KnownTargets {
  private readonly targets: LRUCache<string, number>;

  constructor(max = 20_000) {
    this.targets = new LRUCache({ max });
  }

  /** The bug of every key, or undefined when one of them is not known. */
  all(keys: readonly string[]): Map<string, number> | undefined {
    const found = new Map<string, number>();
    for (const key of keys) {
      const id = this.targets.get(key);
      if (id === undefined) return undefined;
      found.set(key, id);
    }
    return found;
  }

  remember(key: string, bugId: number): void {
    this.targets.set(key, bugId);
  }

  forget(keys: Iterable<string>): void {
    for (const key of keys) this.targets.delete(key);
  }
}
