import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { updateEnvFile } from "../config/env-file.js";
import {
  type AppManifest,
  buildAppManifest,
  readAppYml,
  unreachableFromGithub,
  webhookUrl,
} from "./app-manifest.js";

export type SetupHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

interface SetupLogger {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
}

export interface SetupHandlerOptions {
  /** PUBLIC_URL: the App's webhook and the dashboard's OAuth callback are built from it. */
  publicUrl: string;
  webhookProxyUrl?: string | undefined;
  /** Where the App's credentials are written (ENV_FILE). */
  envFile: string;
  /** The manifest's name, events and permissions; default ./app.yml. */
  appYmlPath?: string;
  /** GitHub's web and API base URLs (GitHub Enterprise Server: GHE_HOST). */
  githubUrl: string;
  githubApiUrl: string;
  /** Register the App under this organisation instead of the user's account (GH_ORG). */
  organization?: string | undefined;
  log: SetupLogger;
}

/** Largest body of POST /probot/import (an App id, a PEM key, a secret). */
const IMPORT_LIMIT = 64 * 1024;

/**
 * The GitHub App setup flow, served while there are no credentials (behind setup-guard.ts):
 * - `GET /probot`: a page that posts the App manifest (app-manifest.ts) to GitHub;
 * - `GET /probot/setup?code=…`: GitHub's redirect back; the code is exchanged for the App's id,
 *   private key, webhook secret and OAuth client, written to ENV_FILE;
 * - `GET|POST /probot/import`: the same for an App created by hand (Probot's page);
 * - `GET /probot/success`.
 * Probot's own flow (probot/lib/apps/setup.js) took the webhook URL from app.yml or the request's
 * Host header and logged a banner about custom routes; Probot's views are reused.
 */
