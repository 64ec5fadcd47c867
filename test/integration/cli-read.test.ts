import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CliError } from "../../src/cli/cli-error.js";
import { bugsCommand } from "../../src/cli/commands/bugs.js";
import { exportCommand } from "../../src/cli/commands/export.js";
import type { ReadCommand } from "../../src/cli/commands/read-command.js";
import { statsCommand } from "../../src/cli/commands/stats.js";
import { type TestDb, createTestDb } from "../helpers/db.js";
import { seedBug, seedEvent, seedHourly, seedProject } from "../helpers/read-seed.js";

const NOW = new Date("2026-11-23T12:30:00Z");
const dir = mkdtempSync(join(tmpdir(), "faultline-cli-read-"));
let t: TestDb;

beforeAll(async () => {
  t = await createTestDb();
  const shop = (await seedProject(t.db, "octo-org/shop")).id;
  const other = (await seedProject(t.db, "octo-org/other")).id;
  const b1 = await seedBug(t.db, shop, 1, {
    title: "TypeError: cart is undefined",
    severity: "high",
    category: "programming_error",
    occurrence_count: 1234,
    first_seen: "2026-11-23T09:00:00Z",
    last_seen: "2026-11-23T11:59:00Z",
  });
  await seedBug(t.db, shop, 2, {
    title: 'Timeout, talking to "payments"',
    severity: "low",
    category: "timeout",
    status: "resolved",
    occurrence_count: 7,
    first_seen: "2026-11-20T09:00:00Z",
    last_seen: "2026-11-21T10:00:00Z",
    resolved_at: "2026-11-23T10:00:00Z",
  });
  await seedBug(t.db, other, 1, { title: "Other project bug" });
  await seedHourly(t.db, b1, shop, "2026-11-23T10:00:00Z", 30, "production", "api");
  await seedHourly(t.db, b1, shop, "2026-11-23T11:00:00Z", 12, "staging", "api");
  await seedEvent(t.db, b1, shop, "2026-11-23T10:01:00Z", { userId: "u1", message: "a,b" });
});
afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function runCommand<O>(command: ReadCommand<O>, argv: string[]) {
  const options = command.parse(argv, NOW);
  if (options && typeof options === "object" && "help" in options) return options.help as string;
  const stdout = new PassThrough();
  let streamed = "";
  stdout.on("data", (chunk) => {
    streamed += chunk;
  });
  const printed = await command.run(t.db, options as O, { now: NOW, stdout });
  return printed || streamed;
}

describe("faultline bugs", () => {
  it("prints an aligned table, newest first, with the repo when not filtered", async () => {
    const all = await runCommand(bugsCommand, []);
    expect(all).toBe(
      [
        "REF    REPO            SEVERITY  CATEGORY           STATUS    COUNT  LAST SEEN         TITLE",
        "B-001  octo-org/other  medium    unknown            open          0  2026-11-01 00:00  Other project bug",
        'B-002  octo-org/shop   low       timeout            resolved      7  2026-11-21 10:00  Timeout, talking to "payments"',
        "B-001  octo-org/shop   high      programming_error  open       1234  2026-11-23 11:59  TypeError: cart is undefined",
      ].join("\n"),
    );

    const open = await runCommand(bugsCommand, ["--repo", "octo-org/shop", "--status", "open"]);
    expect(open).toBe(
      [
        "REF    SEVERITY  CATEGORY           STATUS  COUNT  LAST SEEN         TITLE",
        "B-001  high      programming_error  open     1234  2026-11-23 11:59  TypeError: cart is undefined",
      ].join("\n"),
    );
    expect(await runCommand(bugsCommand, ["--category", "timeout"])).toBe(
      [
        "REF    REPO           SEVERITY  CATEGORY  STATUS    COUNT  LAST SEEN         TITLE",
        'B-002  octo-org/shop  low       timeout   resolved      7  2026-11-21 10:00  Timeout, talking to "payments"',
      ].join("\n"),
    );
    expect(await runCommand(bugsCommand, ["--repo", "octo-org/shop", "--limit", "1"])).toContain(
      "more bugs match",
    );
    expect(await runCommand(bugsCommand, ["--severity", "critical"])).toBe("no bugs match");
  });

  it("names bad flags", async () => {
    const bad: [string[], string][] = [
      [["--status", "closed"], '--status: "closed" is not one of open, in_progress'],
      [["--severity", "urgent"], '--severity: "urgent" is not one of critical'],
      [["--category", "kaput"], '--category: "kaput" is not one of network, timeout'],
      [["--limit", "0"], "--limit: expected a whole number from 1 to 200"],
      [["--limit", "ten"], "--limit: expected a whole number"],
      [["--repo", "nope"], '--repo: "nope" is not a repository name'],
      [["--since", "7d"], "Unknown option '--since'"],
      [["extra"], 'unexpected argument "extra"'],
    ];
    for (const [argv, message] of bad) {
      expect(() => bugsCommand.parse(argv, NOW)).toThrow(CliError);
      expect(() => bugsCommand.parse(argv, NOW)).toThrow(message);
    }
    await expect(runCommand(bugsCommand, ["--repo", "octo-org/ghost"])).rejects.toThrow(
      "no project for octo-org/ghost: run 'faultline dsn octo-org/ghost' first",
    );
  });
});

