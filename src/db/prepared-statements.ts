import { createHash } from "node:crypto";
import pg from "pg";

/**
 * Put first in a statement's text to run it as a named prepared statement on Postgres: parsed
 * and planned once per connection instead of at every execution. For hot statements whose
 * planning takes longer than their execution (the group commit's write: ~0.4 ms against ~0.25 ms,
 * EXPLAIN (ANALYZE, SUMMARY)) AND whose plan cannot go wrong as tables grow: after five
 * executions Postgres may keep a generic plan made with the statistics of that moment. A comment,
 * so PGlite and any other driver run the statement as usual.
 */
export const PREPARED = "/* faultline:prepared */";

/** Statement names by text: hashing a 3 KB text each time would cost more than looking it up. */
const names = new Map<string, string>();

function nameOf(text: string): string {
  let name = names.get(text);
  if (!name) {
    // 63 bytes at most (Postgres truncates identifiers): "fl_" + 40 hex digits.
    name = `fl_${createHash("sha1").update(text).digest("hex")}`;
    names.set(text, name);
  }
  return name;
}

/** What a deferred BEGIN (or a COMMIT/ROLLBACK of a transaction that never reached Postgres) answers. */
function emptyResult(command: string) {
  return { command, rowCount: null, oid: 0, rows: [], fields: [] };
}

/** Dollar-quoting tag for merged statements' text arguments; a value holding it is not merged. */
const TAG = "$fl$";

/** `value` as an SQL literal for EXECUTE, or undefined when it has no safe literal form here. */
function literal(value: unknown): string | undefined {
  if (value === null) return "NULL";
  if (typeof value === "string") {
    // The quote ends at the first "$fl$", the closing tag's own "$" included ("x$fl" + "$fl$"); a
    // simple query's text ends at its first NUL. Such values go as parameters, as before.
    const unsafe = value.includes(TAG) || value.endsWith("$fl") || value.includes("\u0000");
    return unsafe ? undefined : `${TAG}${value}${TAG}`;
  }
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  return undefined;
}

/**
 * A pg client that runs PREPARED-marked statements (text and parameter array, as Kysely sends
 * them) as named statements. node-postgres then parses them once per connection, and Postgres
 * keeps their plan (generic after five executions when it is no worse than the custom ones).
 *
 * It also saves a transaction's BEGIN round trip: Kysely's `begin` is held back and sent with the
 * transaction's first statement. When that statement is PREPARED and already parsed on this
 * connection, both go as one simple query, `BEGIN; EXECUTE name(arguments)`: one round trip
 * instead of two. Otherwise BEGIN goes just before it. Under load each round trip waits for the
 * event loop to read its answer (~3 ms of a ~15 ms group commit in bench:ingest).
 */
export class PreparingClient extends pg.Client {
  #beginHeld = false;

  /**
   * `connectTimeoutMs` bounds this connection's own connect and start-up (Client's
   * connectionTimeoutMillis). Not given to the pool as connectionTimeoutMillis: pg-pool would
   * also fail a query that waits that long for a free connection of a busy pool.
   */
  constructor(config?: string | (pg.ClientConfig & { connectTimeoutMs?: number })) {
    super(
      typeof config === "object" && config.connectTimeoutMs
        ? { ...config, connectionTimeoutMillis: config.connectTimeoutMs }
        : config,
    );
  }

  // biome-ignore lint/suspicious/noExplicitAny: pg's query() has a dozen overloads; this passes them all through.
  override query(config: any, values?: any, callback?: any): any {
    // Kysely's calls: text and a parameter array, answered by a promise.
    const kysely = typeof config === "string" && Array.isArray(values) && callback === undefined;
    if (kysely && config === "begin" && values.length === 0 && !this.#beginHeld) {
      this.#beginHeld = true;
      return Promise.resolve(emptyResult("BEGIN"));
    }
    if (kysely && this.#beginHeld) {
      this.#beginHeld = false;
      // Nothing ran: there is no transaction on the server to end.
      if ((config === "commit" || config === "rollback") && values.length === 0) {
        return Promise.resolve(emptyResult(config.toUpperCase()));
      }
      const merged = this.#mergedWithBegin(config, values);
      if (merged) {
        // Two statements in one simple query: node-postgres answers with both results.
        const both = super.query(merged) as unknown as Promise<pg.QueryResult[]>;
        return both.then((results) => results[1]);
      }
      return super.query("begin").then(() => this.query(config, values));
    }
    if (typeof config === "string" && config.startsWith(PREPARED) && Array.isArray(values)) {
      return super.query({ name: nameOf(config), text: config, values }, callback);
    }
    return super.query(config, values, callback);
  }

  /** `BEGIN; EXECUTE …` for a PREPARED statement already parsed here, else undefined. */
  #mergedWithBegin(text: string, values: unknown[]): string | undefined {
    if (!text.startsWith(PREPARED)) return undefined;
    const name = nameOf(text);
    // node-postgres records the statements a connection has parsed (pg/lib/client.js).
    const parsed = (this as unknown as { connection?: { parsedStatements?: object } }).connection
      ?.parsedStatements;
    if (!parsed || !Object.hasOwn(parsed, name)) return undefined;
    const args: string[] = [];
    for (const value of values) {
      const lit = literal(value);
      if (lit === undefined) return undefined;
      args.push(lit);
    }
    return `BEGIN; EXECUTE ${name}${args.length > 0 ? `(${args.join(", ")})` : ""}`;
  }
}
