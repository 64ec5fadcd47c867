import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from "fastify";
import { type Kysely, sql } from "kysely";
import type { Probot } from "probot";
import { type AdminCli, adminRoutes } from "./admin/admin-routes.js";
import { readRoutes } from "./api/read-routes.js";
import { type ReportService, StoreUnavailableError } from "./bugs/index.js";
import { type DashboardSettings, dashboardRoutes } from "./dashboard/index.js";
import { type Database, isDatabaseUnavailable } from "./db/index.js";
import { probotStaticFile } from "./github/index.js";
import {
  type Admission,
  IngestError,
  type ProjectAuth,
  reportRoutes,
  sentryRoutes,
} from "./ingest/index.js";
import { childLoggerFactory } from "./request-log.js";
import { type SetupGuard, isSetupPath, judgeSetupRequest } from "./setup-guard.js";

/** Everything the HTTP layer needs, built once by main.ts (or a test) and handed in. */
export interface AppServices {
  db: Kysely<Database>;
  clock: () => Date;
  reportService: ReportService;
  projectAuth: ProjectAuth;
  /** Inbound filters of reports; none applied when absent. */
  admission?: Admission;
  /** Absent in setup mode (no GitHub App credentials yet). */
  probot?: Probot;
  /** Probot's manifest setup flow, served while there are no credentials. */
  setupHandler?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
  /** Who may use setupHandler (loopback, or the token printed at start); required with it. */
  setupGuard?: SetupGuard;
  /** FAULTLINE_ADMIN_TOKEN: read API access to every project; unset = per-project read keys only. */
  adminToken?: string | undefined;
  /** /dashboard sign-in (dashboardSettingsFromEnv); absent = the page explains the setup. */
  dashboard?: DashboardSettings | undefined;
  /** `faultline` commands run through this server (embedded database); absent = no such route. */
  adminCli?: AdminCli;
  /** Prometheus metrics: requests are counted, and `GET /metrics` served (see ServerMetrics). */
  metrics?: ServerMetrics;
}

/** What the HTTP layer counts, and the scrape. */
export interface ServerMetrics {
  render(): Promise<{ contentType: string; body: string }>;
  /** An ingestion request answered with an error status. */
  reportRefused(status: number): void;
  webhookDelivery(event: string, status: number): void;
  /**
   * METRICS_PORT serves the scrape: none here. Otherwise `GET /metrics` is served here behind
   * FAULTLINE_ADMIN_TOKEN.
   */
  ownPort?: boolean;
}

export interface ServerOptions {
  logger?: FastifyBaseLogger | boolean;
  bodyLimit?: number;
  /** Sentry endpoints: requests per minute per key (default 1000). */
  sentryRateLimitPerMinute?: number;
  /** /api/reports*: requests per minute per ingest key (default 1000). */
  reportRateLimitPerMinute?: number;
  /**
   * Proxies whose X-Forwarded-For is believed (TRUSTED_PROXIES): addresses, CIDR ranges or
   * proxy-addr's names. Default none: the connection's address is the client's.
   */
  trustedProxies?: readonly string[];
}

export const WEBHOOK_PATH = "/api/github/webhooks";

/** Readiness checks (a container HEALTHCHECK) and scrapes, every few seconds: no log line each. */
const PROBES = /^\/(?:readyz|metrics)(?:\?|$)/;

/** Report ingestion: /api/reports[/:source] and Sentry's /api/:projectId/{envelope,store}/. */
const INGESTION_URL = /^\/api\/(?:reports(?:[/?]|$)|[^/?]+\/(?:envelope|store)\/?(?:\?|$))/;

