import { type Kysely, sql } from "kysely";

/**
 * Outbox rows that can never succeed stop ("dead"): `dead_at` says when and `dead_reason` why
 * (suspended, gone, refused, attempts, waited, given_up). A dead row is finished too (`done_at`
 * set), so nothing that looks for pending rows sees it; `faultline outbox` lists it with its
 * `last_error`, and retries or drops it. Rows given up before this migration (finished with an
 * error kept) become dead rows.
 *
 * Finished rows and handled webhook deliveries are pruned by age (the retention job): indexes
 * on the times they are pruned by.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE outbox ADD COLUMN dead_at timestamptz`.execute(db);
  await sql`ALTER TABLE outbox ADD COLUMN dead_reason text`.execute(db);
  await sql`UPDATE outbox SET dead_at = done_at, dead_reason = 'given_up'
    WHERE done_at IS NOT NULL AND last_error IS NOT NULL`.execute(db);
  await sql`CREATE INDEX outbox_finished_idx ON outbox (done_at) WHERE done_at IS NOT NULL AND dead_at IS NULL`.execute(
    db,
  );
  await sql`CREATE INDEX outbox_dead_idx ON outbox (dead_at) WHERE dead_at IS NOT NULL`.execute(db);
  await sql`CREATE INDEX webhook_deliveries_received_idx ON webhook_deliveries (received_at)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX webhook_deliveries_received_idx`.execute(db);
  await sql`DROP INDEX outbox_dead_idx`.execute(db);
  await sql`DROP INDEX outbox_finished_idx`.execute(db);
  await sql`ALTER TABLE outbox DROP COLUMN dead_reason`.execute(db);
  await sql`ALTER TABLE outbox DROP COLUMN dead_at`.execute(db);
}
