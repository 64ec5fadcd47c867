/**
 * The one normalised shape every report becomes, whatever sent it (generic JSON, a per-source
 * adapter, a Sentry SDK). Everything after ingestion (scrubbing, filters, grouping, storage,
 * GitHub rendering) works on this type only.
 */

/** Levels as clients send them, folded to one vocabulary ("warn" -> "warning", "fatal" kept). */
export type Level = "fatal" | "critical" | "error" | "warning" | "info" | "debug";

export type Severity = "critical" | "high" | "medium" | "low";

export interface StackFrame {
  /** Path or URL of the source file as the runtime printed it. */
  filename?: string;
  /** Absolute path or full URL when the runtime gives one besides `filename`. */
  absPath?: string;
  /** Module, package or class (`com.acme.Cart`, `app.models`, `package:shop/cart.dart`). */
  module?: string;
  function?: string;
  lineno?: number;
  colno?: number;
  /** The source line of the frame, as the SDK read it (Sentry's `context_line`): grouping tells
   * two raise sites in one function apart by it, and a frame without a usable name too. */
  contextLine?: string;
  /** True for the application's own code, false for libraries/runtime; undefined = unknown. */
  inApp?: boolean;
}

export interface RequestInfo {
  url?: string;
  method?: string;
  statusCode?: number;
  headers?: Record<string, string>;
  query?: string | Record<string, unknown>;
  data?: unknown;
}

export interface ErrorEvent {
  /** 32 lowercase hex characters (Sentry's event id form). */
  eventId: string;
  /** When the error happened, as the client says; received time is stored separately. */
  timestamp: Date;
  level: Level;
  /** Exception class or error name: `TypeError`, `java.lang.NullPointerException`. */
  errorType: string;
  message: string;
  /**
   * The exceptions this one was raised from (Python's `raise … from`, JavaScript's `cause`,
   * Java's "Caused by"), the nearest cause first. Their types are part of the fingerprint.
   */
  causes?: { type: string; message?: string }[];
  /** A message template before parameters were put in (Sentry `logentry.message`), for grouping. */
  messageTemplate?: string;
  /**
   * Stack frames in Sentry order: outermost (oldest call) first, the frame that raised LAST.
   * Parsers of runtime stack strings that print innermost first must reverse.
   */
  frames: StackFrame[];
  /** The stack trace text as received, when it came as a string. */
  rawStacktrace?: string;
  /** Which adapter produced the event: generic, laravel, java, frontend, mobile, sentry. */
  source: string;
  platform?: string;
  service?: string;
  environment?: string;
  release?: string;
  serverName?: string;
  request?: RequestInfo;
  userId?: string;
  tags: Record<string, string>;
  context: Record<string, unknown>;
  /** Client-supplied fingerprint parts; `{{ default }}` stands for the computed fingerprint. */
  fingerprint?: string[];
}
