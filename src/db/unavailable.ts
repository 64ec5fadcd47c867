/**
 * Whether an error means "the database cannot be reached right now" (a restart, a failover, a
 * network cut), as opposed to "this statement is wrong". The first kind is answered 503 with
 * Retry-After and retried by the client; nothing was acknowledged, so nothing is lost.
 */

/**
 * SQLSTATEs of an unreachable or restarting server: class 08 (connection exception), 57P01
 * admin_shutdown (what every session gets from `pg_ctl stop -m fast`, a failover or
 * pg_terminate_backend), 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up or shutting
 * down), 53300 too_many_connections (a restarted server filling up with reconnecting clients).
 */
const SQLSTATES = new Set(["57P01", "57P02", "57P03", "53300"]);

/** Node's socket errors while connecting or talking to the server. */
const SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENETUNREACH",
  "ENETDOWN",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/**
 * node-postgres's own messages for a connection that died: the socket closed under a query, a
 * client used after its connection failed, and the pool's connect timeout.
 */
const PG_MESSAGES = [
  "Connection terminated",
  "connection error and is not queryable",
  "Client was closed and is not queryable",
  "timeout exceeded when trying to connect",
  // A connection's own connect timeout (Client connectionTimeoutMillis).
  "timeout expired",
  "Connection terminated due to connection timeout",
];

export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (depth > 4 || error === null || typeof error !== "object") return false;
  const e = error as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === "string") {
    if (SQLSTATES.has(e.code) || e.code.startsWith("08") || SOCKET_CODES.has(e.code)) return true;
  }
  if (typeof e.message === "string" && PG_MESSAGES.some((m) => (e.message as string).includes(m))) {
    return true;
  }
  // A connect to "localhost" tries ::1 and 127.0.0.1: Node reports both in an AggregateError.
  if (
    Array.isArray(e.errors) &&
    e.errors.some((inner) => isDatabaseUnavailable(inner, depth + 1))
  ) {
    return true;
  }
  return e.cause !== undefined && isDatabaseUnavailable(e.cause, depth + 1);
}
