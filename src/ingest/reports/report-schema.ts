import { z } from "zod";
import { canonicalKeys, snakeCase } from "./canonical-keys.js";

/** Structured frame as clients send it; keys are folded to snake_case first. */
const frameSchema = z.preprocess(
  (value) =>
    value && typeof value === "object" && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).map(([k, v]) => [snakeCase(k), v]))
      : value,
  z.object({
    // Text of any length is accepted here and cut by limitEvent, with a marker.
    filename: z.string().optional(),
    file: z.string().optional(),
    file_name: z.string().optional(),
    abs_path: z.string().optional(),
    module: z.string().optional(),
    class: z.string().optional(),
    class_name: z.string().optional(),
    function: z.string().optional(),
    method: z.string().optional(),
    method_name: z.string().optional(),
    lineno: z.coerce.number().int().nonnegative().optional(),
    line: z.coerce.number().int().nonnegative().optional(),
    line_number: z.coerce.number().int().nonnegative().optional(),
    colno: z.coerce.number().int().nonnegative().optional(),
    column: z.coerce.number().int().nonnegative().optional(),
    column_number: z.coerce.number().int().nonnegative().optional(),
    in_app: z.boolean().optional(),
  }),
);

export type RawFrame = z.infer<typeof frameSchema>;

const scalar = z.union([z.string(), z.number(), z.boolean()]);

const requestSchema = z.object({
  url: z.string().max(8192).optional(),
  method: z.string().max(16).optional(),
  status_code: z.coerce.number().int().min(100).max(599).optional(),
  headers: z.record(z.string(), z.union([z.string(), z.array(z.string())])).optional(),
  query: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
  data: z.unknown().optional(),
});

/**
 * The generic report after key folding. Sizes here reject absurd identifiers; free text (message,
 * stack, frame fields, tag values) and the number of frames are cut later by limitEvent.
 */
export const reportSchema = z
  .object({
    event_id: z
      .string()
      .regex(/^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/, {
        message: "expected 32 hex characters or a UUID",
      })
      .optional(),
    error_type: z.string().min(1).max(512).optional(),
    message: z.string().optional(),
    level: z.union([z.string().max(32), z.number()]).optional(),
    stack_trace: z.union([z.string(), z.array(frameSchema)]).optional(),
    service: z.string().max(256).optional(),
    environment: z.string().max(256).optional(),
    release: z.string().max(256).optional(),
    platform: z.string().max(64).optional(),
    server_name: z.string().max(256).optional(),
    url: z.string().max(8192).optional(),
    method: z.string().max(16).optional(),
    status_code: z.coerce.number().int().min(100).max(599).optional(),
    user_id: z
      .union([
        z.string().max(256),
        z.number(),
        z.object({ id: z.union([z.string().max(256), z.number()]).optional() }),
      ])
      .optional(),
    tags: z.record(z.string().max(256), scalar.nullable()).optional(),
    context: z.record(z.string(), z.unknown()).optional(),
    request: requestSchema.optional(),
    fingerprint: z
      .union([z.string().max(1024), z.array(z.string().max(1024)).min(1).max(32)])
      .optional(),
    timestamp: z.union([z.number(), z.string().max(64)]).optional(),
  })
  .refine((r) => r.error_type !== undefined || r.message !== undefined, {
    message: "a report needs error_type (or name) or message",
    path: ["error_type"],
  });

export type GenericReport = z.infer<typeof reportSchema>;

export type ParsedReport =
  | { ok: true; report: GenericReport }
  | { ok: false; field: string; message: string };

export function parseGenericReport(body: unknown): ParsedReport {
  if (!body || typeof body !== "object" || Array.isArray(body)) {
    return { ok: false, field: "(body)", message: "the report must be a JSON object" };
  }
  const result = reportSchema.safeParse(canonicalKeys(body as Record<string, unknown>));
  if (result.success) return { ok: true, report: result.data };
  const issue = result.error.issues[0];
  const field = issue?.path.length ? issue.path.join(".") : "(body)";
  return { ok: false, field, message: `${field}: ${issue?.message ?? "invalid"}` };
}
