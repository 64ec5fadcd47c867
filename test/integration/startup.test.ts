import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { type Server, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { createDb } from "../../src/db/index.js";
import { testDatabaseUrl } from "../helpers/db.js";
import {
  type ServerProcess,
  listeningPort,
  startServerProcess,
} from "../helpers/server-process.js";
import { startTcpProxy } from "../helpers/tcp-proxy.js";

/** What an operator sees when the process starts: the banner, logs, and clear failures. */

const dir = mkdtempSync(join(tmpdir(), "faultline-startup-"));
const servers: ServerProcess[] = [];
const url = testDatabaseUrl();

function start(env: Record<string, string>) {
  const server = startServerProcess({ HOST: "127.0.0.1", PORT: "0", ...env }, { cwd: dir });
  servers.push(server);
  return server;
}

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop("SIGKILL")));
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(Boolean(url))("starting with the embedded database", () => {
  it("prints a short banner (reports, keys, dashboard, setup) and a line per new bug", async () => {
    const server = start({
      DATA_DIR: join(dir, "banner"),
      PUBLIC_URL: "https://errors.example.com",
    });
    const port = await listeningPort(server);
    const banner = await server.waitForLog((l) => l.msg.startsWith("Faultline "));
    const lines = banner.msg.split("\n");
    expect(lines[0]).toMatch(
      /^Faultline \d+\.\d+\.\d+ listening on https:\/\/errors\.example\.com \(embedded PGlite in .*banner\)$/,
    );
    expect(lines.slice(1)).toEqual([
      "  reports:    POST https://errors.example.com/api/reports, or any Sentry SDK with the project's DSN",
      "  get a key:  npx faultline dsn <owner/repo>   (prints the key, report URL and DSN)",
      "  dashboard:  https://errors.example.com/dashboard",
      expect.stringMatching(
        /^ {2}GitHub App: not set up yet: open http:\/\/localhost:0\/probot on this machine, or https:\/\/errors\.example\.com\/probot\?setup_token=[\w-]{32} from another$/,
      ),
      "  metrics:    off (set FAULTLINE_ADMIN_TOKEN, or METRICS_PORT)",
    ]);
    // Probot's setup banner ("custom routes will not work") is gone.
    expect(server.stdout()).not.toMatch(/custom routes|Welcome to Probot/);

    const dsn = await fetch(`http://127.0.0.1:${port}/api/admin/cli`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${
          JSON.parse(
            (await import("node:fs")).readFileSync(
              join(dir, "banner", "faultline.admin.json"),
              "utf8",
            ),
          ).token
        }`,
        "content-type": "application/json",
      },
      body: JSON.stringify({ argv: ["dsn", "octo-org/shop"] }),
    });
    const key = /ingest key:\s+(\w+)/.exec(await dsn.text())?.[1];
    const send = (message: string) =>
      fetch(`http://127.0.0.1:${port}/api/reports`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ error_type: "TypeError", message, level: "fatal" }),
      });
    expect((await send("cart is undefined")).status).toBe(202);
    expect((await send("cart is undefined")).status).toBe(202);
    const line = await server.waitForLog((l) => l.msg.startsWith("new bug"));
    expect(line).toMatchObject({
      msg: "new bug B-001 in octo-org/shop (critical): TypeError: cart is undefined",
      repo: "octo-org/shop",
      bug: "B-001",
    });
    // One line per new bug, not per report.
    await new Promise((r) => setTimeout(r, 300));
    expect(server.logs().filter((l) => l.msg.startsWith("new bug"))).toHaveLength(1);
    expect(await server.stop()).toBe(0);
  }, 120_000);

  it("says in one line that the port is in use, and exits", async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const server = start({ DATA_DIR: join(dir, "port"), PORT: String(port) });
      expect(await server.exited).toBe(1);
      expect(server.stderr()).toBe(
        `faultline: port ${port} on 127.0.0.1 is already in use (another Faultline, or another program): stop it, or set PORT to a free port\n`,
      );
      // It let go of the embedded database on its way out.
      expect((await import("node:fs")).existsSync(join(dir, "port", "faultline.pid"))).toBe(false);
    } finally {
      blocker.close();
    }
  }, 120_000);
});

