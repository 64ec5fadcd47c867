import type { RequestInfo } from "../../grouping/error-event.js";
import {
  asRecord,
  assignDefined,
  entriesOf,
  nonEmpty,
  readInt,
  readString,
  readValue,
  stringRecord,
} from "./values.js";

const MAX_HEADERS = 100;
const MAX_QUERY_ENTRIES = 100;

/** Sentry `request` interface plus the response status SDKs put in `contexts.response`. */
export function mapRequest(
  raw: unknown,
  contexts: Record<string, unknown> | undefined,
): RequestInfo | undefined {
  const request = asRecord(raw);
  const response = asRecord(readValue(contexts, "response"));
  const info: RequestInfo = {};
  assignDefined(info, "url", nonEmpty(readString(request, "url")));
  assignDefined(info, "method", nonEmpty(readString(request, "method"))?.toUpperCase());
  assignDefined(info, "statusCode", readInt(response, "status_code", 100, 599));
  const headers = stringRecord(readValue(request, "headers"), MAX_HEADERS);
  if (Object.keys(headers).length > 0) info.headers = headers;
  assignDefined(info, "query", query(readValue(request, "query_string")));
  const data = readValue(request, "data");
  if (data !== undefined && data !== null) info.data = data;
  return Object.keys(info).length > 0 ? info : undefined;
}

/** `query_string` may be a string, an object or a list of pairs (all three are in the spec). */
function query(raw: unknown): string | Record<string, unknown> | undefined {
  if (typeof raw === "string") return nonEmpty(raw.replace(/^\?/, ""));
  const entries = entriesOf(raw, MAX_QUERY_ENTRIES);
  if (entries.length === 0) return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, value] of entries) out[key] = value;
  return out;
}
