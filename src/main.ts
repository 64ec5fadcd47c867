import { resolve } from "node:path";
import pino from "pino";
import { Probot } from "probot";
import { EnvError, loadDotEnv, loadEnv } from "./config/index.js";
import { EmbeddedDbBusyError, createDb, lockEmbeddedDb, migrateToLatest } from "./db/index.js";
import {
  type OutboxWorker,
  createOutboxWorker,
  loadProbotSetupHandler,
  planGithubEffects,
  registerWebhookHandlers,
} from "./github/index.js";
import { buildServer } from "./server.js";
import { createServices } from "./services.js";

/** Process entry: config -> db -> migrate -> probot -> server. Owns signals and shutdown. */
async function main(): Promise<void> {
  loadDotEnv();
  const env = loadEnv();
  const log = pino({ level: env.LOG_LEVEL });

  let releaseLock = () => {};
  const dataDir = resolve(env.DATA_DIR);
  if (!env.DATABASE_URL) releaseLock = lockEmbeddedDb(dataDir);
  const handle = await createDb({ databaseUrl: env.DATABASE_URL, dataDir });
  await migrateToLatest(handle.db);
  log.info(
    { database: handle.kind === "pglite" ? `embedded PGlite in ${dataDir}` : "postgres" },
    "database ready",
  );

  // Each report that needs GitHub work writes outbox rows in its own transaction.
  const services = createServices({ db: handle.db, effects: [planGithubEffects()] });

  let probot: Probot | undefined;
  let setupHandler: Awaited<ReturnType<typeof loadProbotSetupHandler>> | undefined;
  if (env.APP_ID && env.privateKey) {
    probot = new Probot({
      appId: env.APP_ID,
      privateKey: env.privateKey,
      secret: env.WEBHOOK_SECRET ?? "development",
      log: log.child({ name: "probot" }),
      ...(env.GHE_HOST
        ? { baseUrl: `${env.GHE_PROTOCOL ?? "https"}://${env.GHE_HOST}/api/v3` }
        : {}),
    });
    registerWebhookHandlers(probot, { db: handle.db, clock: services.clock });
    await probot.ready();
  } else {
    setupHandler = await loadProbotSetupHandler({ host: env.HOST, port: env.PORT, log });
  }

  const app = await buildServer(
    { ...services, ...(probot ? { probot } : {}), ...(setupHandler ? { setupHandler } : {}) },
    { logger: log, bodyLimit: env.MAX_BODY_BYTES },
  );
  await app.listen({ port: env.PORT, host: env.HOST });

  // Rows written while GitHub was unreachable (or before a restart) are picked up here.
  let outbox: OutboxWorker | undefined;
  if (probot) {
    const github = probot;
    outbox = createOutboxWorker({
      db: handle.db,
      getOctokit: (installationId) => github.auth(installationId),
      log: log.child({ name: "outbox" }),
      appUrl: env.publicUrl,
    });
    outbox.start(5_000);
  }
  log.info(`Faultline listening on ${env.publicUrl} (reports: ${env.publicUrl}/api/reports)`);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, "shutting down");
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    try {
      await app.close();
      await outbox?.stop();
      await handle.close();
    } finally {
      releaseLock();
    }
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

main().catch((error: unknown) => {
  if (error instanceof EnvError || error instanceof EmbeddedDbBusyError) {
    console.error(`faultline: ${error.message}`);
  } else {
    console.error("faultline: failed to start:", error);
  }
  process.exit(1);
});
