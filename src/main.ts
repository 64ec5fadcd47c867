import { randomBytes } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import type { Writable } from "node:stream";
import type { Logger } from "pino";
import { Probot } from "probot";
import { adminFilePath, newAdminToken, writeAdminFile } from "./admin/admin-file.js";
import { runCommand } from "./cli/run-command.js";
import { isUserError } from "./cli/user-errors.js";
import { faultlineVersion } from "./cli/version.js";
import { type Env, EnvError, loadDotEnv, loadEnv } from "./config/index.js";
import { dashboardSettingsFromEnv } from "./dashboard/index.js";
import {
  DatabaseUnreachableError,
  type DbHandle,
  EmbeddedDbBusyError,
  MigrationError,
  createDb,
  lockEmbeddedDb,
  redactDatabaseUrl,
  waitForDatabase,
} from "./db/index.js";
import { DIGEST_KIND, createDigestHandler, runDigests } from "./digest/index.js";
import { createScheduledJobHandlers, createSuspectHandlers } from "./escalation/index.js";
import {
  FaultlineOctokit,
  NEW_BUGS_KIND,
  OUTBOX_KINDS,
  type OutboxOctokit,
  type SetupHandler,
  appLoginOf,
  createLoadConfigHandler,
  createNewBugsHandler,
  createOutboxWorker,
  createSetupHandler,
  createTriageHandlers,
  createWritePacer,
  observeGithubRequests,
  outboxBacklog,
  planGithubEffects,
  planMissingConfigLoads,
  planSuspectLookups,
  registerWebhookHandlers,
  startWebhookProxy,
  webhookUrl,
} from "./github/index.js";
import { createNotificationHandlers, planNotifications } from "./notifications/index.js";
import { startupBanner } from "./observability/banner.js";
import { newBugEffect } from "./observability/instrument.js";
import { createLogger } from "./observability/logger.js";
import { startMetricsServer } from "./observability/metrics-server.js";
import { createMetrics } from "./observability/metrics.js";
import { createDefaultJobs, createScheduler } from "./scheduler/index.js";
import { WEBHOOK_PATH, buildServer } from "./server.js";
import { createServices } from "./services.js";
import type { SetupGuard } from "./setup-guard.js";

/** A start-up failure the operator can fix: one line, no stack trace. */
class StartupError extends Error {
  override name = "StartupError";
}

/** What has been opened so far, closed again when start-up fails half-way. */
const opened: (() => Promise<void> | void)[] = [];

