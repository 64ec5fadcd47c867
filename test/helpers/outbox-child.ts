/**
 * An outbox worker in a process of its own, for test/integration/outbox-lease.test.ts to kill
 * with SIGKILL while it holds rows: OUTBOX_CHILD_DB (a postgres:// URL), OUTBOX_CHILD_SCHEMA,
 * OUTBOX_CHILD_GITHUB (a GitHub stand-in that never answers). Prints "claimed N" once it holds
 * rows, then waits on GitHub forever.
 */
import { ProbotOctokit } from "probot";
import { createDb } from "../../src/db/index.js";
import { type OutboxOctokit, createOutboxWorker } from "../../src/github/index.js";

const StandInOctokit = ProbotOctokit.defaults((o: Record<string, unknown>) => ({
  ...o,
  retry: { enabled: false },
  throttle: { enabled: false },
}));

const handle = await createDb({
  databaseUrl: process.env.OUTBOX_CHILD_DB,
  schema: process.env.OUTBOX_CHILD_SCHEMA,
  poolSize: 3,
});
const worker = createOutboxWorker({
  db: handle.db,
  getOctokit: async () =>
    new StandInOctokit({
      auth: { token: "test" },
      baseUrl: process.env.OUTBOX_CHILD_GITHUB,
    }) as OutboxOctokit,
});
// runOnce claims, then hangs on the stand-in: say so once the claim is committed.
const claimed = setInterval(async () => {
  const rows = await handle.db
    .selectFrom("outbox")
    .select("id")
    .where("claimed_by", "is not", null)
    .execute();
  if (rows.length > 0) {
    process.stdout.write(`claimed ${rows.length}\n`);
    clearInterval(claimed);
  }
}, 50);
await worker.runOnce();
