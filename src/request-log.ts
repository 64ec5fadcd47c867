import type { IncomingMessage } from "node:http";
import type { FastifyBaseLogger } from "fastify";

/**
 * Routes whose query strings hold one-time secrets: the dashboard's OAuth callback (`code`,
 * `state`), its sign-in start (`next`, which ends up in the state), and Probot's setup flow
 * (`/probot/success?code=` converts a manifest into the App's private key and secrets).
 */
const AUTH_ROUTE = /^\/(?:dashboard\/(?:auth(?:\/|$|\?)|login(?:$|\?))|probot(?:\/|$|\?))/;

/** `url` without its query string when it is an auth route's; other URLs unchanged. */
export function redactAuthQuery(url: string): string {
  if (!AUTH_ROUTE.test(url)) return url;
  const query = url.indexOf("?");
  return query < 0 ? url : `${url.slice(0, query)}?[redacted]`;
}

interface LoggedRequest {
  method?: string;
  url?: string;
  headers?: Record<string, unknown>;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/** Fastify's own request serializer (method, url, host, address), with redactAuthQuery. */
function serializeAuthRequest(req: LoggedRequest) {
  return {
    method: req.method,
    url: redactAuthQuery(req.url ?? ""),
    version: req.headers?.["accept-version"],
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

/**
 * Fastify's `childLoggerFactory`: a request to an auth route logs its URL without the query
 * (OAuth codes and states in request logs can be replayed by whoever reads the logs).
 */
export function childLoggerFactory(
  logger: FastifyBaseLogger,
  bindings: Record<string, unknown>,
  opts: { serializers?: Record<string, (value: unknown) => unknown> },
  raw: IncomingMessage,
): FastifyBaseLogger {
  if (!AUTH_ROUTE.test(raw.url ?? "")) return logger.child(bindings, opts);
  return logger.child(bindings, {
    ...opts,
    serializers: { ...opts.serializers, req: serializeAuthRequest as (v: unknown) => unknown },
  });
}
