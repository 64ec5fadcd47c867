import rateLimit from "@fastify/rate-limit";
import type { FastifyPluginAsync, FastifyRequest } from "fastify";
import type { ReportService } from "../bugs/index.js";
import type { Admission } from "./admission/index.js";
import { decompressAfterAuth } from "./decompress.js";
import { IngestError } from "./http-error.js";
import type { ProjectAuth } from "./project-auth.js";
import { keyFromHeaders } from "./project-auth.js";
import { parseReport } from "./reports/parse-report.js";

export interface ReportRoutesOptions {
  projectAuth: ProjectAuth;
  reportService: ReportService;
  clock: () => Date;
  bodyLimit: number;
  /** Inbound filters (and the counters of what they dropped); none applied when not given. */
  admission?: Pick<Admission, "filter">;
  /** Requests per minute per ingest key (or client address without one). Default 1000. */
  rateLimitPerMinute?: number;
}

export const DEFAULT_REPORT_RATE_LIMIT_PER_MINUTE = 1000;

type Headers = Record<string, string | string[] | undefined>;

/** The 429 body: the usual `{error, message}` plus `reason` and `retry_after` (seconds). */
class ReportRateLimited extends IngestError {
  constructor(
    readonly retryAfterSeconds: number,
    perMinute: number,
  ) {
    super(
      "rate_limited",
      `rate limit exceeded: at most ${perMinute} reports per minute per key; retry after ${retryAfterSeconds}s`,
    );
  }
  override toJSON() {
    return { ...super.toJSON(), reason: this.message, retry_after: this.retryAfterSeconds };
  }
}

/**
 * `POST /api/reports` (generic JSON) and `POST /api/reports/:source` (laravel, java, frontend,
 * mobile, generic). The answer comes only after the occurrence is committed; a report dropped by
 * an inbound filter is answered `202 {filtered: true, reason}` and neither stored nor counted.
 */
export const reportRoutes: FastifyPluginAsync<ReportRoutesOptions> = async (app, opts) => {
  const perMinute = opts.rateLimitPerMinute ?? DEFAULT_REPORT_RATE_LIMIT_PER_MINUTE;
  // Scoped to this plugin's routes; runs on the request line and headers, before the body is
  // parsed, so a flood costs little.
  await app.register(rateLimit, {
    global: true,
    max: perMinute,
    timeWindow: 60_000,
    // The key when it authenticates (cached lookups); a missing or unknown one counts against
    // the client's address, so made-up keys do not each get a fresh allowance.
    keyGenerator: async (request) => {
      const key = keyFromHeaders(request.headers as Headers);
      if (key) {
        try {
          await opts.projectAuth.authenticate(key, opts.clock());
          return `key:${key}`;
        } catch {
          // Answered by the handler (401/403).
        }
      }
      return `ip:${request.ip}`;
    },
    // Thrown; the server's error handler answers 429 with this JSON, the plugin adds Retry-After.
    errorResponseBuilder: (_request, context) =>
      new ReportRateLimited(Math.max(1, Math.ceil(context.ttl / 1000)), perMinute),
  });

  // The key is checked before the body is read, and a compressed body inflated only then.
  app.addHook(
    "preParsing",
    decompressAfterAuth({
      bodyLimit: opts.bodyLimit,
      authenticate: async (request) => {
        await opts.projectAuth.authenticate(
          keyFromHeaders(request.headers as Headers),
          opts.clock(),
        );
        return true;
      },
    }),
  );

  const handle = async (source: string, request: FastifyRequest) => {
    const receivedAt = opts.clock();
    const project = await opts.projectAuth.authenticate(
      keyFromHeaders(request.headers as Headers),
      receivedAt,
    );
    const event = parseReport(source, request.body, receivedAt);
    const reason = await opts.admission?.filter(project.id, event);
    if (reason) {
      request.log.debug({ projectId: project.id, reason }, "report dropped by inbound filter");
      return { event_id: event.eventId, filtered: true, reason };
    }
    const result = await opts.reportService.submit(project.id, event);
    return {
      event_id: result.eventId,
      bug: result.bug,
      status: result.status,
      known: result.known,
      occurrences: result.occurrences,
      issue_url: result.issueUrl,
      ...(result.duplicate ? { duplicate: true } : {}),
    };
  };

  app.post("/api/reports", { bodyLimit: opts.bodyLimit }, async (request, reply) => {
    const body = await handle("generic", request);
    reply.code(202);
    return body;
  });

  app.post<{ Params: { source: string } }>(
    "/api/reports/:source",
    { bodyLimit: opts.bodyLimit },
    async (request, reply) => {
      const body = await handle(request.params.source, request);
      reply.code(202);
      return body;
    },
  );
};