export async function createSetupHandler(options: SetupHandlerOptions): Promise<SetupHandler> {
  const views = await loadProbotViews();
  const appYmlPath = options.appYmlPath ?? join(process.cwd(), "app.yml");
  // Read now: a broken app.yml is an error at start, not a 500 on the page.
  const appYml = readAppYml(appYmlPath);
  const hookUrl = webhookUrl(options);
  const name = typeof appYml.name === "string" ? appYml.name : "Faultline";
  const createAppUrl = `${options.githubUrl}${
    options.organization ? `/organizations/${encodeURIComponent(options.organization)}` : ""
  }/settings/apps/new`;

  function send(res: ServerResponse, status: number, type: string, body: string) {
    res.writeHead(status, { "content-type": type, "cache-control": "no-store" }).end(body);
    return true;
  }

  function writeCredentials(values: Record<string, string>) {
    updateEnvFile(options.envFile, values);
    options.log.info(
      { envFile: options.envFile },
      `GitHub App credentials written to ${options.envFile}: restart Faultline to use them`,
    );
  }

  async function exchangeCode(res: ServerResponse, code: string) {
    let answer: Response;
    try {
      answer = await fetch(
        `${options.githubApiUrl}/app-manifests/${encodeURIComponent(code)}/conversions`,
        { method: "POST", headers: { accept: "application/vnd.github+json" } },
      );
    } catch (error) {
      options.log.warn({ err: error }, "setup: GitHub could not be reached");
      return send(
        res,
        502,
        "text/plain; charset=utf-8",
        `GitHub could not be reached (${(error as Error).message}). Try again from /probot.`,
      );
    }
    const data = (await answer.json().catch(() => ({}))) as Record<string, unknown>;
    const pem = data.pem;
    const id = data.id;
    const secret = data.webhook_secret;
    if (!answer.ok || typeof pem !== "string" || id == null || typeof secret !== "string") {
      options.log.warn({ status: answer.status }, "setup: GitHub refused the manifest code");
      const reason = String(data.message ?? "no App in the answer");
      return send(
        res,
        502,
        "text/plain; charset=utf-8",
        `GitHub refused the code (HTTP ${answer.status}: ${reason}). A code works once and for an hour: register the App again from /probot.`,
      );
    }
    writeCredentials({
      APP_ID: String(id),
      PRIVATE_KEY: pem,
      WEBHOOK_SECRET: secret,
      ...(typeof data.client_id === "string" ? { GITHUB_CLIENT_ID: data.client_id } : {}),
      ...(typeof data.client_secret === "string"
        ? { GITHUB_CLIENT_SECRET: data.client_secret }
        : {}),
    });
    const htmlUrl = typeof data.html_url === "string" ? data.html_url : options.githubUrl;
    res
      .writeHead(302, { location: `${htmlUrl}/installations/new`, "content-type": "text/plain" })
      .end(`Found. Redirecting to ${htmlUrl}/installations/new`);
    return true;
  }

  async function importApp(req: IncomingMessage, res: ServerResponse) {
    let body: { appId?: unknown; pem?: unknown; webhook_secret?: unknown };
    try {
      body = JSON.parse(await readBody(req, IMPORT_LIMIT));
    } catch (error) {
      return send(
        res,
        400,
        "text/plain; charset=utf-8",
        `invalid body: ${(error as Error).message}`,
      );
    }
    const { appId, pem, webhook_secret } = body ?? {};
    if (
      (typeof appId !== "string" && typeof appId !== "number") ||
      !/^\d+$/.test(String(appId)) ||
      typeof pem !== "string" ||
      !pem.includes("-----BEGIN") ||
      typeof webhook_secret !== "string" ||
      webhook_secret === ""
    ) {
      return send(
        res,
        400,
        "text/plain; charset=utf-8",
        "expected appId (the App's number), pem (its private key file) and webhook_secret",
      );
    }
    writeCredentials({ APP_ID: String(appId), PRIVATE_KEY: pem, WEBHOOK_SECRET: webhook_secret });
    return send(res, 200, "text/plain; charset=utf-8", "ok");
  }

  return async (req, res) => {
    const [path = "", query = ""] = (req.url ?? "").split("?");
    if (req.method === "GET") {
      if (path === "/") {
        res.writeHead(302, { location: "/probot", "content-type": "text/plain" }).end();
        return true;
      }
      if (path === "/probot") {
        const manifest = buildAppManifest({
          publicUrl: options.publicUrl,
          webhookProxyUrl: options.webhookProxyUrl,
          setupUrl: requestOrigin(req, options.publicUrl),
          appYml,
        });
        return send(
          res,
          200,
          "text/html; charset=utf-8",
          setupPage({ name, manifest, createAppUrl, publicUrl: options.publicUrl }),
        );
      }
      if (path === "/probot/setup") {
        const code = new URLSearchParams(query).get("code");
        if (!code || !/^[\w-]{1,200}$/.test(code)) {
          return send(res, 400, "text/plain; charset=utf-8", "code missing or invalid");
        }
        return exchangeCode(res, code);
      }
      if (path === "/probot/import") {
        return send(
          res,
          200,
          "text/html; charset=utf-8",
          views.importView({
            name,
            GH_HOST: options.githubUrl,
            WEBHOOK_PROXY_URL: escapeHtml(hookUrl),
          }),
        );
      }
      if (path === "/probot/success") {
        return send(res, 200, "text/html; charset=utf-8", views.successView({ name }));
      }
    }
    if (req.method === "POST" && path === "/probot/import") return importApp(req, res);
    return false;
  };
}

/**
 * The origin the browser used, for GitHub's redirect back with the code: PUBLIC_URL's when it
 * names the same host (it knows the scheme a TLS proxy hides), else http://<Host>. It only sends
 * this browser back to where it came from.
 */
function requestOrigin(req: IncomingMessage, publicUrl: string): string {
  const host = req.headers.host;
  if (!host || !/^[\w.:[\]-]+$/.test(host)) return publicUrl;
  const configured = new URL(publicUrl);
  if (configured.host === host) return configured.origin;
  return `http://${host}`;
}