/** Builds the one Fastify app: webhooks, ingestion, health. Listening is main.ts's job. */
export async function buildServer(
  services: AppServices,
  options: ServerOptions = {},
): Promise<FastifyInstance> {
  const bodyLimit = options.bodyLimit ?? 1024 * 1024;
  const app: FastifyInstance = Fastify({
    ...(typeof options.logger === "object"
      ? { loggerInstance: options.logger }
      : { logger: options.logger ?? false }),
    bodyLimit,
    // X-Forwarded-For is believed only from the proxies the operator names: with `true` any
    // client picked its own address, and with it a fresh rate-limit allowance per request.
    trustProxy: options.trustedProxies?.length ? [...options.trustedProxies] : false,
    // Two info lines per report (serialised, written synchronously) cost more than grouping it;
    // ingestion's failures are still logged by the error handler and the routes.
    // OAuth codes and states stay out of request logs.
    childLoggerFactory,
    logController: new LogController({
      disableRequestLogging: (request: { url?: string }) =>
        INGESTION_URL.test(request.url ?? "") || PROBES.test(request.url ?? ""),
    }),
  });

  app.setErrorHandler(errorHandler);
  if (services.metrics) registerMetrics(app, services.metrics, services.adminToken);
  app.setNotFoundHandler((request, reply) => {
    reply
      .code(404)
      .send({ error: "not_found", message: `no route ${request.method} ${request.url}` });
  });

  // Report bodies may come gzip/deflate/br compressed: the ingestion routes inflate them after
  // checking the key, within the body limit (ingest/decompress.ts). Other routes take none.

  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/readyz", async (_request, reply) => {
    try {
      await sql`SELECT 1`.execute(services.db);
      return { status: "ok", database: "ok", github: services.probot ? "configured" : "setup" };
    } catch (error) {
      reply.code(503);
      return { status: "unavailable", database: (error as Error).message };
    }
  });

  // The setup pages' styles and logo (Probot's files), public and harmless in any mode.
  app.get<{ Params: { name: string } }>("/probot/static/:name", async (request, reply) => {
    const file = await probotStaticFile(request.params.name);
    if (!file) return reply.callNotFound();
    return reply.type(file.type).header("cache-control", "public, max-age=86400").send(file.body);
  });

  if (services.setupHandler) {
    const setup = services.setupHandler;
    const guard = services.setupGuard;
    if (!guard) throw new Error("setupHandler needs a setupGuard");
    app.addHook("onRequest", async (request, reply) => {
      const path = request.url.split("?")[0] ?? "";
      if (!isSetupPath(path)) return;
      const verdict = judgeSetupRequest(request.raw, guard);
      if (verdict === "closed") {
        return reply.code(404).send({
          error: "setup_closed",
          message:
            "GitHub App credentials are set: setup is closed. Restart Faultline to use them.",
        });
      }
      if (verdict === "forbidden") {
        return reply.code(403).send({
          error: "setup_forbidden",
          message:
            "GitHub App setup is served to loopback connections only, or with the one-time link printed in the server log at start (/probot?setup_token=…)",
        });
      }
      if (verdict.setCookie) reply.raw.setHeader("set-cookie", verdict.setCookie);
      reply.hijack();
      const handled = await setup(request.raw, reply.raw);
      if (!handled) reply.raw.writeHead(404).end();
    });
  }

  await app.register(webhookRoute, { probot: services.probot });
  await app.register(reportRoutes, {
    projectAuth: services.projectAuth,
    reportService: services.reportService,
    clock: services.clock,
    bodyLimit,
    ...(services.admission ? { admission: services.admission } : {}),
    ...(options.reportRateLimitPerMinute !== undefined
      ? { rateLimitPerMinute: options.reportRateLimitPerMinute }
      : {}),
  });
  await app.register(sentryRoutes, {
    projectAuth: services.projectAuth,
    reportService: services.reportService,
    clock: services.clock,
    bodyLimit,
    ...(services.admission ? { admission: services.admission } : {}),
    ...(options.sentryRateLimitPerMinute !== undefined
      ? { rateLimitPerMinute: options.sentryRateLimitPerMinute }
      : {}),
  });
  await app.register(readRoutes, {
    db: services.db,
    clock: services.clock,
    adminToken: services.adminToken,
  });
  if (services.adminCli) await app.register(adminRoutes, { cli: services.adminCli });
  await app.register(dashboardRoutes, {
    db: services.db,
    clock: services.clock,
    settings: services.dashboard,
  });
  return app;
}

/** Event names that may label the webhook counter (the header is the sender's to choose). */
const EVENT_NAME = /^[a-z_]{1,40}$/;

