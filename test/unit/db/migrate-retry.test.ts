import type { MigrationResultSet } from "kysely";
import { describe, expect, it } from "vitest";
import { changedElsewhereMeanwhile } from "../../../src/db/migrate.js";

/** A failed run as Kysely reports it: a pg error, and each migration's status. */
function failed(
  code: string,
  message: string,
  status: "NotExecuted" | "Error" = "NotExecuted",
): MigrationResultSet {
  return {
    error: Object.assign(new Error(message), { code }),
    results: [{ migrationName: "2026-11-23T0900-initial", direction: "Up", status }],
  };
}

describe("changedElsewhereMeanwhile (migrateToLatest retries)", () => {
  const ours = "t_run_1_ab12cd34";

  it("retries when another schema or one of its tables vanished before anything ran", () => {
    expect(
      changedElsewhereMeanwhile(
        failed("42P01", 'relation "t_run_1_ffff0000.bug_daily" does not exist'),
        ours,
      ),
    ).toBe(true);
    expect(
      changedElsewhereMeanwhile(failed("3F000", 'schema "t_run_1_ffff0000" does not exist'), ours),
    ).toBe(true);
  });

  it("does not retry a problem of our own schema", () => {
    expect(
      changedElsewhereMeanwhile(failed("42P01", `relation "${ours}.bugs" does not exist`), ours),
    ).toBe(false);
    expect(
      changedElsewhereMeanwhile(failed("3F000", `schema "${ours}" does not exist`), ours),
    ).toBe(false);
  });

  it("does not retry once a migration ran, nor other errors", () => {
    expect(
      changedElsewhereMeanwhile(
        failed("42P01", 'relation "t_run_1_ffff0000.bug_daily" does not exist', "Error"),
        ours,
      ),
    ).toBe(false);
    expect(changedElsewhereMeanwhile(failed("42601", "syntax error at or near"), ours)).toBe(false);
    expect(changedElsewhereMeanwhile({ results: [] }, ours)).toBe(false);
  });
});
