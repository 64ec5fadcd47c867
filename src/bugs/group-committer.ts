/**
 * Why a write was refused or failed before its COMMIT was known to succeed: the queue is full
 * (the database is not keeping up), the process is shutting down, or the database cannot be
 * reached (restart, failover). HTTP answers 503 with Retry-After; nothing was acknowledged.
 */
export class StoreUnavailableError extends Error {
  override name = "StoreUnavailableError";
  constructor(
    readonly code: "queue_full" | "closing" | "database_unavailable",
    message: string,
    readonly retryAfterSeconds: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export interface GroupCommitterOptions<T, R> {
  /** Commits all items in one transaction; returns one result per item, in order. */
  commitBatch(items: readonly T[]): Promise<R[]>;
  /** Commits one item alone: used to isolate the culprit when a batch fails. */
  commitOne(item: T): Promise<R>;
  /** Items per transaction at most (default 500). */
  maxBatch?: number;
  /** Items waiting for a transaction at most; beyond, submit refuses (default 10,000). */
  maxQueue?: number;
  /** Transactions in flight at once (default 2). */
  maxInFlight?: number;
  /** Told when a batch failed and its items are retried one by one. */
  onBatchFailure?: (error: unknown, size: number) => void;
}

export interface GroupCommitter<T, R> {
  /** Resolves once the item's transaction has committed. */
  submit(item: T): Promise<R>;
  /** Resolves once every item submitted so far is committed (or failed). */
  flush(): Promise<void>;
  /** Refuses new items, then drains the queue. */
  close(): Promise<void>;
  /** Items waiting for a transaction. */
  readonly queued: number;
}

interface Pending<T, R> {
  item: T;
  resolve(result: R): void;
  reject(error: unknown): void;
}

/**
 * Adaptive group commit. While fewer than `maxInFlight` transactions run, a new item is written on
 * the next turn of the event loop (setImmediate: the items that arrived in the same turn share it),
 * so a lone client waits for one round trip, not a timer. When all slots are busy, items pile up
 * and go together as soon as one transaction finishes: the busier, the bigger the batches.
 */
export function createGroupCommitter<T, R>(
  options: GroupCommitterOptions<T, R>,
): GroupCommitter<T, R> {
  const maxBatch = options.maxBatch ?? 500;
  const maxQueue = options.maxQueue ?? 10_000;
  const maxInFlight = options.maxInFlight ?? 2;
  const queue: Pending<T, R>[] = [];
  let inFlight = 0;
  let scheduled = false;
  let closed = false;
  let idleWaiters: (() => void)[] = [];

  function schedule() {
    if (scheduled || queue.length === 0 || inFlight >= maxInFlight) return;
    scheduled = true;
    setImmediate(run);
  }

  function run() {
    scheduled = false;
    while (queue.length > 0 && inFlight < maxInFlight) {
      const batch = queue.splice(0, maxBatch);
      inFlight++;
      void commit(batch);
    }
  }

  async function commit(batch: Pending<T, R>[]) {
    let results: R[];
    try {
      results = await options.commitBatch(batch.map((p) => p.item));
    } catch (error) {
      if (error instanceof StoreUnavailableError) {
        // The database is gone, not one item bad: committing each alone would fail the same way,
        // one connect timeout after another.
        inFlight--;
        for (const pending of batch) pending.reject(error);
        schedule();
        notifyIdle();
        return;
      }
      try {
        // One bad item must not fail the others: find it by committing each alone.
        options.onBatchFailure?.(error, batch.length);
        for (const pending of batch) {
          try {
            pending.resolve(await options.commitOne(pending.item));
          } catch (itemError) {
            pending.reject(itemError);
          }
        }
      } finally {
        inFlight--;
        schedule();
        notifyIdle();
      }
      return;
    }
    // The slot is free once COMMIT returns: the items waiting meanwhile start their transaction
    // now, and Postgres works on it while this group's answers are written.
    inFlight--;
    run();
    batch.forEach((pending, i) => pending.resolve(results[i] as R));
    notifyIdle();
  }

  function notifyIdle() {
    if (queue.length > 0 || inFlight > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const wake of waiters) wake();
  }

  function flush(): Promise<void> {
    if (queue.length === 0 && inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => idleWaiters.push(resolve));
  }

  return {
    submit(item) {
      if (closed) {
        return Promise.reject(
          new StoreUnavailableError("closing", "the server is shutting down: retry shortly", 5),
        );
      }
      if (queue.length >= maxQueue) {
        return Promise.reject(
          new StoreUnavailableError(
            "queue_full",
            `too many reports waiting to be stored (${maxQueue}): retry shortly`,
            1,
          ),
        );
      }
      return new Promise<R>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        schedule();
      });
    },
    flush,
    async close() {
      closed = true;
      await flush();
    },
    get queued() {
      return queue.length;
    },
  };
}