/** A database of its own on the shared server (the server migrates the one it is given). */
async function scratchDatabase(base: string) {
  const name = `faultline_start_${randomBytes(4).toString("hex")}`;
  const admin = await createDb({ databaseUrl: base, poolSize: 1 });
  await sql`CREATE DATABASE ${sql.id(name)}`.execute(admin.db);
  await admin.close();
  const dbUrl = new URL(base);
  dbUrl.pathname = `/${name}`;
  return {
    url: dbUrl,
    async drop() {
      const again = await createDb({ databaseUrl: base, poolSize: 1 });
      await sql`DROP DATABASE IF EXISTS ${sql.id(name)} WITH (FORCE)`.execute(again.db);
      await again.close();
    },
  };
}

describe.skipIf(!url)("starting before Postgres is reachable", () => {
  it("retries with backoff, then serves once the database is there", async () => {
    const scratch = await scratchDatabase(url ?? "");
    const proxy = await startTcpProxy({
      host: scratch.url.hostname === "localhost" ? "127.0.0.1" : scratch.url.hostname,
      port: Number(scratch.url.port || 5432),
    });
    try {
      await proxy.refuseNew();
      const through = new URL(scratch.url);
      through.hostname = "127.0.0.1";
      through.port = String(proxy.port);
      const server = start({ DATABASE_URL: through.href, DATABASE_WAIT: "60s" });
      const waiting = await server.waitForLog((l) => l.msg.includes("not reachable yet"));
      expect(waiting.msg).toMatch(
        /^Postgres at 127\.0\.0\.1:\d+\/faultline_start_\w+ not reachable yet \(connect ECONNREFUSED 127\.0\.0\.1:\d+\): retrying in 500 ms \(gives up after 60 s, DATABASE_WAIT\)$/,
      );
      await new Promise((r) => setTimeout(r, 2_000));
      // Backing off: 0.5 s, 1 s, 2 s… apart.
      const retries = server.logs().filter((l) => l.msg.includes("not reachable yet"));
      expect(retries.length).toBeGreaterThanOrEqual(2);
      expect(retries.length).toBeLessThanOrEqual(4);
      expect(retries.map((l) => l.retryInMs)).toEqual(
        [500, 1000, 2000, 4000].slice(0, retries.length),
      );
      await proxy.restore();
      const port = await listeningPort(server, 30_000);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(200);
      expect(server.stderr()).toBe("");
      expect(await server.stop()).toBe(0);
    } finally {
      await proxy.close();
      await scratch.drop();
    }
  }, 120_000);

  it("gives up after DATABASE_WAIT with one line saying what to do", async () => {
    const proxy = await startTcpProxy({ host: "127.0.0.1", port: 9 });
    await proxy.refuseNew();
    const port = proxy.port;
    await proxy.close();
    const server = start({
      DATABASE_URL: `postgres://postgres:secret@127.0.0.1:${port}/nowhere`,
      DATABASE_WAIT: "2s",
    });
    expect(await server.exited).toBe(1);
    const stderr = server.stderr();
    expect(stderr.split("\n").filter(Boolean)).toHaveLength(1);
    expect(stderr).toMatch(
      new RegExp(
        `^faultline: cannot reach Postgres at 127\\.0\\.0\\.1:${port}/nowhere \\(connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\) after 3 attempt\\(s\\) in \\d s\\. Start it, check DATABASE_URL, or wait longer with DATABASE_WAIT \\(e\\.g\\. 5m\\)\\.\\n$`,
      ),
    );
    // The password never appears.
    expect(server.stdout() + stderr).not.toContain("secret");
  }, 60_000);

  it("does not retry what waiting cannot fix (a database that does not exist)", async () => {
    const missing = new URL(url ?? "");
    missing.pathname = "/faultline_no_such_database";
    const server = start({ DATABASE_URL: missing.href, DATABASE_WAIT: "60s" });
    const started = Date.now();
    expect(await server.exited).toBe(1);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(server.stderr()).toMatch(
      /^faultline: Postgres at [\w.]+:\d+\/faultline_no_such_database refused the connection: database "faultline_no_such_database" does not exist \(3D000\)\. Check DATABASE_URL\.\n$/,
    );
    expect(server.logs().some((l) => l.msg.includes("not reachable yet"))).toBe(false);
  }, 60_000);
});
