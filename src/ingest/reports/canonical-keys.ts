import { memoizeString } from "../../grouping/memo.js";

/**
 * Clients name the same field many ways (`errorType`, `error_type`, `name`; `stack`,
 * `stackTrace`, `stack_trace`). Keys are folded to snake_case, then aliases to one canonical name,
 * before validation, so schema errors name the canonical field.
 */

const ALIASES: Record<string, string> = {
  name: "error_type",
  type: "error_type",
  exception_class: "error_type",
  exception_type: "error_type",
  class: "error_type",
  msg: "message",
  severity: "level",
  level_name: "level",
  stack: "stack_trace",
  stacktrace: "stack_trace",
  trace: "stack_trace",
  backtrace: "stack_trace",
  frames: "stack_trace",
  env: "environment",
  version: "release",
  app_version: "release",
  status: "status_code",
  http_status: "status_code",
  extra: "context",
  metadata: "context",
  user: "user_id",
  uid: "user_id",
  http_method: "method",
  path: "url",
  app: "service",
  service_name: "service",
  datetime: "timestamp",
  time: "timestamp",
  id: "event_id",
};

/** Memoised: clients send the same few key names in every report (frames' keys too). */
export const snakeCase: (key: string) => string = memoizeString(snakeCaseUncached, {
  maxEntries: 1000,
  maxKeyLength: 64,
});

function snakeCaseUncached(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/[-\s]+/g, "_")
    .toLowerCase();
}

/**
 * Top-level keys only: nested objects (tags, context) are the client's own data. An explicit
 * canonical key wins over an alias (`error_type` beats `name`).
 */
export function canonicalKeys(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const fromAlias: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    const snake = snakeCase(key);
    const alias = ALIASES[snake];
    if (alias) {
      if (!(alias in fromAlias)) fromAlias[alias] = value;
    } else {
      out[snake] = value;
    }
  }
  for (const [key, value] of Object.entries(fromAlias)) {
    if (out[key] === undefined) out[key] = value;
  }
  return out;
}
