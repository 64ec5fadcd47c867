import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";

/**
 * The GitHub App manifest that the setup flow posts to GitHub
 * (https://docs.github.com/apps/sharing-github-apps/registering-a-github-app-from-a-manifest).
 * `app.yml` gives the name, description, events and permissions; the URLs come from the server's
 * settings, never from the file or the request: GitHub must send webhooks where this server is
 * reached (PUBLIC_URL, or the WEBHOOK_PROXY_URL relay), and sign-ins return to the dashboard.
 */
export interface AppManifest {
  name: string;
  url: string;
  description?: string;
  public: boolean;
  hook_attributes: { url: string; active: boolean };
  redirect_url: string;
  callback_urls: string[];
  request_oauth_on_install: boolean;
  default_events: string[];
  default_permissions: Record<string, string>;
  [key: string]: unknown;
}

export interface AppManifestInput {
  /** PUBLIC_URL (or its default): where GitHub and browsers reach this server. */
  publicUrl: string;
  /** WEBHOOK_PROXY_URL: a relay channel that forwards deliveries to this server. */
  webhookProxyUrl?: string | undefined;
  /**
   * Where the browser doing the setup reaches this server (GitHub sends it back there with the
   * code); default publicUrl.
   */
  setupUrl?: string;
  /** The parsed app.yml; default: none. */
  appYml?: Record<string, unknown>;
}

export const WEBHOOK_ROUTE = "/api/github/webhooks";
export const DASHBOARD_CALLBACK_ROUTE = "/dashboard/auth/callback";

/** The webhook URL GitHub must reach: the relay when there is one, else this server's route. */
export function webhookUrl(input: Pick<AppManifestInput, "publicUrl" | "webhookProxyUrl">): string {
  return input.webhookProxyUrl ?? `${trimSlash(input.publicUrl)}${WEBHOOK_ROUTE}`;
}

/** Keys of app.yml the manifest takes; the URL keys are this server's to set. */
const FROM_FILE = new Set([
  "name",
  "url",
  "description",
  "public",
  "default_events",
  "default_permissions",
  "setup_url",
  "setup_on_update",
  "request_oauth_on_install",
]);

export function buildAppManifest(input: AppManifestInput): AppManifest {
  const file = input.appYml ?? {};
  const fromFile = Object.fromEntries(Object.entries(file).filter(([key]) => FROM_FILE.has(key)));
  const publicUrl = trimSlash(input.publicUrl);
  return {
    name: "Faultline",
    url: "https://github.com/faultline-app/faultline",
    public: false,
    request_oauth_on_install: false,
    default_events: [],
    default_permissions: {},
    ...fromFile,
    hook_attributes: { url: webhookUrl(input), active: true },
    redirect_url: `${trimSlash(input.setupUrl ?? publicUrl)}/probot/setup`,
    callback_urls: [`${publicUrl}${DASHBOARD_CALLBACK_ROUTE}`],
  };
}

/** app.yml as an object; a missing file is none, a broken one an error naming the file. */
export function readAppYml(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new Error(`${path}: not valid YAML (${(error as Error).message})`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new Error(`${path}: expected a mapping of manifest keys`);
  }
  return parsed as Record<string, unknown>;
}

/**
 * Whether GitHub can deliver to a URL: not a loopback or private host. (A name such as
 * `errors.internal` may still be unreachable; this only catches the sure cases.)
 */
export function unreachableFromGithub(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, "");
  } catch {
    return true;
  }
  return (
    host === "localhost" ||
    host.endsWith(".localhost") ||
    /^127\./.test(host) ||
    host === "::1" ||
    host === "0.0.0.0" ||
    /^10\./.test(host) ||
    /^192\.168\./.test(host) ||
    /^172\.(1[6-9]|2\d|3[01])\./.test(host)
  );
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}
