import type { IncomingMessage, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Logger } from "pino";

type SetupHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

/**
 * Probot's own manifest flow ("Register GitHub App" page that writes APP_ID, PRIVATE_KEY and
 * WEBHOOK_SECRET into .env). Probot only wires it into its own server and does not export it, so
 * it is loaded from Probot's files by path; served by our Fastify until credentials exist.
 */
export async function loadProbotSetupHandler(options: {
  host: string;
  port: number;
  log: Logger;
}): Promise<SetupHandler> {
  const probotEntry = createRequire(import.meta.url).resolve("probot");
  const setupUrl = pathToFileURL(join(dirname(probotEntry), "apps", "setup.js")).href;
  const { setupAppFactory } = (await import(setupUrl)) as {
    setupAppFactory: (opts: {
      host: string;
      port: number;
      log: Logger;
    }) => () => Promise<SetupHandler>;
  };
  // No smee.io channel: this machine may have no network; WEBHOOK_PROXY_URL can be set by hand.
  process.env.NO_SMEE_SETUP ??= "true";
  return setupAppFactory(options)();
}
