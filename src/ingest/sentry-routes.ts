import cors from "@fastify/cors";
import rateLimit from "@fastify/rate-limit";
import type {
  FastifyError,
  FastifyInstance,
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
} from "fastify";
import type { ReportService } from "../bugs/index.js";
import type { ErrorEvent } from "../grouping/index.js";
import type { Admission } from "./admission/index.js";
import { decompressAfterAuth } from "./decompress.js";
import { IngestError } from "./http-error.js";
import type { ProjectAuth } from "./project-auth.js";
import {
  EnvelopeError,
  SentryEventError,
  decodeStoreBody,
  dsnKeyFromEnvelopeHeader,
  extractEvents,
  formatRateLimitHeaders,
  mapSentryEvent,
  parseEnvelope,
  parseSentryAuth,
} from "./sentry/index.js";

export interface SentryRoutesOptions {
  projectAuth: ProjectAuth;
  reportService: ReportService;
  clock: () => Date;
  bodyLimit: number;
  /** Requests per minute per Sentry key (or client address without one). Default 1000. */
  rateLimitPerMinute?: number;
  /** Inbound filters; a filtered event is acknowledged with its id, as Sentry does. */
  admission?: Pick<Admission, "filter">;
}

export const DEFAULT_SENTRY_RATE_LIMIT_PER_MINUTE = 1000;

type Params = { projectId: string };
type Query = { sentry_key?: string | string[] };

/** A 429 from the rate limiter, carrying what the Sentry headers need. */
class SentryRateLimited extends IngestError {
  constructor(readonly retryAfterSeconds: number) {
    super("rate_limited", `rate limit exceeded: retry after ${retryAfterSeconds}s`);
  }
}

function firstValue(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  const trimmed = v?.trim();
  return trimmed ? trimmed : undefined;
}

/** The key from `X-Sentry-Auth` or the `sentry_key` query parameter. */
function requestKey(request: FastifyRequest): string | undefined {
  const header = firstValue(request.headers["x-sentry-auth"]);
  const fromHeader = parseSentryAuth(header).sentryKey;
  if (fromHeader) return fromHeader;
  return firstValue((request.query as Query | undefined)?.sentry_key);
}

/** The key in an envelope's `dsn` header (its first line), read without parsing the rest. */
function envelopeHeaderKey(body: unknown): string | undefined {
  if (!Buffer.isBuffer(body)) return undefined;
  const end = body.indexOf(10);
  const line = body.subarray(0, end < 0 ? Math.min(body.length, 8192) : Math.min(end, 8192));
  try {
    const header: unknown = JSON.parse(line.toString("utf8"));
    if (!header || typeof header !== "object" || Array.isArray(header)) return undefined;
    return dsnKeyFromEnvelopeHeader(header as Record<string, unknown>)?.publicKey;
  } catch {
    return undefined;
  }
}

/**
 * Sentry SDK ingestion: `POST /api/:projectId/envelope/` and `POST /api/:projectId/store/`
 * (with or without the trailing slash). The DSN is `http://<ingestKey>@host/<project id>`.
 * CORS, rate limiting and raw-body parsing are scoped to these routes.
 */
export const sentryRoutes: FastifyPluginAsync<SentryRoutesOptions> = async (app, opts) => {
  // A prefix keeps the CORS plugin's `OPTIONS *` preflight route under /api.
  await app.register(routes, { ...opts, prefix: "/api" });
};