function setupPage(input: {
  name: string;
  manifest: AppManifest;
  createAppUrl: string;
  publicUrl: string;
}): string {
  const hook = input.manifest.hook_attributes.url;
  const warning = unreachableFromGithub(hook)
    ? `<p class="mt-3" style="background:#fff5b1;border:1px solid #d9c16a;padding:12px;border-radius:6px">GitHub cannot deliver webhooks to
        <code>${escapeHtml(hook)}</code>. Set <code>PUBLIC_URL</code> to an address GitHub can reach
        (e.g. <code>https://errors.example.com</code>), or, on a laptop,
        <code>WEBHOOK_PROXY_URL</code> to a channel from <a href="https://smee.io/new">smee.io/new</a>,
        and restart Faultline before you register the App.</p>`
    : "";
  return `<!DOCTYPE html>
<html lang="en" class="height-full" data-color-mode="auto" data-light-theme="light" data-dark-theme="dark">
  <head>
    <meta charset="UTF-8">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    <title>Set up ${escapeHtml(input.name)}</title>
    <link rel="icon" href="/probot/static/probot-head.svg">
    <link rel="stylesheet" href="/probot/static/primer.css">
  </head>
  <body class="height-full bg-gray-light">
    <div class="d-flex flex-column flex-justify-center flex-items-center text-center height-full">
      <img src="/probot/static/robot.svg" alt="" width="100" class="mb-6">
      <div class="box-shadow rounded-2 border p-6 bg-white" style="max-width: 44em">
        <h1>Set up ${escapeHtml(input.name)}</h1>
        <p>Register the GitHub App that opens issues for your bugs.</p>
        <div class="text-left mt-4">
          <p>GitHub will send webhooks to <code>${escapeHtml(hook)}</code></p>
          <p>Dashboard sign-in returns to <code>${escapeHtml(input.manifest.callback_urls[0] ?? "")}</code></p>
          ${warning}
          <form action="${escapeHtml(input.createAppUrl)}" method="post" class="d-flex flex-items-center mt-4">
            <input type="hidden" name="manifest" value="${escapeHtml(JSON.stringify(input.manifest))}">
            <button class="btn btn-outline" type="submit">Register GitHub App</button>
            <a href="/probot/import" style="margin-left: 12px">or use an existing GitHub App</a>
          </form>
          <p class="mt-4">GitHub sends you back here; Faultline writes the App's credentials
          and you restart it.</p>
        </div>
      </div>
    </div>
  </body>
</html>`;
}

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Error(`larger than ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

interface ProbotViews {
  importView(input: { name: string; GH_HOST: string; WEBHOOK_PROXY_URL: string }): string;
  successView(input: { name: string }): string;
}

/** Probot's folder: its views and static files are not exported, so they are loaded by path. */
function probotLibDir(): string {
  return dirname(createRequire(import.meta.url).resolve("probot"));
}

async function loadProbotViews(): Promise<ProbotViews> {
  const dir = probotLibDir();
  const load = async (file: string) =>
    (await import(pathToFileURL(join(dir, "views", file)).href)) as Record<string, unknown>;
  const { importView } = (await load("import.js")) as Pick<ProbotViews, "importView">;
  const { successView } = (await load("success.js")) as Pick<ProbotViews, "successView">;
  return { importView, successView };
}

const STATIC_TYPES: Record<string, string> = {
  "primer.css": "text/css; charset=utf-8",
  "robot.svg": "image/svg+xml",
  "probot-head.svg": "image/svg+xml",
};

const staticFiles = new Map<string, Promise<string>>();

/** Probot's setup page assets (`/probot/static/<name>`): styles and logo; undefined if unknown. */
export async function probotStaticFile(
  name: string,
): Promise<{ type: string; body: string } | undefined> {
  const type = STATIC_TYPES[name];
  if (!type) return undefined;
  let body = staticFiles.get(name);
  if (!body) {
    body = readFile(join(probotLibDir(), "..", "static", name), "utf8");
    staticFiles.set(name, body);
  }
  return { type, body: await body };
}