/** Process entry: config -> db -> migrate -> probot -> server. Owns signals and shutdown. */
async function main(): Promise<void> {
  loadDotEnv();
  const env = loadEnv();
  const log = createLogger(env);
  const version = faultlineVersion();

  const dataDir = resolve(env.DATA_DIR);
  const releaseLock = env.DATABASE_URL ? () => {} : lockEmbeddedDb(dataDir);
  opened.push(releaseLock);
  // `faultline` commands reach the embedded database through this server (admin-file.ts): the
  // file says at once that a server holds it and is starting, then where it listens.
  const adminToken = env.DATABASE_URL ? undefined : newAdminToken();
  const releaseAdminFile = adminToken
    ? writeAdminFile(dataDir, { pid: process.pid, url: "", token: adminToken })
    : () => {};
  opened.push(releaseAdminFile);
  const handle = await createDb({
    databaseUrl: env.DATABASE_URL,
    dataDir,
    // A restart or failover: the connection is replaced; reports get 503 until the server is back.
    onConnectionError: (error) =>
      log.warn({ err: error }, "database connection lost; reconnecting on demand"),
  });
  opened.push(() => handle.close());
  const database =
    handle.kind === "pglite"
      ? `embedded PGlite in ${dataDir}`
      : `Postgres at ${redactDatabaseUrl(env.DATABASE_URL ?? "")}`;
  // A container may start before its database: wait for it (DATABASE_WAIT), then migrate.
  await waitForDatabase(handle.db, { waitMs: env.DATABASE_WAIT, where: database, log });
  log.info({ database }, "database ready");

  const metrics = createMetrics({
    processMetrics: true,
    outboxBacklog: () => outboxBacklog(handle.db, new Date()),
    ...(handle.poolStats ? { poolStats: handle.poolStats } : {}),
  });
  observeGithubRequests((method, status, headers) =>
    metrics.githubRequest(method, status, headers),
  );

  // Each report that needs GitHub work (or a notification) writes outbox rows in its own
  // transaction. GitHub first, so that a notification's row runs after the issue is opened.
  const services = createServices({
    db: handle.db,
    metrics,
    effects: [
      planSuspectLookups(),
      planGithubEffects(),
      planNotifications(),
      newBugEffect((bug) =>
        log.info(
          { repo: bug.repo, bug: bug.ref, severity: bug.severity },
          `new bug ${bug.ref} in ${bug.repo} (${bug.severity}): ${bug.title}`,
        ),
      ),
    ],
  });

  const { probot, setupHandler, setupGuard } = await githubApp(env, log, handle, services.clock);

  const app = await buildServer(
    {
      ...services,
      ...(probot ? { probot } : {}),
      ...(setupHandler && setupGuard ? { setupHandler, setupGuard } : {}),
      dashboard: dashboardSettingsFromEnv(env),
      adminToken: env.FAULTLINE_ADMIN_TOKEN,
      metrics: { ...metrics, ownPort: env.METRICS_PORT !== undefined },
      ...(adminToken
        ? {
            adminCli: {
              token: adminToken,
              run: (argv: string[], stdout: Writable) =>
                runCommand(argv, {
                  env,
                  now: new Date(),
                  stdout,
                  openDb: async () => ({ db: handle.db, close: async () => {} }),
                  remote: true,
                }),
              isUserError,
            },
          }
        : {}),
    },
    {
      logger: log,
      bodyLimit: env.MAX_BODY_BYTES,
      reportRateLimitPerMinute: env.REPORT_RATE_LIMIT_PER_MINUTE,
      sentryRateLimitPerMinute: env.SENTRY_RATE_LIMIT_PER_MINUTE,
      trustedProxies: env.TRUSTED_PROXIES,
    },
  );
  opened.push(() => app.close());
  await listen(() => app.listen({ port: env.PORT, host: env.HOST }), env.PORT, env.HOST);
  const localUrl = loopbackUrlOf(app.server.address(), env.PORT);

  let metricsServer: Server | undefined;
  if (env.METRICS_PORT !== undefined) {
    const host = env.METRICS_HOST ?? env.HOST;
    metricsServer = await listen(
      () => startMetricsServer({ port: env.METRICS_PORT ?? 0, host, metrics }),
      env.METRICS_PORT,
      host,
      "METRICS_PORT",
    );
  }
  if (adminToken) writeAdminFile(dataDir, { pid: process.pid, url: localUrl, token: adminToken });

  // GitHub delivers to a relay channel (a laptop it cannot reach): forward to our own route.
  const webhookProxy =
    probot && env.WEBHOOK_PROXY_URL
      ? startWebhookProxy({
          source: env.WEBHOOK_PROXY_URL,
          target: `${localUrl}${WEBHOOK_PATH}`,
          log: log.child({ name: "webhook-relay" }),
        })
      : undefined;

  // Rows written while GitHub was unreachable (or before a restart) are picked up here. The
  // worker runs without a GitHub App too: Slack and webhook notifications need no GitHub.
  const github = probot;
  const outbox = createOutboxWorker({
    db: handle.db,
    getOctokit: async (installationId): Promise<OutboxOctokit> => {
      if (!github) throw new Error("no GitHub App configured yet (APP_ID, PRIVATE_KEY)");
      return (await github.auth(installationId)) as OutboxOctokit;
    },
    log: log.child({ name: "outbox" }),
    appUrl: env.publicUrl,
    ...(env.APP_ID ? { appId: Number(env.APP_ID) } : {}),
    // GitHub's documented secondary limits (80 writes a minute, 500 an hour per installation),
    // counted in Postgres so that every replica's writes share them.
    pacer: createWritePacer({ db: handle.db }),
    ...(github ? { appLogin: appLoginOf(github) } : {}),
    projectConfigs: services.projectConfigs,
    maxAttempts: env.OUTBOX_MAX_ATTEMPTS,
    maxWaitMs: env.OUTBOX_MAX_WAIT,
    observe: (event) => metrics.outboxRun(event.kind, event.outcome),
    handlers: {
      [OUTBOX_KINDS.loadConfig]: createLoadConfigHandler({
        projectConfigs: services.projectConfigs,
      }),
      ...createScheduledJobHandlers({ projectConfigs: services.projectConfigs }),
      ...createTriageHandlers({ projectConfigs: services.projectConfigs }),
      ...createSuspectHandlers(),
      ...createNotificationHandlers({
        signingSecret: env.NOTIFICATION_SIGNING_SECRET,
        allowPrivateNetworks: env.NOTIFICATION_ALLOW_PRIVATE_NETWORKS,
      }),
      [DIGEST_KIND]: createDigestHandler(),
      [NEW_BUGS_KIND]: createNewBugsHandler(),
    },
  });
  // Repositories installed before config loading existed get their first read.
  if (probot) await planMissingConfigLoads(handle.db, services.clock());
  outbox.start(5_000);

  // Escalation, spikes, retention and digests; each cron tick is claimed in Postgres and each run
  // holds an advisory lock, so replicas run one tick once and never overlap.
  const scheduler = createScheduler({
    db: handle.db,
    dbKind: handle.kind,
    log: log.child({ name: "scheduler" }),
    clock: services.clock,
    onOutcome: (job, outcome) =>
      metrics.jobRun(job, outcome.status, "ms" in outcome ? outcome.ms : undefined),
    jobs: [
      ...createDefaultJobs({
        db: handle.db,
        projectConfigs: services.projectConfigs,
        bookkeeping: {
          finishedMs: env.OUTBOX_RETENTION,
          deadMs: env.OUTBOX_DEAD_RETENTION,
          deliveriesMs: env.WEBHOOK_DELIVERY_RETENTION,
        },
      }),
      {
        name: "digest",
        cron: "*/15 * * * *",
        run: (now) =>
          runDigests(
            {
              db: handle.db,
              projectConfigs: services.projectConfigs,
              log: log.child({ name: "digest" }),
            },
            now,
          ),
      },
    ],
  });
  scheduler.start();
  // Started: from here on, shutdown() closes what is open.
  opened.length = 0;

  const metricsWhere =
    env.METRICS_PORT !== undefined
      ? `http://${env.METRICS_HOST ?? env.HOST}:${(metricsServer?.address() as AddressInfo).port}/metrics`
      : env.FAULTLINE_ADMIN_TOKEN
        ? `${env.publicUrl}/metrics (bearer FAULTLINE_ADMIN_TOKEN)`
        : "off (set FAULTLINE_ADMIN_TOKEN, or METRICS_PORT)";
  log.info(
    startupBanner({
      version,
      publicUrl: env.publicUrl,
      database,
      webhookUrl: probot
        ? webhookUrl({ publicUrl: env.publicUrl, webhookProxyUrl: env.WEBHOOK_PROXY_URL })
        : undefined,
      // The one way to run setup from another machine: whoever reads this log.
      setupLink: setupGuard ? `${env.publicUrl}/probot?setup_token=${setupGuard.token}` : undefined,
      localSetupUrl: `http://localhost:${env.PORT}/probot`,
      metrics: metricsWhere,
    }),
  );

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, "shutting down");
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    try {
      releaseAdminFile();
      await app.close();
      metricsServer?.close();
      // Every queued report is committed before the pool closes: nothing accepted is lost.
      await services.reportService.close();
      await scheduler.stop();
      await outbox.stop();
      await webhookProxy?.close();
      await handle.close();
    } finally {
      releaseLock();
    }
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

