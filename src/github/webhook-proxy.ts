import { SmeeClient } from "smee-client";

interface ProxyLogger {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
}

export interface WebhookProxy {
  close(): Promise<void>;
}

/**
 * WEBHOOK_PROXY_URL: a relay channel (https://smee.io/new) that GitHub delivers to when it cannot
 * reach this server (a laptop). Its deliveries are forwarded to our own webhook route, where they
 * are verified like any other, as Probot apps do (Probot fetched smee-client with npx at run time;
 * it is a dependency here). The channel is followed in the background: an unreachable relay is
 * logged and retried, never a failed start.
 */
export function startWebhookProxy(options: {
  source: string;
  /** Our own webhook route, e.g. http://127.0.0.1:3000/api/github/webhooks. */
  target: string;
  log: ProxyLogger;
}): WebhookProxy {
  const { log } = options;
  const client = new SmeeClient({
    source: options.source,
    target: options.target,
    // smee-client logs each forwarded delivery ("POST <url> - 200") and connection changes.
    logger: {
      info: (...args: unknown[]) => log.info({ proxy: options.source }, text(args)),
      error: (...args: unknown[]) =>
        log.warn({ proxy: options.source }, `webhook relay: ${text(args)}`),
    } as Pick<Console, "info" | "error">,
  });
  const started = client.start().catch((error: unknown) => {
    log.warn(
      { proxy: options.source, err: error },
      "webhook relay not reachable yet: retrying in the background",
    );
  });
  return {
    async close() {
      await started;
      await client.stop();
    },
  };
}

function text(args: unknown[]): string {
  return args
    .map((arg) =>
      arg && typeof arg === "object" && "message" in arg && arg.message
        ? String(arg.message)
        : String(arg),
    )
    .join(" ");
}
