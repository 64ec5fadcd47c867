import type { ErrorEvent } from "../../grouping/error-event.js";
import { MAX_JSON_DEPTH, exceedsJsonDepth, limitEvent } from "../limits/index.js";
import { SentryEventError } from "./errors.js";
import { newEventId, normaliseEventId } from "./event-id.js";
import { pickException, threadStack } from "./exceptions.js";
import { type MappedFrames, mapStacktrace } from "./frames.js";
import { foldSentryLevel } from "./level.js";
import { formatLogMessage } from "./message-format.js";
import { mapRequest } from "./request-info.js";
import {
  asRecord,
  assignDefined,
  definedOnly,
  isRecord,
  nonEmpty,
  readId,
  readString,
  readValue,
  scalarText,
  stringRecord,
} from "./values.js";

/** errorType of an event that carries a log message and no exception (`captureMessage`). */
export const MESSAGE_ERROR_TYPE = "Message";
/** errorType of an exception that names no type (Sentry shows "Error" too). */
export const UNTYPED_ERROR_TYPE = "Error";

const MAX_BREADCRUMBS = 20;
const MAX_TAGS = 200;
const MAX_FINGERPRINT_PARTS = 50;

/**
 * Turns one Sentry event payload (as any Sentry SDK sends it) into Faultline's ErrorEvent.
 * Lenient by design: only a payload that is not an object is refused; anything else missing or
 * malformed is defaulted or left out. Throws SentryEventError and nothing else.
 */
export function mapSentryEvent(json: unknown, opts: { receivedAt: Date }): ErrorEvent {
  try {
    if (!isRecord(json)) throw new SentryEventError("event is not a JSON object");
    if (exceedsJsonDepth(json, MAX_JSON_DEPTH)) {
      throw new SentryEventError(`event nests deeper than ${MAX_JSON_DEPTH} levels`);
    }
    // Hard limits last: text lengths, frames, tags and context size, cut with a visible marker.
    return limitEvent(mapEvent(json, validDate(opts?.receivedAt) ?? new Date()));
  } catch (error) {
    if (error instanceof SentryEventError) throw error;
    // JSON never gets here; a Proxy or a throwing getter from a caller could.
    throw new SentryEventError("event could not be read");
  }
}

function mapEvent(json: Record<string, unknown>, receivedAt: Date): ErrorEvent {
  const top = {
    platform: readString(json, "platform"),
    release: readString(json, "release"),
    environment: readString(json, "environment"),
    server_name: readString(json, "server_name"),
    transaction: readString(json, "transaction"),
    logger: readString(json, "logger"),
  };
  const context: Record<string, unknown> = {};
  const exceptions = pickException(json.exception);
  const primary = exceptions.primary;
  const log = logMessage(json.logentry) ?? logMessage(json.message);

  // What it is: the raised exception's type when there is one, else a log message.
  let errorType: string;
  let message: string;
  let messageTemplate: string | undefined;
  const primaryType = nonEmpty(primary?.type);
  const primaryValue = nonEmpty(primary?.value);
  if (primaryType !== undefined) {
    errorType = qualifiedType(primaryType, nonEmpty(primary?.module));
    message = primaryValue ?? log?.message ?? "";
    if (primaryValue === undefined) messageTemplate = log?.template;
  } else if (log !== undefined) {
    // captureMessage: JavaScript with attachStacktrace adds an untyped exception for the stack.
    errorType = MESSAGE_ERROR_TYPE;
    message = log.message;
    messageTemplate = log.template;
  } else if (primary !== undefined) {
    errorType = UNTYPED_ERROR_TYPE;
    message = primaryValue ?? "";
  } else {
    errorType = MESSAGE_ERROR_TYPE;
    message = "";
  }

  // Where: the exception's own stack, else the crashed thread's, else a top-level stacktrace.
  let stack: MappedFrames = mapStacktrace(primary?.stacktrace);
  if (stack.frames.length === 0) stack = threadStack(json.threads, primary?.thread_id);
  if (stack.frames.length === 0) stack = mapStacktrace(json.stacktrace);
  if (stack.omitted > 0) context.framesOmitted = stack.omitted;

  const mechanism = primary?.mechanism;
  if (mechanism && (mechanism.type !== undefined || mechanism.handled !== undefined)) {
    context.mechanism = definedOnly({ type: mechanism.type, handled: mechanism.handled });
  }
  if (exceptions.causes.length > 0) context.causes = exceptions.causes;
  const causes = causeChain(exceptions.causes);

  const contexts = isRecord(json.contexts) ? json.contexts : undefined;
  if (contexts && Object.keys(contexts).length > 0) context.contexts = contexts;
  if (isRecord(json.extra) && Object.keys(json.extra).length > 0) context.extra = json.extra;
  const breadcrumbs = lastBreadcrumbs(json.breadcrumbs);
  if (breadcrumbs.length > 0) context.breadcrumbs = breadcrumbs;
  const sdk = asRecord(json.sdk);
  const sdkName = readString(sdk, "name");
  const sdkVersion = readString(sdk, "version");
  if (sdkName !== undefined || sdkVersion !== undefined) {
    context.sdk = definedOnly({ name: sdkName, version: sdkVersion });
  }
  if (nonEmpty(top.transaction) !== undefined) context.transaction = top.transaction;
  if (nonEmpty(top.logger) !== undefined) context.logger = top.logger;

  const tags = stringRecord(json.tags, MAX_TAGS);
  const event: ErrorEvent = {
    eventId: normaliseEventId(json.event_id) ?? newEventId(),
    timestamp: eventTime(json.timestamp, receivedAt),
    level: foldSentryLevel(json.level),
    errorType,
    message,
    frames: stack.frames,
    source: "sentry",
    tags,
    context,
  };
  if (messageTemplate !== undefined) event.messageTemplate = messageTemplate;
  if (causes.length > 0) event.causes = causes;
  assignDefined(event, "platform", nonEmpty(top.platform));
  // Service comes from the `service` tag only: server_name is a host (one per pod), and using
  // it would split one service into as many as it has machines.
  assignDefined(event, "service", nonEmpty(tags.service));
  assignDefined(event, "environment", nonEmpty(top.environment));
  assignDefined(event, "release", nonEmpty(top.release));
  assignDefined(event, "serverName", nonEmpty(top.server_name));
  assignDefined(event, "request", mapRequest(json.request, contexts));
  assignDefined(event, "userId", userId(json.user));
  assignDefined(event, "fingerprint", fingerprint(json.fingerprint));
  return event;
}