async function routes(app: FastifyInstance, opts: SentryRoutesOptions) {
  await app.register(cors, {
    origin: true,
    methods: ["POST", "OPTIONS"],
    allowedHeaders: [
      "x-sentry-auth",
      "content-type",
      "content-encoding",
      "authorization",
      "sentry-trace",
      "baggage",
    ],
    exposedHeaders: ["x-sentry-rate-limits", "retry-after"],
    maxAge: 3600,
  });

  // Registered after CORS so the preflight route is not counted. Counted once the body is read
  // (preHandler): an envelope may carry its key only in its `dsn` header. Keyed on the key that
  // authenticates the request, wherever it came from; a missing or unknown key counts against
  // the client's address, so made-up keys do not each get a fresh allowance.
  await app.register(rateLimit, {
    global: true,
    hook: "preHandler",
    max: opts.rateLimitPerMinute ?? DEFAULT_SENTRY_RATE_LIMIT_PER_MINUTE,
    timeWindow: 60_000,
    keyGenerator: async (request) => {
      const key = requestKey(request) ?? envelopeHeaderKey(request.body);
      if (key) {
        try {
          await opts.projectAuth.authenticate(key, opts.clock());
          return `key:${key}`;
        } catch {
          // Unknown, expired or suspended: the handler answers it; counted by address.
        }
      }
      return `ip:${request.ip}`;
    },
    errorResponseBuilder: (_request, context) =>
      new SentryRateLimited(Math.max(1, Math.ceil(context.ttl / 1000))),
  });

  app.setErrorHandler((error: FastifyError | IngestError, _request, reply) => {
    if (error instanceof SentryRateLimited) {
      const headers = formatRateLimitHeaders(error.retryAfterSeconds);
      reply
        .code(429)
        .header("retry-after", headers["Retry-After"])
        .header("x-sentry-rate-limits", headers["X-Sentry-Rate-Limits"])
        .send({ ...error.toJSON(), reason: error.message });
      return;
    }
    // Everything else is answered by the server's error handler.
    throw error;
  });

  // SDKs send envelopes as text/plain (browsers, to avoid a preflight), x-sentry-envelope or
  // octet-stream, and store/ bodies as JSON: every body is taken as raw bytes here.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    "*",
    { parseAs: "buffer", bodyLimit: opts.bodyLimit },
    (_request, body, done) => done(null, body),
  );

  const authenticate = async (projectIdParam: string, key: string | undefined, now: Date) => {
    if (!key) {
      throw new IngestError(
        "missing_key",
        "no Sentry key: send X-Sentry-Auth (sentry_key=…), ?sentry_key=… or a dsn envelope header",
      );
    }
    const project = await opts.projectAuth.authenticate(key, now);
    if (String(project.id) !== projectIdParam) {
      throw new IngestError(
        "invalid_key",
        `the key does not belong to project ${projectIdParam}: check the DSN's project id`,
      );
    }
    return project;
  };

  // A key in X-Sentry-Auth or ?sentry_key= is checked before the body is read; a compressed body
  // is inflated only after that (an envelope's dsn header cannot vouch for a compressed one).
  app.addHook(
    "preParsing",
    decompressAfterAuth({
      bodyLimit: opts.bodyLimit,
      authenticate: async (request) => {
        const key = requestKey(request);
        if (!key) return false;
        const params = request.params as Partial<Params>;
        await authenticate(params.projectId ?? "", key, opts.clock());
        return true;
      },
    }),
  );

  /**
   * The envelope's events, mapped, and what the answer needs of the rest. A function of its own
   * so that the parsed body (its JSON trees are most of a request's memory) is garbage before
   * the reports wait for their commit: whatever stays reachable across that wait is copied by
   * every young-generation GC, and ~100 reports wait at once under load.
   */
  const readEnvelope = async (
    request: FastifyRequest<{ Params: Params; Querystring: Query }>,
    receivedAt: Date,
  ) => {
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    request.body = undefined;
    const parsed = parseEnvelope(body);
    const key = requestKey(request) ?? dsnKeyFromEnvelopeHeader(parsed.header)?.publicKey;
    const project = await authenticate(request.params.projectId, key, receivedAt);

    const extracted = extractEvents(parsed);
    const problems: string[] = extracted.errors.map((e) => `item ${e.index}: ${e.reason}`);
    const events: ErrorEvent[] = [];
    for (const item of extracted.events) {
      try {
        events.push(mapSentryEvent(item.json, { receivedAt }));
      } catch (error) {
        if (!(error instanceof SentryEventError)) throw error;
        problems.push(error.reason);
      }
    }
    const headerId =
      typeof parsed.header.event_id === "string" ? parsed.header.event_id : undefined;
    return {
      project,
      events,
      problems,
      eventItems: extracted.events.length + extracted.errors.length,
      headerId,
    };
  };

  const envelope = async (
    request: FastifyRequest<{ Params: Params; Querystring: Query }>,
    reply: FastifyReply,
  ) => {
    const receivedAt = opts.clock();
    let read: Awaited<ReturnType<typeof readEnvelope>>;
    try {
      read = await readEnvelope(request, receivedAt);
    } catch (error) {
      if (error instanceof EnvelopeError) {
        reply.code(400);
        return { error: error.code, message: error.message, reason: error.reason };
      }
      throw error;
    }
    const { project, events, problems } = read;
    let eventId: string | undefined;
    for (const event of events) {
      const reason = await opts.admission?.filter(project.id, event);
      if (reason) {
        request.log.debug({ projectId: project.id, reason }, "sentry event dropped by filter");
        eventId ??= event.eventId;
        continue;
      }
      const result = await opts.reportService.submit(project.id, event);
      eventId ??= result.eventId;
    }
    if (read.eventItems > 0 && eventId === undefined) {
      reply.code(400);
      return {
        error: "invalid_event",
        message: `no event in the envelope could be stored: ${problems.join("; ")}`,
        reason: problems.join("; "),
      };
    }
    if (problems.length > 0) {
      request.log.warn({ problems }, "sentry envelope: some event items were rejected");
    }
    const id = eventId ?? read.headerId;
    return id ? { id } : {};
  };

  const store = async (
    request: FastifyRequest<{ Params: Params; Querystring: Query }>,
    reply: FastifyReply,
  ) => {
    const receivedAt = opts.clock();
    const project = await authenticate(request.params.projectId, requestKey(request), receivedAt);
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    // JSON, or base64(zlib(JSON)) from the legacy raven clients.
    const decoded = decodeStoreBody(body, opts.bodyLimit);
    if (!decoded.ok) {
      reply.code(decoded.code === "payload_too_large" ? 413 : 400);
      return { error: decoded.code, message: decoded.reason, reason: decoded.reason };
    }
    let event: ReturnType<typeof mapSentryEvent>;
    try {
      event = mapSentryEvent(decoded.json, { receivedAt });
    } catch (error) {
      if (error instanceof SentryEventError) {
        reply.code(400);
        return { error: error.code, message: error.message, reason: error.reason };
      }
      throw error;
    }
    const reason = await opts.admission?.filter(project.id, event);
    if (reason) {
      request.log.debug({ projectId: project.id, reason }, "sentry event dropped by filter");
      return { id: event.eventId };
    }
    const result = await opts.reportService.submit(project.id, event);
    return { id: result.eventId };
  };

  for (const path of ["/:projectId/envelope/", "/:projectId/envelope"]) {
    app.post<{ Params: Params; Querystring: Query }>(path, envelope);
  }
  for (const path of ["/:projectId/store/", "/:projectId/store"]) {
    app.post<{ Params: Params; Querystring: Query }>(path, store);
  }
}
