import { type MappedFrames, mapStacktrace } from "./frames.js";
import {
  asRecord,
  definedOnly,
  isRecord,
  nonEmpty,
  readBoolean,
  readId,
  readString,
  readValue,
} from "./values.js";

const MAX_CAUSES = 10;
/** Chained exceptions looked at from the raised end; longer chains are not real programs. */
const MAX_EXCEPTIONS_SCANNED = 50;

/** The fields of a Sentry exception value that mapping reads. */
export interface SentryException {
  type?: string;
  value?: string;
  module?: string;
  mechanism?: { type?: string; handled?: boolean };
  stacktrace?: unknown;
  thread_id?: string | number;
}

function readException(raw: unknown): SentryException | undefined {
  const record = asRecord(raw);
  if (record === undefined) return undefined;
  const mechanism = asRecord(readValue(record, "mechanism"));
  return definedOnly({
    type: readString(record, "type"),
    value: readString(record, "value"),
    module: readString(record, "module"),
    mechanism: mechanism
      ? definedOnly({
          type: readString(mechanism, "type"),
          handled: readBoolean(mechanism, "handled"),
        })
      : undefined,
    stacktrace: readValue(record, "stacktrace"),
    thread_id: readId(record, "thread_id"),
  });
}

interface SentryThread {
  id?: string | number;
  crashed?: boolean;
  current?: boolean;
  stacktrace?: unknown;
}

function readThread(raw: unknown): SentryThread | undefined {
  const record = asRecord(raw);
  if (record === undefined) return undefined;
  return {
    id: readId(record, "id"),
    crashed: readBoolean(record, "crashed"),
    current: readBoolean(record, "current"),
    stacktrace: readValue(record, "stacktrace"),
  };
}

/**
 * Sentry lists a chain oldest first; the LAST value is the one raised. Takes the last value
 * with a type (a trailing untyped value is a synthetic stack holder, not the error), and keeps
 * the ones before it, briefly, as causes.
 */
export function pickException(raw: unknown): {
  primary?: SentryException;
  causes: { type?: string; value?: string }[];
} {
  let values: unknown[] = [];
  if (Array.isArray(raw)) values = raw;
  else if (isRecord(raw)) {
    if (Array.isArray(raw.values)) values = raw.values;
    else if ("type" in raw || "value" in raw) values = [raw]; // legacy single-exception form
  }
  const parsed: (SentryException | undefined)[] = [];
  const start = Math.max(0, values.length - MAX_EXCEPTIONS_SCANNED);
  for (let i = start; i < values.length; i++) parsed.push(readException(values[i]));

  let index = -1;
  for (let i = parsed.length - 1; i >= 0; i--) {
    if (nonEmpty(parsed[i]?.type) !== undefined) {
      index = i;
      break;
    }
  }
  if (index < 0) {
    const last = [...parsed].reverse().find((e) => e !== undefined);
    return { primary: last, causes: [] };
  }
  const causes = parsed
    .slice(0, index)
    .filter((e): e is SentryException => e !== undefined)
    .slice(-MAX_CAUSES)
    .map((e) => definedOnly({ type: e.type, value: e.value }));
  return { primary: parsed[index], causes };
}

/** Native and Java crashes put the stack on the crashed thread, not on the exception. */
export function threadStack(raw: unknown, threadId: string | number | undefined): MappedFrames {
  const list = Array.isArray(raw)
    ? raw
    : isRecord(raw) && Array.isArray(raw.values)
      ? raw.values
      : [];
  const threads = list
    .slice(0, 1000)
    .map(readThread)
    .filter((t): t is SentryThread => t !== undefined);
  const candidates = [
    threads.find((t) => t.crashed === true),
    threadId === undefined ? undefined : threads.find((t) => t.id === threadId),
    threads.find((t) => t.current === true),
    threads.length === 1 ? threads[0] : undefined,
  ];
  for (const thread of candidates) {
    const stack = mapStacktrace(thread?.stacktrace);
    if (stack.frames.length > 0) return stack;
  }
  return { frames: [], omitted: 0 };
}