/** The GitHub App when its credentials are set, else the setup flow and its guard. */
async function githubApp(env: Env, log: Logger, handle: DbHandle, clock: () => Date) {
  if (env.APP_ID && env.privateKey && env.WEBHOOK_SECRET) {
    const probot = new Probot({
      appId: env.APP_ID,
      privateKey: env.privateKey,
      secret: env.WEBHOOK_SECRET,
      log: log.child({ name: "probot" }),
      // The throttling plugin's fixed spacing of writes lifted: the outbox paces its own.
      Octokit: FaultlineOctokit,
      ...(env.GHE_HOST
        ? { baseUrl: `${env.GHE_PROTOCOL ?? "https"}://${env.GHE_HOST}/api/v3` }
        : {}),
    });
    registerWebhookHandlers(probot, {
      db: handle.db,
      clock,
      appId: Number(env.APP_ID),
      ...(env.APP_SLUG ? { appSlug: env.APP_SLUG } : {}),
    });
    await probot.ready();
    return { probot };
  }
  const github = dashboardSettingsFromEnv(env);
  const setupHandler: SetupHandler = await createSetupHandler({
    publicUrl: env.publicUrl,
    webhookProxyUrl: env.WEBHOOK_PROXY_URL,
    envFile: env.ENV_FILE,
    githubUrl: github.githubUrl,
    githubApiUrl: github.githubApiUrl,
    organization: env.GH_ORG,
    log: log.child({ name: "setup" }),
  });
  const setupGuard: SetupGuard = {
    token: env.SETUP_TOKEN ?? randomBytes(24).toString("base64url"),
    // The flow writes .env and process.env: from then on setup is closed until a restart.
    credentialsExist: () =>
      Boolean(process.env.APP_ID && (process.env.PRIVATE_KEY || process.env.PRIVATE_KEY_PATH)),
  };
  return { setupHandler, setupGuard };
}

