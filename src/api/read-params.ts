import { z } from "zod";
import { CATEGORIES } from "../grouping/category.js";
import { EXPORT_FORMATS } from "../stats/export-format.js";
import { TIME_PARAM_HELP, parseTimeParam } from "../stats/time-param.js";

/** A bad query parameter: answered 400 with the parameter's name. */
export class ParamError extends Error {
  override name = "ParamError";
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(`${parameter}: ${message}`);
  }
}

const text = (max: number) => z.string().trim().min(1).max(max);
const repo = text(140).optional();
const limit = z.coerce.number().int().min(1).max(200).optional();
const cursor = text(500).optional();
const status = z.enum(["open", "in_progress", "resolved", "wontfix", "ignored"]).optional();
const severity = z.enum(["critical", "high", "medium", "low"]).optional();
const category = z.enum(CATEGORIES).optional();
// "" is a real value here: occurrences reported without an environment or service.
const dimension = z.string().max(200).optional();

export const statsParams = z.strictObject({
  repo,
  from: text(40).optional(),
  to: text(40).optional(),
  environment: dimension,
  service: dimension,
  category,
});

export const bugsParams = z.strictObject({
  repo,
  status,
  severity,
  category,
  service: dimension,
  environment: dimension,
  release: text(256).optional(),
  q: z.string().trim().max(200).optional(),
  limit,
  cursor,
});

export const eventsParams = z.strictObject({ repo, limit, cursor });
export const bugParams = z.strictObject({
  repo,
  from: text(40).optional(),
  to: text(40).optional(),
});
export const eventParams = z.strictObject({ repo });

export const exportBugsParams = z.strictObject({
  repo,
  format: z.enum(EXPORT_FORMATS),
  status,
  severity,
  category,
});

export const exportEventsParams = z.strictObject({
  repo,
  format: z.enum(EXPORT_FORMATS),
  bug: text(20).optional(),
});

/** Parses query parameters, or throws a ParamError naming the first bad one. */
export function parseParams<S extends z.ZodType>(schema: S, query: unknown): z.infer<S> {
  const parsed = schema.safeParse(query);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  if (issue?.code === "unrecognized_keys") {
    throw new ParamError(issue.keys[0] ?? "?", "unknown parameter");
  }
  const name = String(issue?.path[0] ?? "query");
  if (Array.isArray((query as Record<string, unknown>)?.[name])) {
    throw new ParamError(name, "given more than once");
  }
  throw new ParamError(name, issue?.message ?? "invalid");
}

const DEFAULT_RANGE_MS = 24 * 3_600_000;

/** `from`/`to` parameters (ISO or relative like 7d); default the last 24 hours. */
export function parseRange(
  params: { from?: string | undefined; to?: string | undefined },
  now: Date,
): { from: Date; to: Date } {
  const to = params.to === undefined ? now : parseTimeParam(params.to, now);
  if (!to) throw new ParamError("to", `expected ${TIME_PARAM_HELP}`);
  const from =
    params.from === undefined
      ? new Date(to.getTime() - DEFAULT_RANGE_MS)
      : parseTimeParam(params.from, now);
  if (!from) throw new ParamError("from", `expected ${TIME_PARAM_HELP}`);
  if (from.getTime() >= to.getTime()) throw new ParamError("from", "must be before to");
  return { from, to };
}
