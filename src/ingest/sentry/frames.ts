import type { StackFrame } from "../../grouping/error-event.js";
import { isRecord, readBoolean, readInt, readString } from "./values.js";

/** Frames kept per event. Deep recursion repeats the middle; the ends say where and why. */
export const MAX_FRAMES = 250;
/** Of those, how many from the innermost end (where the error was raised, and its culprit). */
const INNERMOST_KEPT = 200;

export interface MappedFrames {
  frames: StackFrame[];
  /** How many frames from the middle were left out to stay within MAX_FRAMES. */
  omitted: number;
}

/** `{frames: [...]}` (Sentry's stacktrace interface) -> frames, in the same outermost-first order. */
export function mapStacktrace(stacktrace: unknown): MappedFrames {
  if (!isRecord(stacktrace) || !Array.isArray(stacktrace.frames)) return { frames: [], omitted: 0 };
  const raw: unknown[] = stacktrace.frames;
  const chosen =
    raw.length <= MAX_FRAMES
      ? raw
      : [...raw.slice(0, MAX_FRAMES - INNERMOST_KEPT), ...raw.slice(raw.length - INNERMOST_KEPT)];
  const frames: StackFrame[] = [];
  for (const item of chosen) {
    const frame = mapFrame(item);
    if (frame) frames.push(frame);
  }
  return { frames, omitted: raw.length - chosen.length };
}

function mapFrame(raw: unknown): StackFrame | undefined {
  // Scrubbers and some SDKs leave `null` holes in frame lists: skip them, keep the rest.
  if (!isRecord(raw)) return undefined;
  const frame: StackFrame = {};
  const filename = readString(raw, "filename");
  if (filename !== undefined) frame.filename = filename;
  const absPath = readString(raw, "abs_path");
  if (absPath !== undefined) frame.absPath = absPath;
  const module = readString(raw, "module");
  if (module !== undefined) frame.module = module;
  const fn = readString(raw, "function");
  if (fn !== undefined) frame.function = fn;
  const lineno = readInt(raw, "lineno", 0);
  if (lineno !== undefined) frame.lineno = lineno;
  const colno = readInt(raw, "colno", 0);
  if (colno !== undefined) frame.colno = colno;
  const contextLine = readString(raw, "context_line");
  if (contextLine !== undefined && contextLine.trim() !== "") frame.contextLine = contextLine;
  const inApp = readBoolean(raw, "in_app");
  if (inApp !== undefined) frame.inApp = inApp;
  return frame;
}
