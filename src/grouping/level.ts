import type { Level, Severity } from "./error-event.js";

/** Client spellings of levels, folded to ours (syslog, log4j, Monolog, Python logging, pino...). */
const LEVEL_NAMES: Record<string, Level> = {
  fatal: "fatal",
  critical: "critical",
  crit: "critical",
  emergency: "critical",
  emerg: "critical",
  alert: "critical",
  panic: "critical",
  error: "error",
  err: "error",
  severe: "error",
  exception: "error",
  warning: "warning",
  warn: "warning",
  info: "info",
  information: "info",
  informational: "info",
  notice: "info",
  log: "info",
  debug: "debug",
  trace: "debug",
  verbose: "debug",
  fine: "debug",
  finer: "debug",
  finest: "debug",
};

/** Syslog severities 0-7 (RFC 5424). */
const SYSLOG: readonly Level[] = [
  "critical",
  "critical",
  "critical",
  "error",
  "warning",
  "info",
  "info",
  "debug",
];

/** pino / bunyan numeric levels (10 trace ... 60 fatal). */
const PINO: Record<number, Level> = {
  10: "debug",
  20: "debug",
  30: "info",
  40: "warning",
  50: "error",
  60: "fatal",
};

export function parseLevel(input: unknown): Level | undefined {
  if (typeof input === "number") {
    if (!Number.isInteger(input)) return undefined;
    return input >= 0 && input <= 7 ? SYSLOG[input] : PINO[input];
  }
  if (typeof input !== "string") return undefined;
  const text = input.trim().toLowerCase();
  if (/^\d{1,2}$/.test(text)) return parseLevel(Number(text));
  return Object.hasOwn(LEVEL_NAMES, text) ? LEVEL_NAMES[text] : undefined;
}

export function severityFromLevel(level: Level): Severity {
  switch (level) {
    case "fatal":
    case "critical":
      return "critical";
    case "error":
      return "high";
    case "warning":
      return "medium";
    default:
      return "low";
  }
}