/** Sentry lists causes oldest first; the event keeps the nearest first, typed ones only. */
function causeChain(
  causes: { type?: string; value?: string }[],
): NonNullable<ErrorEvent["causes"]> {
  const chain: NonNullable<ErrorEvent["causes"]> = [];
  for (let i = causes.length - 1; i >= 0; i--) {
    const type = nonEmpty(causes[i]?.type);
    if (type === undefined) continue;
    const message = nonEmpty(causes[i]?.value);
    chain.push(message === undefined ? { type } : { type, message });
  }
  return chain;
}

/**
 * `logentry` / `message`: a string, or `{message, params, formatted}` (Java sends the object
 * under `message`). The template is what grouping wants; the message is what people read.
 */
function logMessage(raw: unknown): { message: string; template?: string } | undefined {
  if (typeof raw === "string") return raw.trim() === "" ? undefined : { message: raw };
  const entry = asRecord(raw);
  if (entry === undefined) return undefined;
  const template = nonEmpty(readString(entry, "message"));
  const formatted = nonEmpty(readString(entry, "formatted"));
  if (formatted !== undefined) return definedOnly({ message: formatted, template });
  if (template === undefined) return undefined;
  return { message: formatLogMessage(template, readValue(entry, "params")), template };
}

/** `java.lang` + `NullPointerException`; .NET and Ruby types are already qualified. */
function qualifiedType(type: string, module: string | undefined): string {
  if (module === undefined || type.includes(".") || type.includes("::")) return type;
  // A dotted identifier only: .NET puts an assembly name ("System.Private.CoreLib, ...") here.
  if (!/^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/.test(module)) return type;
  return `${module}.${type}`;
}

/**
 * Relay's plausibility window: an event claiming to be older than 30 days or from the future
 * (beyond clock skew) has a broken clock or sent milliseconds as seconds; use receivedAt instead.
 */
const MAX_AGE_MS = 30 * 24 * 3600 * 1000;
const MAX_FUTURE_MS = 3600 * 1000;

/** Float seconds (JavaScript), RFC 3339 string (Python, Java); anything else -> receivedAt. */
function eventTime(raw: unknown, receivedAt: Date): Date {
  let ms: number | undefined;
  if (typeof raw === "number") ms = raw * 1000;
  else if (typeof raw === "string" && raw.length <= 64) {
    const text = raw.trim();
    if (/^\d+(?:\.\d+)?$/.test(text)) ms = Number(text) * 1000;
    else if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(text)) {
      // Sentry reads a timestamp without an offset as UTC; Date.parse would use local time.
      ms = Date.parse(/(?:Z|[+-]\d{2}:?\d{2})$/i.test(text) ? text : `${text}Z`);
    }
  }
  if (ms === undefined || !Number.isFinite(ms)) return receivedAt;
  const received = receivedAt.getTime();
  if (ms < received - MAX_AGE_MS || ms > received + MAX_FUTURE_MS) return receivedAt;
  return new Date(Math.round(ms));
}

/** Faultline stores a user id only: `id`, else `username`; never email or IP. */
function userId(raw: unknown): string | undefined {
  const user = asRecord(raw);
  if (user === undefined) return undefined;
  return nonEmpty(scalarText(readId(user, "id"))) ?? nonEmpty(readString(user, "username"));
}

/** Kept as sent, `{{ default }}` included: grouping expands it. Numbers become strings. */
function fingerprint(raw: unknown): string[] | undefined {
  if (!Array.isArray(raw)) return undefined;
  const parts: string[] = [];
  for (const part of raw.slice(0, MAX_FINGERPRINT_PARTS)) {
    const text = scalarText(part);
    if (text !== undefined) parts.push(text);
  }
  return parts.length > 0 ? parts : undefined;
}

/** JavaScript sends a list, Python `{values: [...]}`; the newest are last. */
function lastBreadcrumbs(raw: unknown): Record<string, unknown>[] {
  const list = Array.isArray(raw)
    ? raw
    : isRecord(raw) && Array.isArray(raw.values)
      ? raw.values
      : [];
  return list.slice(-MAX_BREADCRUMBS).filter(isRecord);
}

function validDate(value: unknown): Date | undefined {
  return value instanceof Date && !Number.isNaN(value.getTime()) ? value : undefined;
}
