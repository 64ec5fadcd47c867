import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestDb, createTestDb, testDatabaseUrl } from "../helpers/db.js";

let t: TestDb;

beforeAll(async () => {
  // One connection: SET TimeZone applies to the session that reads the values.
  t = await createTestDb({ poolSize: 1 });
});
afterAll(async () => {
  await t.close();
});

describe.skipIf(!testDatabaseUrl())("timestamptz read from Postgres", () => {
  it("is the instant Postgres holds, whatever the session's time zone prints", async () => {
    const instants = [
      "2026-11-23 19:12:36.817123+00",
      "2026-03-29 01:30:00.5+00",
      "1999-12-31 23:59:59.999999+00",
      "1850-06-01 12:00:00.25+00", // local mean time: offsets with seconds (+00:19:32)
      "2038-01-19 03:14:08+00",
    ];
    for (const zone of ["UTC", "Asia/Kolkata", "America/St_Johns", "Europe/Amsterdam"]) {
      await sql`SELECT set_config('TimeZone', ${zone}, false)`.execute(t.db);
      const rows = await sql<{ printed: string; ts: Date; ms: number }>`
        SELECT v::timestamptz::text AS printed, v::timestamptz AS ts,
          floor(extract(epoch FROM v::timestamptz) * 1000)::float8 AS ms
        FROM unnest(${instants}::text[]) AS v`.execute(t.db);
      for (const row of rows.rows) {
        expect(row.ts.getTime(), `${zone}: ${row.printed}`).toBe(row.ms);
      }
    }
    await sql`SELECT set_config('TimeZone', 'UTC', false)`.execute(t.db);
  });
});
