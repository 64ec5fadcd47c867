import { z } from "zod";
import type { StackFrame } from "../../grouping/error-event.js";
import { isRecord, optBoolean, optString } from "./values.js";

/** Frames kept per event. Deep recursion repeats the middle; the ends say where and why. */
export const MAX_FRAMES = 250;
/** Of those, how many from the innermost end (where the error was raised, and its culprit). */
const INNERMOST_KEPT = 200;

const optLine = z.int().min(0).optional().catch(undefined);

const FrameSchema = z.looseObject({
  filename: optString,
  abs_path: optString,
  module: optString,
  function: optString,
  lineno: optLine,
  colno: optLine,
  in_app: optBoolean,
});

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
  const parsed = FrameSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const f = parsed.data;
  const frame: StackFrame = {};
  if (f.filename !== undefined) frame.filename = f.filename;
  if (f.abs_path !== undefined) frame.absPath = f.abs_path;
  if (f.module !== undefined) frame.module = f.module;
  if (f.function !== undefined) frame.function = f.function;
  if (f.lineno !== undefined) frame.lineno = f.lineno;
  if (f.colno !== undefined) frame.colno = f.colno;
  if (f.in_app !== undefined) frame.inApp = f.in_app;
  return frame;
}
