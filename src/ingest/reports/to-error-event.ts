import { randomUUID } from "node:crypto";
import {
  type ErrorEvent,
  type StackFrame,
  markInApp,
  parseLevel,
  parseStackTrace,
} from "../../grouping/index.js";
import type { GenericReport, RawFrame } from "./report-schema.js";

function frameFrom(raw: RawFrame): StackFrame {
  const frame: StackFrame = {};
  const filename = raw.filename ?? raw.file ?? raw.file_name;
  const module = raw.module ?? raw.class ?? raw.class_name;
  const fn = raw.function ?? raw.method ?? raw.method_name;
  const lineno = raw.lineno ?? raw.line ?? raw.line_number;
  const colno = raw.colno ?? raw.column ?? raw.column_number;
  if (filename !== undefined) frame.filename = filename;
  if (raw.abs_path !== undefined) frame.absPath = raw.abs_path;
  if (module !== undefined) frame.module = module;
  if (fn !== undefined) frame.function = fn;
  if (lineno !== undefined) frame.lineno = lineno;
  if (colno !== undefined) frame.colno = colno;
  if (raw.in_app !== undefined) frame.inApp = raw.in_app;
  return frame;
}

/** `TypeError: x is undefined` as the first line of a JS/Python/Java stack names the error. */
function headerOf(stack: string): { type: string; message: string } | undefined {
  const first = stack.split("\n", 1)[0]?.trim() ?? "";
  const match = /^([A-Za-z_$][\w$.]*(?:Error|Exception|Panic|Fault)?):\s?(.*)$/.exec(first);
  if (!match?.[1] || !/^[A-Z_$]|\./.test(match[1]) || first.startsWith("at ")) return undefined;
  return { type: match[1], message: match[2] ?? "" };
}

function parseTimestamp(value: number | string | undefined, fallback: Date): Date {
  if (value === undefined) return fallback;
  // Numbers are seconds since the epoch (Sentry's form) unless they are clearly milliseconds.
  const date =
    typeof value === "number" ? new Date(value > 1e11 ? value : value * 1000) : new Date(value);
  return Number.isNaN(date.getTime()) ? fallback : date;
}

function stringTags(tags: GenericReport["tags"]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(tags ?? {})) {
    if (value !== null && value !== undefined) out[key] = String(value);
  }
  return out;
}

function headerRecord(headers: Record<string, string | string[]> | undefined) {
  if (!headers) return undefined;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    out[key] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

export function reportToErrorEvent(
  report: GenericReport,
  source: string,
  receivedAt: Date,
): ErrorEvent {
  let frames: StackFrame[] = [];
  let rawStacktrace: string | undefined;
  if (typeof report.stack_trace === "string") {
    // Long text is cut later, by limitEvent, with a marker saying how much.
    rawStacktrace = report.stack_trace;
    frames = parseStackTrace(report.stack_trace);
  } else if (Array.isArray(report.stack_trace)) {
    // Structured frames come in the order runtimes print them (the raising frame first, as in
    // Java's getStackTrace() or PHP's getTrace()); ErrorEvent keeps Sentry's order.
    frames = report.stack_trace.map(frameFrom).reverse();
  }
  frames = markInApp(frames, report.platform);

  const header = rawStacktrace ? headerOf(rawStacktrace) : undefined;
  const errorType = report.error_type ?? header?.type ?? "Error";
  const message = report.message ?? header?.message ?? "";

  const req = report.request;
  const url = req?.url ?? report.url;
  const method = req?.method ?? report.method;
  const statusCode = req?.status_code ?? report.status_code;
  const headers = headerRecord(req?.headers);
  const request =
    url || method || statusCode || headers
      ? {
          ...(url ? { url } : {}),
          ...(method ? { method: method.toUpperCase() } : {}),
          ...(statusCode ? { statusCode } : {}),
          ...(headers ? { headers } : {}),
          ...(req?.query !== undefined ? { query: req.query } : {}),
          ...(req?.data !== undefined ? { data: req.data } : {}),
        }
      : undefined;

  const user = report.user_id;
  const userId =
    user === undefined
      ? undefined
      : typeof user === "object"
        ? user.id === undefined
          ? undefined
          : String(user.id)
        : String(user);

  const event: ErrorEvent = {
    eventId: (report.event_id ?? randomUUID()).replace(/-/g, "").toLowerCase(),
    timestamp: parseTimestamp(report.timestamp, receivedAt),
    level: parseLevel(report.level) ?? "error",
    errorType,
    message,
    frames,
    source,
    tags: stringTags(report.tags),
    context: report.context ?? {},
  };
  if (rawStacktrace !== undefined) event.rawStacktrace = rawStacktrace;
  if (report.platform) event.platform = report.platform;
  if (report.service) event.service = report.service;
  if (report.environment) event.environment = report.environment;
  if (report.release) event.release = report.release;
  if (report.server_name) event.serverName = report.server_name;
  if (request) event.request = request;
  if (userId) event.userId = userId;
  if (report.fingerprint) {
    event.fingerprint = Array.isArray(report.fingerprint)
      ? report.fingerprint
      : [report.fingerprint];
  }
  return event;
}
