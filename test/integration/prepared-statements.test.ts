import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
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

describe.skipIf(!testDatabaseUrl())("BEGIN held back for the first statement (Postgres)", () => {
  const marked = (n: number) => sql<{ n: number }>`${sql.raw(PREPARED)} SELECT ${n}::int + 1 AS n`;

  /** Texts the pooled client sent during `run`. */
  async function sent(run: () => Promise<unknown>): Promise<string[]> {
    const spy = vi.spyOn(pg.Client.prototype, "query");
    try {
      await run();
      return spy.mock.calls.map(([config]) =>
        typeof config === "string" ? config : (config as { text: string }).text,
      );
    } finally {
      spy.mockRestore();
    }
  }

  it("sends BEGIN and a parsed PREPARED statement as one query", async () => {
    await marked(0).execute(t.db); // parsed on the only connection
    const texts = await sent(() =>
      t.db.transaction().execute(async (trx) => {
        expect((await marked(1).execute(trx)).rows).toEqual([{ n: 2 }]);
        expect((await sql<{ n: number }>`SELECT ${5}::int AS n`.execute(trx)).rows).toEqual([
          { n: 5 },
        ]);
      }),
    );
    expect(texts).toHaveLength(3);
    expect(texts[0]).toMatch(/^BEGIN; EXECUTE fl_[0-9a-f]{40}\(1\)$/);
    expect(texts[2]).toBe("commit");
  });

  it("runs the merged statement inside the transaction: a rollback undoes it", async () => {
    await sql`CREATE TABLE IF NOT EXISTS held_begin (v text)`.execute(t.db);
    const insert = (v: string) =>
      sql`${sql.raw(PREPARED)} INSERT INTO held_begin (v) VALUES (${v})`;
    await insert("parsed").execute(t.db);
    await expect(
      t.db.transaction().execute(async (trx) => {
        await insert("rolled back").execute(trx);
        throw new Error("undo");
      }),
    ).rejects.toThrow("undo");
    // A text holding the dollar-quote tag is not merged; quotes and backslashes are kept as sent.
    for (const v of ["it's \\ fine", "$fl$ tag", "ends in $fl", "$"]) {
      await t.db.transaction().execute((trx) => insert(v).execute(trx));
    }
    const rows = await sql<{ v: string }>`SELECT v FROM held_begin ORDER BY v`.execute(t.db);
    expect(rows.rows.map((r) => r.v)).toEqual([
      "$",
      "$fl$ tag",
      "ends in $fl",
      "it's \\ fine",
      "parsed",
    ]);
  });

  it("a merged statement's error aborts the transaction, and the connection recovers", async () => {
    const divide = (d: number) => sql`${sql.raw(PREPARED)} SELECT 10 / ${d}::int AS q`;
    await divide(1).execute(t.db);
    await expect(t.db.transaction().execute((trx) => divide(0).execute(trx))).rejects.toThrow(
      /division by zero/,
    );
    expect((await divide(2).execute(t.db)).rows).toEqual([{ q: 5 }]);
  });

  it("sends nothing for a transaction that ran no statement; BEGIN goes alone before others", async () => {
    expect(await sent(() => t.db.transaction().execute(async () => 1))).toEqual([]);
    const texts = await sent(() =>
      t.db.transaction().execute((trx) => sql`SELECT ${1}::int AS one`.execute(trx)),
    );
    expect(texts).toEqual(["begin", "SELECT $1::int AS one", "commit"]);
  });
});
