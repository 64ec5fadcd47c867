/**
 * Runs the real Sentry clients of bench/grouping/clients against a base URL: npm's @sentry/node
 * and raven, Debian's python3-sentry-sdk, ruby-sentry-ruby and ruby-sentry-raven, and
 * @sentry/browser in Debian's Chromium (a plain and a minified esbuild bundle). A client whose
 * runtime or package is missing is skipped with a line saying so.
 */
import { execFile, execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { build } from "esbuild";
import { chromium } from "playwright-core";
import { corpusKey } from "../../test/helpers/sdk-corpus.js";

const run = promisify(execFile);
const CLIENTS_DIR = new URL("./clients/", import.meta.url).pathname;
// Debian's interpreter: its dist-packages hold python3-sentry-sdk (pip's registry is not reachable).
const PYTHON = "/usr/bin/python3";
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export interface LiveClient {
  name: string;
  /** Why it cannot run here, or undefined when it can. */
  missing(): string | undefined;
  run(dsn: string, perSite: number): Promise<void>;
}

function canRun(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: "ignore", timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}

function processClient(
  name: string,
  command: string,
  script: string,
  cwd: string,
  check: string[],
): LiveClient {
  return {
    name,
    missing: () => (canRun(command, check) ? undefined : `${command} ${check.join(" ")} failed`),
    async run(dsn, perSite) {
      await run(command, [script, dsn, String(perSite)], { cwd, timeout: 300_000 });
    },
  };
}

const nodeDir = `${CLIENTS_DIR}node`;
const rubyDir = `${CLIENTS_DIR}ruby`;
const pythonDir = `${CLIENTS_DIR}python`;

export const LIVE_CLIENTS: LiveClient[] = [
  processClient("sentry-node", process.execPath, "sentry-node.cjs", nodeDir, [
    "-e",
    "require('@sentry/node')",
  ]),
  processClient("raven-node", process.execPath, "raven-node.cjs", nodeDir, [
    "-e",
    "require('raven')",
  ]),
  processClient("sentry-python", PYTHON, "sentry_python.py", pythonDir, [
    "-c",
    "import sentry_sdk",
  ]),
  processClient("sentry-ruby", "ruby", "sentry_ruby.rb", rubyDir, ["-e", "require 'sentry-ruby'"]),
  processClient("raven-ruby", "ruby", "raven_ruby.rb", rubyDir, ["-e", "require 'raven'"]),
  browserClient("browser-plain", false),
  browserClient("browser-minified", true),
];

/** The Sentry DSN of a client's project at `baseUrl` (http://key@host:port/<id>). */
export function dsnFor(baseUrl: string, client: string, projectId: number): string {
  const url = new URL(baseUrl);
  return `${url.protocol}//${corpusKey(client)}@${url.host}/${projectId}`;
}

interface PageCounts {
  expected: number;
  captured: number;
  sent: number;
}

function browserClient(name: string, minify: boolean): LiveClient {
  return {
    name,
    missing: () => (existsSync(CHROMIUM) ? undefined : `no Chromium at ${CHROMIUM}`),
    async run(dsn, perSite) {
      const bundle = await build({
        entryPoints: [`${CLIENTS_DIR}browser/app.js`],
        bundle: true,
        write: false,
        format: "iife",
        target: "chrome120",
        minify,
        // A production build: minified names, one line; no source map is served.
        legalComments: "none",
      });
      const script = bundle.outputFiles[0]?.text ?? "";
      // The page comes from its own origin, as a shop's pages do: reports are cross-origin.
      const pages = await listen(
        createServer((request, response) => {
          if (request.url?.startsWith("/static/app.js")) {
            response.writeHead(200, { "content-type": "text/javascript" });
            response.end(script);
            return;
          }
          response.writeHead(200, { "content-type": "text/html" });
          response.end(
            '<!doctype html><html><head><script src="/static/app.js?v=9f3c"></script></head><body></body></html>',
          );
        }),
      );
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
        ],
      });
      try {
        const page = await browser.newPage();
        const failed: string[] = [];

        let posts = 0;

        let finished = 0;
        page.on("request", (request) => {
          if (request.method() === "POST") posts++;
        });
        page.on("requestfinished", (request) => {
          if (request.method() === "POST") finished++;
        });
        page.on("requestfailed", (request) => {
          failed.push(`${request.method()} ${request.failure()?.errorText ?? "failed"}`);
        });
        await page.goto(`http://localhost:${(pages.address() as AddressInfo).port}/checkout`);
        const counts = await page.evaluate(
          ([d, c, n]) =>
            (
              globalThis as unknown as {
                runCorpus: (dsn: string, client: string, n: number) => Promise<PageCounts>;
              }
            ).runCorpus(d, c, n),
          [dsn, name, perSite] as [string, string, number],
        );
        // Chromium (156, headless) never puts some of the SDK's keepalive fetches on the wire,
        // whatever server answers (measured: the same share against the listening server): the
        // page's count of requests issued and finished shows how many reached us.
        console.log(
          `${name}: ${counts.expected} site runs, ${counts.captured} events captured by the SDK, ${posts} POSTs issued, ${finished} answered`,
        );

        if (failed.length > 0)
          console.log(`${name}: ${failed.length} requests failed: ${failed[0]}`);
        if (counts.sent === 0) throw new Error(`${name}: the page sent no event`);
      } finally {
        await browser.close();
        await new Promise((resolve) => pages.close(resolve));
      }
    },
  };
}

export async function listen(server: Server): Promise<Server> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}