describe("faultline stats", () => {
  it("prints a readable summary", async () => {
    const out = await runCommand(statsCommand, ["--repo", "octo-org/shop", "--since", "7d"]);
    expect(out).toContain("octo-org/shop: 2026-11-16 12:00 to 2026-11-23 13:00 UTC");
    // Every figure says what it counts: events (error reports) or bugs.
    expect(out).toMatch(/events\s+42 {2}error reports received \(occurrences of bugs\)\n/);
    expect(out).toMatch(/bugs seen\s+1 {2}bugs with events in the range\n/);
    expect(out).toMatch(/new bugs\s+2 {2}bugs first seen in the range\n/);
    expect(out).toMatch(/resolved\s+1 {2}bugs resolved in the range\n/);
    expect(out).toMatch(/affected users\s+1 {2}distinct user ids/);
    // B-002: first seen 11-20 09:00, resolved 11-23 10:00 -> 3d 1h.
    expect(out).toMatch(/mean time to resolve\s+3d 1h {2}first seen to resolved\n/);
    expect(out).toContain("busiest hour: 2026-11-23 10:00 UTC, 30 events");
    expect(out).toContain(
      "  environment:  production 30 events (1 bug), staging 12 events (1 bug)",
    );
    expect(out).toContain("B-001        42 events  TypeError: cart is undefined");
    expect(out).not.toMatch(/occurrences\s+\d/);
  });

  it("names a bad --since", () => {
    expect(() => statsCommand.parse(["--since", "last week"], NOW)).toThrow(
      '--since: expected an ISO 8601 date/time or a duration back from now like 24h, 7d, 30m, got "last week"',
    );
    expect(() => statsCommand.parse(["--since", "2030-01-01"], NOW)).toThrow("must be in the past");
  });
});

describe("faultline export", () => {
  it("streams CSV to stdout and JSON to a file", async () => {
    const csv = await runCommand(exportCommand, ["--repo", "octo-org/shop", "--format", "csv"]);
    expect(csv.split("\n")[2]).toContain('"Timeout, talking to ""payments"""');
    const out = join(dir, "events.json");
    const message = await runCommand(exportCommand, [
      "--format",
      "json",
      "--what",
      "events",
      "--out",
      out,
    ]);
    expect(message).toBe(`wrote 1 events to ${out}`);
    expect(JSON.parse(readFileSync(out, "utf8"))).toMatchObject([{ message: "a,b", userId: "u1" }]);
    expect(existsSync(`${out}.partial`)).toBe(false);
    await expect(
      runCommand(exportCommand, ["--format", "csv", "--out", join(dir, "missing/dir/x.csv")]),
    ).rejects.toThrow(`--out: cannot write ${join(dir, "missing/dir/x.csv")} (ENOENT)`);
  });

  it("requires --format and names bad values", () => {
    expect(() => exportCommand.parse([], NOW)).toThrow(
      "--format is required: one of csv, json, ndjson",
    );
    expect(() => exportCommand.parse(["--format", "xml"], NOW)).toThrow('--format: "xml"');
    expect(() => exportCommand.parse(["--format", "csv", "--what", "users"], NOW)).toThrow(
      '--what: "users" is not one of bugs, events',
    );
  });
});

describe("the faultline binary", () => {
  const run = promisify(execFile);
  const BIN = join(import.meta.dirname, "../../bin/faultline.js");
  async function faultline(...args: string[]) {
    try {
      const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
        env: { ...process.env, DATABASE_URL: "", DATA_DIR: join(dir, "data") },
        cwd: dir,
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }

  it("exits 2 with the message on a bad flag, and lists the read commands in its usage", async () => {
    const bad = await faultline("bugs", "--status", "closed");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('faultline: --status: "closed" is not one of');
    const usage = await faultline("--help");
    expect(usage.stdout).toContain("export [--repo o/r] --format csv|json|ndjson");
    const help = await faultline("stats", "--help");
    expect(help.stdout).toContain("usage: faultline stats");
  }, 60_000);

  it("runs bugs against the embedded database; dsn prints a read key", async () => {
    const dsn = await faultline("dsn", "octo-org/shop");
    expect(dsn.stdout).toMatch(/read key:\s+flr_[A-Za-z0-9_-]{32}\n/);
    const bugs = await faultline("bugs", "--repo", "octo-org/shop");
    expect(bugs).toMatchObject({ code: 0, stdout: "no bugs match\n" });
  }, 120_000);
});