/** Listens, turning the usual failures (a port in use, a port not allowed) into one line. */
async function listen<T>(start: () => Promise<T>, port: number, host: string, name = "PORT") {
  try {
    return await start();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") {
      throw new StartupError(
        `port ${port} on ${host} is already in use (another Faultline, or another program): stop it, or set ${name} to a free port`,
      );
    }
    if (code === "EACCES") {
      throw new StartupError(
        `not allowed to listen on port ${port} (ports below 1024 need privileges): set ${name} to 1024 or above`,
      );
    }
    if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND") {
      throw new StartupError(
        `cannot listen on ${host}: not an address of this machine (set HOST, e.g. 0.0.0.0 for all interfaces)`,
      );
    }
    throw error;
  }
}

/** How this machine reaches the server: a wildcard address is reached on loopback. */
function loopbackUrlOf(address: string | AddressInfo | null, port: number): string {
  if (!address || typeof address === "string") return `http://127.0.0.1:${port}`;
  if (address.address === "0.0.0.0" || address.address === "127.0.0.1") {
    return `http://127.0.0.1:${address.port}`;
  }
  if (address.address === "::" || address.address === "::1") return `http://[::1]:${address.port}`;
  return address.family === "IPv6"
    ? `http://[${address.address}]:${address.port}`
    : `http://${address.address}:${address.port}`;
}

const KNOWN = [
  StartupError,
  EnvError,
  EmbeddedDbBusyError,
  DatabaseUnreachableError,
  MigrationError,
];

main().catch(async (error: unknown) => {
  // Close what start-up opened (the database, the embedded lock) before saying why it failed.
  for (const close of opened.reverse()) {
    try {
      await close();
    } catch {
      // already failing: the first error is the one to tell
    }
  }
  if (KNOWN.some((E) => error instanceof E)) {
    console.error(`faultline: ${(error as Error).message}`);
  } else {
    console.error("faultline: failed to start:", error);
  }
  process.exit(1);
});
