/**
 * Reading what ingestion stored in an event's `context`: the Sentry mapper keeps the exception
 * chain as `causes` ([{type, value}], oldest first), `contexts` and `breadcrumbs` there. Generic
 * reports put the sender's own `context` in the same column, so every reader checks shapes.
 */

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The exceptions an event was raised from, nearest first (as ErrorEvent.causes). */
export function causesFromContext(context: unknown): { type: string; message?: string }[] {
  const raw = isRecord(context) ? context.causes : undefined;
  if (!Array.isArray(raw)) return [];
  const causes: { type: string; message?: string }[] = [];
  for (let i = raw.length - 1; i >= 0; i--) {
    const cause = raw[i];
    if (!isRecord(cause) || typeof cause.type !== "string" || cause.type === "") continue;
    const message =
      typeof cause.value === "string"
        ? cause.value
        : typeof cause.message === "string"
          ? cause.message
          : undefined;
    causes.push(message === undefined ? { type: cause.type } : { type: cause.type, message });
  }
  return causes;
}
