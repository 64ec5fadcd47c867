import { type Kysely, sql } from "kysely";
import { causesFromContext } from "../bugs/stored-event.js";
import type { Database, EventRow } from "../db/index.js";
import type { StackFrame } from "../grouping/error-event.js";
import { decideInApp } from "../grouping/in-app.js";
import { getBug, toBugEvent } from "./bug-list.js";
import { toHourRange } from "./hour-range.js";
import { DAY_MS, dayStart } from "./rollup-coverage.js";
import type {
  BugDetail,
  BugOccurrences,
  EventDetail,
  OccurrencePoint,
  ReleaseSeen,
} from "./stats-types.js";

const HOUR_MS = 3_600_000;
/** Ranges up to this long are drawn by the hour, longer ones by the day. */
export const HOURLY_UP_TO_MS = 7 * 24 * HOUR_MS;
const RELEASES_SHOWN = 20;

/** A bug by its number (`B-007` -> 7) in one project; undefined when there is none. */
export async function findBugId(
  db: Kysely<Database>,
  projectId: number,
  number: number,
): Promise<number | undefined> {
  const row = await db
    .selectFrom("bugs")
    .select("id")
    .where("project_id", "=", projectId)
    .where("number", "=", number)
    .executeTakeFirst();
  return row?.id;
}

/** One bug with its releases, occurrences over [from, to) and latest stored event in full. */
export async function getBugDetail(
  db: Kysely<Database>,
  bugId: number,
  range: { from: Date; to: Date },
): Promise<BugDetail | undefined> {
  const [bug, releases, occurrences, latest] = await Promise.all([
    getBug(db, bugId),
    bugReleases(db, bugId),
    bugOccurrences(db, bugId, range),
    latestEventId(db, bugId),
  ]);
  if (!bug) return undefined;
  const latestEvent = latest === undefined ? null : ((await getEvent(db, bugId, latest)) ?? null);
  return {
    ...bug,
    ...releases,
    occurrences,
    latestEvent,
  };
}

async function bugReleases(db: Kysely<Database>, bugId: number) {
  // A bug has a handful of releases (one row each): read them all, order here.
  const rows = await db
    .selectFrom("bug_releases")
    .select(["release", "first_seen", "last_seen", "count"])
    .where("bug_id", "=", bugId)
    .execute();
  const seen: ReleaseSeen[] = rows.map((r) => ({
    release: r.release,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    count: Number(r.count),
  }));
  const byTime = (a: Date, b: Date) => a.getTime() - b.getTime();
  const first = [...seen].sort((a, b) => byTime(a.firstSeen, b.firstSeen))[0];
  const recent = [...seen].sort((a, b) => byTime(b.lastSeen, a.lastSeen));
  return {
    firstRelease: first?.release ?? null,
    lastRelease: recent[0]?.release ?? null,
    releases: recent.slice(0, RELEASES_SHOWN),
  };
}

/**
 * A bug's occurrences from bug_hourly (kept for all time, sampled-out occurrences included):
 * every UTC hour of ranges up to 7 days, every UTC day of longer ones, zeros included.
 */
export async function bugOccurrences(
  db: Kysely<Database>,
  bugId: number,
  range: { from: Date; to: Date },
): Promise<BugOccurrences> {
  const hourly = toHourRange(range.from, range.to);
  const byDay = hourly.to.getTime() - hourly.from.getTime() > HOURLY_UP_TO_MS;
  const from = byDay ? dayStart(hourly.from) : hourly.from;
  const to = byDay ? new Date(Math.ceil(hourly.to.getTime() / DAY_MS) * DAY_MS) : hourly.to;
  const rows = await db
    .selectFrom("bug_hourly")
    .select(["hour", (eb) => eb.fn.sum<number>("count").as("count")])
    .where("bug_id", "=", bugId)
    .where("hour", ">=", from)
    .where("hour", "<", to)
    .groupBy("hour")
    .execute();
  const step = byDay ? DAY_MS : HOUR_MS;
  const counts = new Map<number, number>();
  for (const row of rows) {
    const key = Math.floor(row.hour.getTime() / step) * step;
    counts.set(key, (counts.get(key) ?? 0) + Number(row.count));
  }
  const points: OccurrencePoint[] = [];
  let total = 0;
  for (let t = from.getTime(); t < to.getTime(); t += step) {
    const count = counts.get(t) ?? 0;
    total += count;
    points.push({ start: new Date(t), count });
  }
  return { interval: byDay ? "day" : "hour", from, to, points, total };
}

