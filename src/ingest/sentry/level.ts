import type { Level } from "../../grouping/error-event.js";

/**
 * Sentry levels as SDKs spell them. JavaScript's console integration sends `log` and `warn`;
 * Python's logging maps CRITICAL to `fatal` but hand-rolled clients send `critical` too.
 */
const LEVELS: Record<string, Level> = {
  fatal: "fatal",
  critical: "critical",
  error: "error",
  warning: "warning",
  warn: "warning",
  info: "info",
  log: "info",
  debug: "debug",
};

/** Unknown or missing levels become "error": Sentry's own default for an event. */
export function foldSentryLevel(value: unknown): Level {
  if (typeof value !== "string") return "error";
  const key = value.trim().toLowerCase();
  return Object.hasOwn(LEVELS, key) ? (LEVELS[key] as Level) : "error";
}
