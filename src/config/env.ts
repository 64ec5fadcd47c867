import { existsSync, readFileSync } from "node:fs";
import { isIP } from "node:net";
import { z } from "zod";
import { formatDuration, parseDuration } from "./repo-config/duration.js";

/**
 * Process configuration from the environment, validated once at start and frozen. Each bad
 * variable is named in the error, with what was expected.
 */

/** An address, a CIDR range, or one of proxy-addr's names (what Fastify's trustProxy takes). */
function isProxySpec(spec: string): boolean {
  if (["loopback", "linklocal", "uniquelocal"].includes(spec)) return true;
  const [address = "", prefix, extra] = spec.split("/");
  if (extra !== undefined) return false;
  const version = isIP(address);
  if (version === 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (version === 4 ? 32 : 128);
}

const emptyToUndefined = (value: unknown) =>
  typeof value === "string" && value.trim() === "" ? undefined : value;

const optionalString = z.preprocess(emptyToUndefined, z.string().optional());
const port = z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(65535));
const positiveInt = z.preprocess(emptyToUndefined, z.coerce.number().int().positive());

/** A duration such as `30s`, `15m`, `7d` or `1h30m`, in milliseconds, at least `min`. */
function duration(fallback: string, min: number) {
  return z.preprocess(
    emptyToUndefined,
    z
      .string()
      .default(fallback)
      .transform((text, ctx) => {
        const ms = text.trim() === "0" ? 0 : parseDuration(text);
        if (ms === undefined || ms === null) {
          ctx.addIssue({
            code: "custom",
            message: `expected a duration such as 30s, 15m, 12h or 7d, got "${text}"`,
          });
          return z.NEVER;
        }
        if (ms < min) {
          ctx.addIssue({
            code: "custom",
            message: `at least ${formatDuration(min)}, got "${text}"`,
          });
          return z.NEVER;
        }
        return ms;
      }),
  );
}

const DAY_MS = 86_400_000;

