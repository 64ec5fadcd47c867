import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PREPARED } from "../../src/db/index.js";
import { type TestDb, createTestDb, testDatabaseUrl } from "../helpers/db.js";

let t: TestDb;

beforeAll(async () => {
  // One connection: the prepared statements of a session are visible to that session only.
  t = await createTestDb({ poolSize: 1 });
});
afterAll(async () => {
  await t.close();
});

/** Statements prepared on the (only) pooled connection, by text. */
async function preparedTexts(): Promise<string[]> {
  const rows = await sql<{ statement: string }>`
    SELECT statement FROM pg_prepared_statements`.execute(t.db);
  return rows.rows.map((r) => r.statement);
}

describe.skipIf(!testDatabaseUrl())("prepared statements (Postgres)", () => {
  it("prepares a marked statement once per connection and leaves others alone", async () => {
    const marked = (n: number) =>
      sql<{ n: number }>`${sql.raw(PREPARED)} SELECT ${n}::int + 1 AS n`.execute(t.db);
    expect((await marked(1)).rows).toEqual([{ n: 2 }]);
    expect((await marked(41)).rows).toEqual([{ n: 42 }]);
    await sql`SELECT ${7}::int AS plain`.execute(t.db);

    const texts = await preparedTexts();
    expect(texts.filter((s) => s.startsWith(PREPARED))).toHaveLength(1);
    expect(texts.some((s) => s.includes("AS plain"))).toBe(false);
  });

  it("still answers a marked statement's errors as errors", async () => {
    await expect(
      sql`${sql.raw(PREPARED)} SELECT 1 / ${0}::int AS boom`.execute(t.db),
    ).rejects.toThrow(/division by zero/);
    // The connection stays usable, the statement too.
    await expect(
      sql<{ ok: number }>`${sql.raw(PREPARED)} SELECT 1 / ${1}::int AS boom`.execute(t.db),
    ).resolves.toMatchObject({ rows: [{ boom: 1 }] });
  });
});
