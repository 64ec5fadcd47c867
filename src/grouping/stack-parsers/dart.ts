import type { StackFrame } from "../error-event.js";
import { type StackParser, frame, toInt } from "./shared.js";

/**
 * Dart VM and Flutter: `#0      CartService.checkout (package:shop/cart.dart:42:7)`.
 * Printed innermost first; `<asynchronous suspension>` lines are skipped.
 */
const FRAME =
  /^\s*#\d+\s+(.+?)\s+\(((?:package|dart|file|org-dartlang-[\w-]+):[^()]*?)(?::(\d+))?(?::(\d+))?\)\s*$/;

export const parseDart: StackParser = (lines) => {
  const frames: StackFrame[] = [];
  for (const line of lines) {
    const m = FRAME.exec(line);
    if (m) {
      frames.push(
        frame({ function: m[1], filename: m[2], lineno: toInt(m[3]), colno: toInt(m[4]) }),
      );
    }
  }
  return frames.reverse();
};
