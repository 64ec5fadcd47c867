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

/**
 * A pg client that runs PREPARED-marked statements (text and parameter array, as Kysely sends
 * them) as named statements. node-postgres then parses them once per connection, and Postgres
 * keeps their plan (generic after five executions when it is no worse than the custom ones).
 */
export class PreparingClient extends pg.Client {
  // biome-ignore lint/suspicious/noExplicitAny: pg's query() has a dozen overloads; this passes them all through.
  override query(config: any, values?: any, callback?: any): any {
    if (typeof config === "string" && config.startsWith(PREPARED) && Array.isArray(values)) {
      return super.query({ name: nameOf(config), text: config, values }, callback);
    }
    return super.query(config, values, callback);
  }
}
