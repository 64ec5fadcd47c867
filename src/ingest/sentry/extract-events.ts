import type { Envelope } from "./envelope.js";
import { normaliseEventId } from "./event-id.js";

export interface ExtractedEvents {
  events: { type: "event"; json: unknown }[];
  dropped: { type: string; reason?: string }[];
  /** `index` is the item's 0-based position in `envelope.items`. */
  errors: { index: number; reason: string }[];
}

/**
 * Why each item type we know is not turned into an ErrorEvent. Faultline stores errors only; the
 * rest is acknowledged and dropped so SDKs do not retry or report it as lost.
 */
const DROP_REASONS: Record<string, string> = {
  transaction: "performance data is not stored",
  span: "performance data is not stored",
  profile: "profiles are not stored",
  profile_chunk: "profiles are not stored",
  session: "release health is not stored",
  sessions: "release health is not stored",
  client_report: "client reports are not stored",
  attachment: "attachments are not stored",
  check_in: "cron monitors are not supported",
  replay_event: "replays are not stored",
  replay_recording: "replays are not stored",
  replay_video: "replays are not stored",
  log: "logs are not stored",
  otel_log: "logs are not stored",
  statsd: "metrics are not stored",
  metric_buckets: "metrics are not stored",
  trace_metric: "metrics are not stored",
  user_report: "user feedback is not stored",
  feedback: "user feedback is not stored",
};

/**
 * Picks the error events out of an envelope. One bad event item must not lose its neighbours,
 * so per-item problems are reported in `errors` and never thrown.
 */
export function extractEvents(envelope: Envelope): ExtractedEvents {
  const result: ExtractedEvents = { events: [], dropped: [], errors: [] };
  const headerId = normaliseEventId(envelope.header.event_id);
  envelope.items.forEach((item, index) => {
    if (item.type !== "event") {
      const reason = Object.hasOwn(DROP_REASONS, item.type)
        ? DROP_REASONS[item.type]
        : "unknown item type";
      result.dropped.push({ type: item.type, reason });
      return;
    }
    let json: unknown;
    try {
      const text = item.payload.toString("utf8");
      json = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    } catch {
      result.errors.push({ index, reason: "event payload is not valid JSON" });
      return;
    }
    if (typeof json !== "object" || json === null || Array.isArray(json)) {
      result.errors.push({ index, reason: "event payload is not a JSON object" });
      return;
    }
    // The spec: when envelope header and payload disagree on event_id, the header wins.
    if (headerId !== undefined) (json as Record<string, unknown>).event_id = headerId;
    result.events.push({ type: "event", json });
  });
  return result;
}
