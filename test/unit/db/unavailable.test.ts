import net from "node:net";
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { createDb, isDatabaseUnavailable } from "../../../src/db/index.js";

/** What a restarting or unreachable Postgres looks like to the pool, without any Postgres. */
describe("an unreachable database", () => {
  it("a server that accepts and never answers fails the query after connectTimeoutMs", async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as net.AddressInfo).port;
    const handle = await createDb({
      databaseUrl: `postgres://nobody@127.0.0.1:${port}/none`,
      connectTimeoutMs: 300,
    });
    try {
      const started = performance.now();
      const error = await sql`SELECT 1`.execute(handle.db).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect(isDatabaseUnavailable(error)).toBe(true);
      // Bounded by the timeout, not by the OS (minutes): a generous ceiling for a loaded machine.
      expect(performance.now() - started).toBeLessThan(5_000);
    } finally {
      await handle.close();
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });

  it("a refused connection and a terminated session count as unavailable; a bad query does not", async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const handle = await createDb({ databaseUrl: `postgres://nobody@127.0.0.1:${port}/none` });
    try {
      const refused = await sql`SELECT 1`.execute(handle.db).catch((e: unknown) => e);
      expect(isDatabaseUnavailable(refused)).toBe(true);
    } finally {
      await handle.close();
    }
    expect(
      isDatabaseUnavailable(
        Object.assign(new Error("terminating connection due to administrator command"), {
          code: "57P01",
        }),
      ),
    ).toBe(true);
    expect(
      isDatabaseUnavailable(
        new AggregateError([Object.assign(new Error("x"), { code: "ECONNREFUSED" })]),
      ),
    ).toBe(true);
    expect(isDatabaseUnavailable(new Error("Connection terminated unexpectedly"))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error("syntax error"), { code: "42601" }))).toBe(
      false,
    );
    expect(isDatabaseUnavailable(Object.assign(new Error("deadlock"), { code: "40P01" }))).toBe(
      false,
    );
  });
});
