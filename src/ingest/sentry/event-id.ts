import { randomUUID } from "node:crypto";

const HEX32 = /^[0-9a-f]{32}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Sentry's two accepted spellings (32 hex, or a dashed UUID) -> 32 lowercase hex; else undefined. */
export function normaliseEventId(value: unknown): string | undefined {
  if (typeof value !== "string" || value.length > 36) return undefined;
  const lower = value.toLowerCase();
  if (HEX32.test(lower)) return lower;
  if (UUID.test(lower)) return lower.replaceAll("-", "");
  return undefined;
}

/** A fresh id in the same form, for events that came without a usable one. */
export function newEventId(): string {
  return randomUUID().replaceAll("-", "");
}
