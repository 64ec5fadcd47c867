import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_FILE } from "../../src/admin/admin-file.js";
import { testDatabaseUrl } from "../helpers/db.js";
import {
  type ServerProcess,
  listeningPort,
  startServerProcess,
} from "../helpers/server-process.js";

/**
 * The `faultline` command while a server holds the embedded database (PGlite is one process at
 * a time): it runs through the server (POST /api/admin/cli, with the token the server wrote in
 * the data directory), then on its own once the server has stopped. Embedded only: with
 * DATABASE_URL the CLI opens Postgres itself.
 */

const run = promisify(execFile);
const BIN = join(import.meta.dirname, "../../bin/faultline.js");
const dir = mkdtempSync(join(tmpdir(), "faultline-cli-server-"));
const dataDir = join(dir, "data");
let server: ServerProcess;
let port: number;

async function faultline(...args: string[]) {
  const started = performance.now();
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? "", DATA_DIR: dataDir, ENV_FILE: join(dir, "no.env") },
      cwd: dir,
    });
    return { code: 0, stdout, stderr, ms: performance.now() - started };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr, ms: performance.now() - started };
  }
}

beforeAll(async () => {
  if (testDatabaseUrl()) return;
  server = startServerProcess(
    {
      DATA_DIR: dataDir,
      PORT: "0",
      HOST: "127.0.0.1",
      PUBLIC_URL: "https://errors.example.com",
    },
    { cwd: dir },
  );
  port = await listeningPort(server);
  await server.waitForLog((l) => l.msg.startsWith("Faultline "));
}, 120_000);

afterAll(async () => {
  await server?.stop("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(Boolean(testDatabaseUrl()))("the CLI beside a running embedded server", () => {
  it("finds the server through an owner-only file in the data directory", () => {
    const file = join(dataDir, ADMIN_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const admin = JSON.parse(readFileSync(file, "utf8"));
    expect(admin).toEqual({
      pid: server.child.pid,
      url: `http://127.0.0.1:${port}`,
      token: expect.stringMatching(/^[\w-]{43}$/),
    });
  });

  it("runs every command through the server, which keeps the database", async () => {
    // The server's own settings apply: the CLI here has no PUBLIC_URL.
    const dsn = await faultline("dsn", "octo-org/shop");
    expect(dsn.stderr).toBe("");
    expect(dsn.code).toBe(0);
    expect(dsn.stdout).toContain("Created octo-org/shop (project id 1)");
    expect(dsn.stdout).toContain("report URL:    https://errors.example.com/api/reports");
    const key = /ingest key:\s+([0-9a-f]{32})/.exec(dsn.stdout)?.[1];

    const res = await fetch(`http://127.0.0.1:${port}/api/reports`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ error_type: "TypeError", message: "cart is undefined" }),
    });
    expect(res.status).toBe(202);

    const bugs = await faultline("bugs", "--repo", "octo-org/shop");
    expect(bugs.code).toBe(0);
    expect(bugs.stdout).toMatch(/^REF {4}SEVERITY/);
    expect(bugs.stdout).toContain("B-001  high      programming_error  open        1  ");

    const stats = await faultline("stats", "--repo", "octo-org/shop");
    expect(stats.stdout).toMatch(/events\s+1 {2}error reports received/);

    const out = join(dir, "events.csv");
    const exported = await faultline(
      "export",
      "--repo",
      "octo-org/shop",
      "--format",
      "csv",
      "--what",
      "events",
      "--out",
      out,
    );
    expect(exported).toMatchObject({ code: 0, stdout: `wrote ${out}\n` });
    const csv = readFileSync(out, "utf8").trim().split("\n");
    expect(csv).toHaveLength(2);
    expect(csv[1]).toContain("cart is undefined");

    const outbox = await faultline("outbox");
    expect(outbox.stdout).toContain("outbox: 0 pending (0 failing), 0 dead, 0 done");

    const migrate = await faultline("migrate");
    expect(migrate.stdout).toBe("database schema is up to date\n");

    // A user's mistakes are one line and exit code 2, whether the server or the CLI finds them.
    const ghost = await faultline("bugs", "--repo", "ghost/x");
    expect(ghost).toMatchObject({
      code: 2,
      stderr: "faultline: no project for ghost/x: run 'faultline dsn ghost/x' first\n",
    });
    const flag = await faultline("bugs", "--status", "closed");
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('--status: "closed" is not one of');
    const version = await faultline("--version");
    expect(version.stdout).toMatch(/^faultline \d+\.\d+\.\d+\n$/);
  }, 120_000);

  it("refuses a request without the file's token", async () => {
    for (const authorization of ["", "Bearer nope"]) {
      const res = await fetch(`http://127.0.0.1:${port}/api/admin/cli`, {
        method: "POST",
        headers: { authorization, "content-type": "application/json" },
        body: JSON.stringify({ argv: ["dsn", "evil/repo"] }),
      });
      expect(res.status).toBe(401);
    }
    const admin = JSON.parse(readFileSync(join(dataDir, ADMIN_FILE), "utf8"));
    const bad = await fetch(`http://127.0.0.1:${port}/api/admin/cli`, {
      method: "POST",
      headers: { authorization: `Bearer ${admin.token}`, "content-type": "application/json" },
      body: JSON.stringify({ argv: "bugs" }),
    });
    expect(bad.status).toBe(400);
  });

  it("runs on its own once the server has stopped (which removes its file)", async () => {
    expect(await server.stop("SIGTERM")).toBe(0);
    expect(existsSync(join(dataDir, ADMIN_FILE))).toBe(false);
    expect(existsSync(join(dataDir, "faultline.pid"))).toBe(false);
    const bugs = await faultline("bugs", "--repo", "octo-org/shop");
    expect(bugs.code).toBe(0);
    expect(bugs.stdout).toContain("B-001  high      programming_error  open        1  ");
  }, 120_000);
});