const envSchema = z.object({
  NODE_ENV: optionalString,
  PORT: port.default(3000),
  HOST: z.preprocess(emptyToUndefined, z.string().default("localhost")),
  /** What clients use to reach this server; printed in DSNs. Default http://HOST:PORT. */
  PUBLIC_URL: z.preprocess(emptyToUndefined, z.url().optional()),
  DATABASE_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, "expected a postgres:// or postgresql:// URL")
      .optional(),
  ),
  DATA_DIR: z.preprocess(emptyToUndefined, z.string().default(".data")),
  /**
   * How long start-up waits for an unreachable database (a container started before Postgres),
   * retrying with backoff, before it gives up.
   */
  DATABASE_WAIT: duration("60s", 0),
  /** The file `.env` settings are read from, and that the setup flow writes the App's into. */
  ENV_FILE: z.preprocess(emptyToUndefined, z.string().default(".env")),
  APP_ID: optionalString,
  /**
   * The App's slug (its bot is `<slug>[bot]`): webhooks it caused are ignored. Unset: asked of
   * GitHub (`GET /app`) at the first event from a bot.
   */
  APP_SLUG: optionalString,
  PRIVATE_KEY: optionalString,
  PRIVATE_KEY_PATH: optionalString,
  WEBHOOK_SECRET: optionalString,
  /**
   * Token of the GitHub App setup link (`/probot?setup_token=…`) while there are no credentials;
   * unset: a random one, printed in the log at start.
   */
  SETUP_TOKEN: z.preprocess(
    emptyToUndefined,
    z.string().min(16, "use at least 16 characters, e.g. `openssl rand -hex 32`").optional(),
  ),
  GHE_HOST: optionalString,
  /** The setup flow registers the App under this organisation (Probot's variable). */
  GH_ORG: optionalString,
  GHE_PROTOCOL: z.preprocess(emptyToUndefined, z.enum(["https", "http"]).optional()),
  /**
   * A webhook relay channel (https://smee.io/new) for a server GitHub cannot reach (a laptop):
   * the setup flow registers it as the App's webhook URL, and the server forwards what arrives
   * there to its own webhook route, as Probot apps do.
   */
  WEBHOOK_PROXY_URL: z.preprocess(emptyToUndefined, z.url().optional()),
  LOG_LEVEL: z.preprocess(
    emptyToUndefined,
    z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
  ),
  /** `pretty` (readable lines) or `json` (one object a line); default: pretty on a terminal. */
  LOG_FORMAT: z.preprocess(emptyToUndefined, z.enum(["pretty", "json"]).optional()),
  /**
   * A second port serving only `GET /metrics`, without a token (for a scraper on a private
   * network). Unset: `/metrics` is on the main port, behind FAULTLINE_ADMIN_TOKEN.
   */
  METRICS_PORT: z.preprocess(
    emptyToUndefined,
    z.coerce.number().int().min(0).max(65535).optional(),
  ),
  /** Interface of METRICS_PORT; default HOST. */
  METRICS_HOST: optionalString,
  /** Largest accepted report body, after decompression. */
  MAX_BODY_BYTES: positiveInt.default(1024 * 1024),
  /** Requests per minute per ingest key on /api/reports* (429 + Retry-After beyond). */
  REPORT_RATE_LIMIT_PER_MINUTE: z.preprocess(
    emptyToUndefined,
    z.coerce.number().int().positive().default(1000),
  ),
  /** Requests per minute per key on the Sentry endpoints /api/:projectId/envelope|store. */
  SENTRY_RATE_LIMIT_PER_MINUTE: z.preprocess(
    emptyToUndefined,
    z.coerce.number().int().positive().default(1000),
  ),
  /**
   * Proxies whose X-Forwarded-For is believed (client addresses for rate limits and logs):
   * comma-separated addresses or CIDR ranges, or `loopback`, `linklocal`, `uniquelocal`. Unset:
   * none, the connection's own address counts (any client could otherwise pick its address).
   */
  TRUSTED_PROXIES: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .transform((text) =>
        text
          .split(",")
          .map((part) => part.trim())
          .filter((part) => part !== ""),
      )
      .pipe(
        z.array(
          z.string().refine(isProxySpec, {
            error:
              'expected comma-separated addresses or CIDR ranges (e.g. "10.0.0.0/8,127.0.0.1") or loopback, linklocal, uniquelocal',
          }),
        ),
      )
      .default([]),
  ),
  /** Finished outbox rows (GitHub work done) are deleted this long after they finished. */
  OUTBOX_RETENTION: duration("7d", DAY_MS),
  /** Dead outbox rows (given up; `faultline outbox`) are deleted this long after they died. */
  OUTBOX_DEAD_RETENTION: duration("30d", DAY_MS),
  /**
   * Handled webhook delivery ids are kept this long to ignore redeliveries; GitHub redelivers
   * for 3 days, so no less.
   */
  WEBHOOK_DELIVERY_RETENTION: duration("7d", 3 * DAY_MS),
  /** Failed attempts after which an outbox row is given up (dead), whatever its kind. */
  OUTBOX_MAX_ATTEMPTS: z.preprocess(
    emptyToUndefined,
    z.coerce.number().int().min(1).max(1000).default(25),
  ),
  /** How long an outbox row may keep waiting for something else ("not yet") before it dies. */
  OUTBOX_MAX_WAIT: duration("7d", 3_600_000),
  /** How long a rotated-out ingest key keeps working, so clients can be redeployed. */
  KEY_ROTATION_GRACE_HOURS: z.preprocess(emptyToUndefined, z.coerce.number().min(0).default(24)),
  /** Bearer token of the read API (stats, bugs, export) for every project; unset = none. */
  FAULTLINE_ADMIN_TOKEN: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .min(16, "use at least 16 characters, e.g. the output of `openssl rand -hex 32`")
      .optional(),
  ),
  /**
   * Signs generic notification webhooks (`X-Faultline-Signature`). Kept here, not in
   * `.github/faultline.yml`, which anyone can read in a public repository.
   */
  NOTIFICATION_SIGNING_SECRET: optionalString,
  /** Let notifications go to private/local addresses (an internal receiver); refused by default. */
  NOTIFICATION_ALLOW_PRIVATE_NETWORKS: z.preprocess(
    emptyToUndefined,
    z.stringbool({ error: "expected true or false" }).default(false),
  ),
  /** The App's OAuth client (Probot's setup writes both): sign-in to /dashboard. */
  GITHUB_CLIENT_ID: optionalString,
  GITHUB_CLIENT_SECRET: optionalString,
  /** GitHub's web and API base URLs for sign-in; default github.com, or GHE_HOST's. */
  GITHUB_URL: z.preprocess(emptyToUndefined, z.url().optional()),
  GITHUB_API_URL: z.preprocess(emptyToUndefined, z.url().optional()),
  /** How long a /dashboard sign-in lasts (repository access is re-read at the next sign-in). */
  DASHBOARD_SESSION_HOURS: z.preprocess(
    emptyToUndefined,
    z.coerce.number().positive().max(720).default(8),
  ),
});

