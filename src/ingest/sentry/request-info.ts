import { z } from "zod";
import type { RequestInfo } from "../../grouping/error-event.js";
import { assignDefined, entriesOf, nonEmpty, optString, parseOr, stringRecord } from "./values.js";

const MAX_HEADERS = 100;
const MAX_QUERY_ENTRIES = 100;

const RequestSchema = z.looseObject({
  url: optString,
  method: optString,
  headers: z.unknown().optional(),
  query_string: z.unknown().optional(),
  data: z.unknown().optional(),
});
const ResponseContextSchema = z.looseObject({
  status_code: z.int().min(100).max(599).optional().catch(undefined),
});

/** Sentry `request` interface plus the response status SDKs put in `contexts.response`. */
export function mapRequest(
  raw: unknown,
  contexts: Record<string, unknown> | undefined,
): RequestInfo | undefined {
  const request = parseOr(RequestSchema, raw);
  const response = parseOr(ResponseContextSchema, contexts?.response);
  const info: RequestInfo = {};
  assignDefined(info, "url", nonEmpty(request?.url));
  assignDefined(info, "method", nonEmpty(request?.method)?.toUpperCase());
  assignDefined(info, "statusCode", response?.status_code);
  const headers = stringRecord(request?.headers, MAX_HEADERS);
  if (Object.keys(headers).length > 0) info.headers = headers;
  assignDefined(info, "query", query(request?.query_string));
  if (request?.data !== undefined && request.data !== null) info.data = request.data;
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
