import type { ErrorEvent } from "../../../src/grouping/index.js";

/** A minimal event for grouping tests; fields not given are the blandest valid values. */
export function makeEvent(overrides: Partial<ErrorEvent> = {}): ErrorEvent {
  return {
    eventId: "0123456789abcdef0123456789abcdef",
    timestamp: new Date("2024-01-15T10:23:45Z"),
    level: "error",
    errorType: "Error",
    message: "",
    frames: [],
    source: "generic",
    tags: {},
    context: {},
    ...overrides,
  };
}
