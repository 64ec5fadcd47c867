import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import pino from "pino";
import { Probot } from "probot";
import { EnvError, loadDotEnv, loadEnv } from "./config/index.js";
import { dashboardSettingsFromEnv } from "./dashboard/index.js";
import { EmbeddedDbBusyError, createDb, lockEmbeddedDb, migrateToLatest } from "./db/index.js";
import { DIGEST_KIND, createDigestHandler, runDigests } from "./digest/index.js";
import { createScheduledJobHandlers } from "./escalation/index.js";
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
  createWritePacer,
  planGithubEffects,
  planMissingConfigLoads,
  registerWebhookHandlers,
  startWebhookProxy,
} from "./github/index.js";
import { createNotificationHandlers, planNotifications } from "./notifications/index.js";
import { createDefaultJobs, createScheduler } from "./scheduler/index.js";
import { WEBHOOK_PATH, buildServer } from "./server.js";
import { createServices } from "./services.js";
import type { SetupGuard } from "./setup-guard.js";

/** Process entry: config -> db -> migrate -> probot -> server. Owns signals and shutdown. */
async function main(): Promise<void> {
  loadDotEnv();
  const env = loadEnv();
  const log = pino({ level: env.LOG_LEVEL });

  let releaseLock = () => {};
  const dataDir = resolve(env.DATA_DIR);
  if (!env.DATABASE_URL) releaseLock = lockEmbeddedDb(dataDir);
  const handle = await createDb({
    databaseUrl: env.DATABASE_URL,
    dataDir,
    // A restart or failover: the connection is replaced; reports get 503 until the server is back.
    onConnectionError: (error) =>
      log.warn({ err: error }, "database connection lost; reconnecting on demand"),
  });
  await migrateToLatest(handle.db);
  log.info(
    { database: handle.kind === "pglite" ? `embedded PGlite in ${dataDir}` : "postgres" },
    "database ready",
  );

  // Each report that needs GitHub work (or a notification) writes outbox rows in its own
  // transaction. GitHub first, so that a notification's row runs after the issue is opened.
  const services = createServices({
    db: handle.db,
    effects: [planGithubEffects(), planNotifications()],
  });

  let probot: Probot | undefined;
  let setupHandler: SetupHandler | undefined;
  let setupGuard: SetupGuard | undefined;
  if (env.APP_ID && env.privateKey && env.WEBHOOK_SECRET) {
    probot = new Probot({
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
    registerWebhookHandlers(probot, { db: handle.db, clock: services.clock });
    await probot.ready();
  } else {
    const github = dashboardSettingsFromEnv(env);
    setupHandler = await createSetupHandler({
      publicUrl: env.publicUrl,
      webhookProxyUrl: env.WEBHOOK_PROXY_URL,
      envFile: env.ENV_FILE,
      githubUrl: github.githubUrl,
      githubApiUrl: github.githubApiUrl,
      organization: env.GH_ORG,
      log: log.child({ name: "setup" }),
    });
    setupGuard = {
      token: env.SETUP_TOKEN ?? randomBytes(24).toString("base64url"),
      // The flow writes .env and process.env: from then on setup is closed until a restart.
      credentialsExist: () =>
        Boolean(process.env.APP_ID && (process.env.PRIVATE_KEY || process.env.PRIVATE_KEY_PATH)),
    };
  }

  const app = await buildServer(
    {
      ...services,
      ...(probot ? { probot } : {}),
      ...(setupHandler && setupGuard ? { setupHandler, setupGuard } : {}),
      dashboard: dashboardSettingsFromEnv(env),
      adminToken: env.FAULTLINE_ADMIN_TOKEN,
    },
    {
      logger: log,
      bodyLimit: env.MAX_BODY_BYTES,
      reportRateLimitPerMinute: env.REPORT_RATE_LIMIT_PER_MINUTE,
      sentryRateLimitPerMinute: env.SENTRY_RATE_LIMIT_PER_MINUTE,
      trustedProxies: env.TRUSTED_PROXIES,
    },
  );
  await app.listen({ port: env.PORT, host: env.HOST });
  const localUrl = loopbackUrlOf(app.server.address(), env.PORT);

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
    handlers: {
      [OUTBOX_KINDS.loadConfig]: createLoadConfigHandler({
        projectConfigs: services.projectConfigs,
      }),
      ...createScheduledJobHandlers({ projectConfigs: services.projectConfigs }),
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
  log.info(`Faultline listening on ${env.publicUrl} (reports: ${env.publicUrl}/api/reports)`);
  if (setupGuard) {
    // The one way to run setup from another machine: whoever reads this log.
    log.info(
      `GitHub App setup: open ${env.publicUrl}/probot?setup_token=${setupGuard.token} (or http://localhost:${env.PORT}/probot on this machine)`,
    );
  }

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, "shutting down");
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    try {
      await app.close();
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

main().catch((error: unknown) => {
  if (error instanceof EnvError || error instanceof EmbeddedDbBusyError) {
    console.error(`faultline: ${error.message}`);
  } else {
    console.error("faultline: failed to start:", error);
  }
  process.exit(1);
});