function registerMetrics(app: FastifyInstance, metrics: ServerMetrics, adminToken?: string) {
  app.addHook("onResponse", async (request, reply) => {
    if (INGESTION_URL.test(request.url)) {
      if (reply.statusCode >= 400) metrics.reportRefused(reply.statusCode);
      return;
    }
    if (request.method === "POST" && request.url.split("?")[0] === WEBHOOK_PATH) {
      const header = request.headers["x-github-event"];
      // Only a verified delivery's name is believed: anyone can send any header.
      const event =
        reply.statusCode < 300 && typeof header === "string" && EVENT_NAME.test(header)
          ? header
          : "unverified";
      metrics.webhookDelivery(event, reply.statusCode);
    }
  });
  if (metrics.ownPort) return;
  app.get("/metrics", async (request, reply) => {
    if (!adminToken) {
      reply.code(404);
      return {
        error: "metrics_off",
        message:
          "set FAULTLINE_ADMIN_TOKEN and scrape with it as a bearer token, or METRICS_PORT for a port of their own",
      };
    }
    const header = request.headers.authorization ?? "";
    const given = header.startsWith("Bearer ") ? header.slice(7) : "";
    const digest = (text: string) => createHash("sha256").update(text).digest();
    if (!timingSafeEqual(digest(given), digest(adminToken))) {
      reply.code(401);
      return {
        error: "unauthorized",
        message: "GET /metrics needs FAULTLINE_ADMIN_TOKEN as a bearer token",
      };
    }
    const { contentType, body } = await metrics.render();
    return reply.type(contentType).send(body);
  });
}

/**
 * Probot's webhook handling inside Fastify. The signature covers the exact bytes GitHub sent, so
 * this route (and only this one) keeps the body as a string.
 */
async function webhookRoute(app: FastifyInstance, opts: { probot?: Probot | undefined }) {
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_req, body, done) =>
    done(null, body),
  );
  app.post(WEBHOOK_PATH, async (request, reply) => {
    const probot = opts.probot;
    if (!probot) {
      reply.code(503);
      return {
        error: "not_configured",
        message: "GitHub App credentials are not set yet: finish the setup at /probot",
      };
    }
    const header = (name: string) => {
      const value = request.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const id = header("x-github-delivery");
    const name = header("x-github-event");
    const signature = header("x-hub-signature-256");
    if (!id || !name || !signature || typeof request.body !== "string") {
      reply.code(400);
      return {
        error: "invalid_webhook",
        message: "missing X-GitHub-Delivery, X-GitHub-Event or X-Hub-Signature-256, or no body",
      };
    }
    try {
      await probot.webhooks.verifyAndReceive({
        id,
        // biome-ignore lint/suspicious/noExplicitAny: the event name is checked by @octokit/webhooks
        name: name as any,
        payload: request.body,
        signature,
      });
    } catch (error) {
      if (isSignatureError(error)) {
        reply.code(401);
        return {
          error: "bad_signature",
          message:
            "webhook signature does not match: WEBHOOK_SECRET must equal the App's webhook secret",
        };
      }
      throw error;
    }
    reply.code(200);
    return { ok: true };
  });
}

function isSignatureError(error: unknown): boolean {
  const errors =
    error instanceof AggregateError ? error.errors : error instanceof Error ? [error] : [];
  return errors.some((e) => e instanceof Error && /signature does not match/.test(e.message));
}

function errorHandler(
  this: FastifyInstance,
  error: FastifyError | IngestError,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  if (error instanceof IngestError) {
    reply.code(error.statusCode).send(error.toJSON());
    return;
  }
  // Backpressure or shutdown: nothing was stored, the client should send the report again.
  if (error instanceof StoreUnavailableError) {
    reply
      .code(503)
      .header("retry-after", String(error.retryAfterSeconds))
      .send({ error: error.code, message: error.message });
    return;
  }
  const status = error.statusCode ?? 500;
  // The database restarting or failing over (outside a report's write, e.g. looking up its key):
  // the client retries, as for a report refused by the store. (A client's own reset socket while
  // its body is read comes with a 4xx status and stays a 4xx.)
  if (status >= 500 && isDatabaseUnavailable(error)) {
    request.log.warn({ err: error }, "database unavailable");
    reply.code(503).header("retry-after", "1").send({
      error: "database_unavailable",
      message: "the database is unavailable (restarting?): nothing was stored, retry shortly",
    });
    return;
  }
  if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
    reply.code(413).send({ error: "payload_too_large", message: error.message });
    return;
  }
  if (error.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
    reply.code(415).send({ error: "unsupported_media_type", message: error.message });
    return;
  }
  if (status >= 400 && status < 500) {
    const code =
      error.code === "FST_ERR_CTP_INVALID_JSON_BODY" || error instanceof SyntaxError
        ? "invalid_json"
        : "bad_request";
    reply.code(status).send({ error: code, message: error.message });
    return;
  }
  // Full detail in the log, none of it to the client.
  request.log.error({ err: error }, "request failed");
  reply.code(500).send({ error: "internal", message: "internal error; see the server log" });
}