async function latestEventId(db: Kysely<Database>, bugId: number) {
  const row = await db
    .selectFrom("events")
    .select("id")
    .where("bug_id", "=", bugId)
    .orderBy("received_at", "desc")
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
  return row?.id;
}

const EVENT_ID = /^[0-9a-f]{32}$/;

/**
 * An event of the bug by its row id (`1234`) or the client's event id (32 hex digits, dashes
 * allowed, as the report's answer gave it); undefined when the bug has no such event.
 */
export function parseEventRef(ref: string): { id: number } | { eventId: string } | undefined {
  const text = ref.trim().toLowerCase();
  if (/^\d{1,15}$/.test(text)) return { id: Number(text) };
  const hex = text.replace(/-/g, "");
  return EVENT_ID.test(hex) ? { eventId: hex } : undefined;
}

/** One event of the bug in full, with its newer and older neighbours' ids. */
export async function getEvent(
  db: Kysely<Database>,
  bugId: number,
  ref: number | { id: number } | { eventId: string },
): Promise<EventDetail | undefined> {
  const key = typeof ref === "number" ? { id: ref } : ref;
  let q = db
    .selectFrom("events")
    .selectAll()
    .select(sql<string>`received_at::text`.as("received_at_text"))
    .where("bug_id", "=", bugId);
  q = "id" in key ? q.where("id", "=", key.id) : q.where("event_id", "=", key.eventId);
  const row = await q.executeTakeFirst();
  if (!row) return undefined;
  // Keyset neighbours on (received_at, id): the same order as the event list.
  const at = sql`(${row.received_at_text}::timestamptz, ${row.id}::bigint)`;
  const [newer, older] = await Promise.all([
    db
      .selectFrom("events")
      .select("id")
      .where("bug_id", "=", bugId)
      .where(sql<boolean>`(received_at, id) > ${at}`)
      .orderBy("received_at")
      .orderBy("id")
      .limit(1)
      .executeTakeFirst(),
    db
      .selectFrom("events")
      .select("id")
      .where("bug_id", "=", bugId)
      .where(sql<boolean>`(received_at, id) < ${at}`)
      .orderBy("received_at", "desc")
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirst(),
  ]);
  return toEventDetail(row, newer?.id ?? null, older?.id ?? null);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Keys of `context` shown on their own; the rest stays in `context`. */
const OWN_KEYS = new Set(["causes", "contexts", "breadcrumbs"]);

/** An events row as the API and the bug page show it. */
export function toEventDetail(
  row: EventRow,
  newerId: number | null = null,
  olderId: number | null = null,
): EventDetail {
  const context = isRecord(row.context) ? row.context : {};
  const stored = Array.isArray(row.stacktrace) ? (row.stacktrace as unknown[]) : [];
  const frames = stored
    .filter(isRecord)
    .map((f) => ({ ...(f as StackFrame), inApp: decideInApp(f as StackFrame) }));
  const request = isRecord(row.request) ? row.request : {};
  const hasRequest =
    row.url !== null || row.method !== null || row.status_code !== null || isRecord(row.request);
  const rest = Object.fromEntries(Object.entries(context).filter(([k]) => !OWN_KEYS.has(k)));
  return {
    ...toBugEvent(row),
    source: row.source,
    urlPattern: row.url_pattern,
    exception: {
      type: row.error_type,
      message: row.message,
      causes: causesFromContext(context),
    },
    frames,
    rawStacktrace: row.raw_stacktrace,
    request: hasRequest
      ? {
          url: row.url,
          method: row.method,
          statusCode: row.status_code,
          headers: isRecord(request.headers) ? (request.headers as Record<string, string>) : {},
          query: request.query ?? null,
          data: request.data ?? null,
        }
      : null,
    tags: isRecord(row.tags) ? (row.tags as Record<string, string>) : {},
    contexts: isRecord(context.contexts) ? context.contexts : {},
    breadcrumbs: Array.isArray(context.breadcrumbs) ? context.breadcrumbs.filter(isRecord) : [],
    context: rest,
    newerId,
    olderId,
  };
}
