import { snakeCase } from "./canonical-keys.js";

/**
 * Per-source routes take the shapes those clients already send and reshape them into the generic
 * report; everything else (key folding, validation, stack parsing) is shared.
 */
export type SourceAdapter = (body: Record<string, unknown>) => Record<string, unknown>;

type Obj = Record<string, unknown>;

const isObject = (value: unknown): value is Obj =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Same keys in snake_case, so adapters read one spelling. */
function snake(body: Obj): Obj {
  return Object.fromEntries(Object.entries(body).map(([k, v]) => [snakeCase(k), v]));
}

/** Monolog writes trace entries as "path/file.php:42" strings; others send frame objects. */
function phpTrace(trace: unknown): unknown {
  if (!Array.isArray(trace)) return trace;
  return trace.map((entry) => {
    if (typeof entry !== "string") return entry;
    const match = /^(.*):(\d+)$/.exec(entry);
    return match ? { file: match[1], line: Number(match[2]) } : { file: entry };
  });
}

/**
 * Laravel: a handler's own JSON (`exception: {class, message, file, line, trace}`) or a Monolog
 * JSON record (`message`, `level_name`, `context.exception`, `datetime`, `channel`).
 */
const laravel: SourceAdapter = (input) => {
  const body = snake(input);
  const context = isObject(body.context) ? { ...body.context } : {};
  const exception = isObject(body.exception)
    ? snake(body.exception)
    : isObject(context.exception)
      ? snake(context.exception)
      : undefined;
  if (isObject(context.exception)) delete context.exception;
  const out: Obj = { ...body, context, platform: body.platform ?? "php" };
  delete out.exception;
  if (typeof body.level_name === "string") out.level = body.level_name;
  if (typeof body.channel === "string") out.environment ??= body.channel;
  if (exception) {
    out.error_type = exception.class ?? exception.type ?? body.error_type;
    out.message = exception.message ?? body.message;
    let trace = phpTrace(exception.trace);
    // The throw site itself is `file`/`line` ("path:line" in Monolog), not part of `trace`.
    const file = typeof exception.file === "string" ? exception.file : undefined;
    if (file && Array.isArray(trace)) {
      const [path, line] = /^(.*):(\d+)$/.exec(file)?.slice(1) ?? [file, exception.line];
      trace = [{ file: path, line: Number(line) || undefined }, ...trace];
    }
    if (trace !== undefined) out.stack_trace = trace;
  }
  return out;
};

/**
 * Java: logstash-logback JSON (`stack_trace` string, `logger_name`, `thread_name`) or an
 * exception object (`exception: {class, message, stackTrace: [StackTraceElement]}`).
 */
const java: SourceAdapter = (input) => {
  const body = snake(input);
  const out: Obj = { ...body, platform: body.platform ?? "java" };
  const context = isObject(body.context) ? { ...body.context } : {};
  for (const key of ["logger_name", "thread_name", "logger", "thread"]) {
    if (body[key] !== undefined) {
      context[key] = body[key];
      delete out[key];
    }
  }
  out.context = context;
  if (typeof body.exception === "string") {
    out.error_type = body.exception;
    delete out.exception;
  } else if (isObject(body.exception)) {
    const exception = snake(body.exception);
    out.error_type = exception.class_name ?? exception.class ?? exception.type ?? exception.name;
    out.message ??= exception.message;
    out.stack_trace = exception.stack_trace ?? exception.frames ?? body.stack_trace;
    delete out.exception;
  }
  if (body["@timestamp"] !== undefined) out.timestamp = body["@timestamp"];
  delete out["@timestamp"];
  return out;
};

/**
 * Browsers: what `window.onerror` / `unhandledrejection` give (`message`, `source`/`filename`,
 * `lineno`, `colno`, `error: {name, message, stack}`), plus the page URL and user agent.
 */
const frontend: SourceAdapter = (input) => {
  const body = snake(input);
  const out: Obj = { ...body, platform: body.platform ?? "javascript" };
  const error = isObject(body.error) ? snake(body.error) : undefined;
  delete out.error;
  if (error) {
    out.error_type ??= error.name ?? error.type;
    if (error.message !== undefined) out.message = error.message;
    if (error.stack !== undefined) out.stack_trace ??= error.stack;
  } else if (typeof body.error === "string") {
    out.message ??= body.error;
  }
  if (typeof body.reason === "string") out.message ??= body.reason;
  const file = body.source ?? body.filename;
  if (out.stack_trace === undefined && out.stack === undefined && typeof file === "string") {
    out.stack_trace = [{ filename: file, lineno: body.lineno, colno: body.colno }];
  }
  delete out.source;
  delete out.filename;
  delete out.lineno;
  delete out.colno;
  out.url ??= body.page_url ?? body.href ?? body.location;
  const context = isObject(body.context) ? { ...body.context } : {};
  if (body.user_agent !== undefined) {
    context.user_agent = body.user_agent;
    delete out.user_agent;
  }
  out.context = context;
  return out;
};

/**
 * Mobile (Flutter, React Native, native crash handlers): `exception`/`error` text, `stackTrace`
 * string, `runtimeType`, device and OS details, `appVersion` (+ `buildNumber`).
 */
const mobile: SourceAdapter = (input) => {
  const body = snake(input);
  const out: Obj = { ...body };
  const context = isObject(body.context) ? { ...body.context } : {};
  for (const key of ["device", "os", "os_version", "library", "build_number", "locale"]) {
    if (body[key] !== undefined) {
      context[key] = body[key];
      delete out[key];
    }
  }
  out.context = context;
  const exception = body.exception ?? body.error;
  if (typeof exception === "string") {
    out.message ??= exception;
    delete out.exception;
    delete out.error;
  }
  if (body.runtime_type !== undefined) {
    out.error_type ??= body.runtime_type;
    delete out.runtime_type;
  }
  if (typeof body.app_version === "string" && body.build_number !== undefined) {
    out.release ??= `${body.app_version}+${body.build_number}`;
    delete out.app_version;
  }
  return out;
};

const generic: SourceAdapter = (body) => body;

export const SOURCE_ADAPTERS: Readonly<Record<string, SourceAdapter>> = Object.freeze({
  generic,
  laravel,
  java,
  frontend,
  mobile,
});

export type ReportSource = keyof typeof SOURCE_ADAPTERS;