export type Env = Readonly<z.infer<typeof envSchema>> & {
  /** Resolved private key (from PRIVATE_KEY or the file at PRIVATE_KEY_PATH). */
  readonly privateKey: string | undefined;
  readonly publicUrl: string;
};

export class EnvError extends Error {
  override name = "EnvError";
}

export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (issue) => `  ${issue.path.join(".") || "(env)"}: ${issue.message}`,
    );
    throw new EnvError(`invalid environment:\n${lines.join("\n")}`);
  }
  const env = parsed.data;
  let privateKey = env.PRIVATE_KEY?.replace(/\\n/g, "\n");
  if (!privateKey && env.PRIVATE_KEY_PATH) {
    try {
      privateKey = readFileSync(env.PRIVATE_KEY_PATH, "utf8");
    } catch (error) {
      throw new EnvError(
        `PRIVATE_KEY_PATH: cannot read ${env.PRIVATE_KEY_PATH} (${(error as Error).message})`,
      );
    }
  }
  if (privateKey && !privateKey.includes("-----BEGIN")) {
    // Probot accepts a base64-encoded PEM for hosts that cannot hold multi-line variables.
    const decoded = Buffer.from(privateKey, "base64").toString("utf8");
    if (!decoded.includes("-----BEGIN")) {
      throw new EnvError(
        "PRIVATE_KEY: not a PEM private key (expected '-----BEGIN RSA PRIVATE KEY-----', or " +
          "that text base64-encoded). Download the key from your GitHub App's settings page.",
      );
    }
    privateKey = decoded;
  }
  // Without a secret any client could sign deliveries: Probot would otherwise fall back to a
  // well-known one ("development"), and a forged issue_comment runs slash commands.
  if (env.APP_ID && privateKey && !env.WEBHOOK_SECRET) {
    throw new EnvError(
      "WEBHOOK_SECRET: required when APP_ID and PRIVATE_KEY are set. Set it to the webhook " +
        'secret of your GitHub App (its settings page, "Webhook secret"; generate one with ' +
        "`openssl rand -hex 32` and save it there too).",
    );
  }
  const displayHost = env.HOST === "0.0.0.0" || env.HOST === "::" ? "localhost" : env.HOST;
  const publicUrl = (env.PUBLIC_URL ?? `http://${displayHost}:${env.PORT}`).replace(/\/+$/, "");
  return Object.freeze({ ...env, privateKey, publicUrl });
}

/**
 * Reads the `.env` file (ENV_FILE, default ./.env: what the setup flow writes) into process.env;
 * variables set in the environment win.
 */
export function loadDotEnv(path = process.env.ENV_FILE?.trim() || ".env"): void {
  if (existsSync(path)) process.loadEnvFile(path);
}
