import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

/**
 * Faultline's real process entry (src/main.ts under tsx), in a child process with its own
 * environment: for what only a process shows (start-up, signals, the CLI beside it).
 */

const ROOT = join(import.meta.dirname, "../..");
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

export interface ServerProcess {
  child: ChildProcess;
  /** stdout so far, and its JSON log lines. */
  stdout(): string;
  stderr(): string;
  logs(): { level: number; msg: string; [key: string]: unknown }[];
  /** Resolves with the first log line that matches, or rejects when the process exits first. */
  waitForLog(
    match: (line: { msg: string; [key: string]: unknown }) => boolean,
    timeoutMs?: number,
  ): Promise<{ msg: string; [key: string]: unknown }>;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts the server. `env` is the whole environment besides PATH (nothing of the test's own
 * leaks in: no DATABASE_URL unless given); cwd is `cwd`, where no .env is.
 */
export function startServerProcess(
  env: Record<string, string>,
  options: { cwd: string; entry?: string; node?: string[] },
): ServerProcess {
  const entry = options.entry ?? join(ROOT, "src/main.ts");
  const args = options.node ?? ["--import", TSX];
  const child = spawn(process.execPath, [...args, entry], {
    cwd: options.cwd,
    env: {
      PATH: process.env.PATH ?? "",
      TZ: "UTC",
      LOG_FORMAT: "json",
      ENV_FILE: join(options.cwd, "no.env"),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  const waiters = new Set<() => void>();
  child.stdout?.on("data", (chunk: Buffer) => {
    out += chunk.toString("utf8");
    for (const w of waiters) w();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    err += chunk.toString("utf8");
  });
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => {
      for (const w of waiters) w();
      resolve(code);
    });
  });
  const logs = () =>
    out
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { level: number; msg: string });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    logs,
    exited,
    waitForLog(match, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(`no such log line in ${timeoutMs} ms; stdout:\n${out}\nstderr:\n${err}`),
          );
        }, timeoutMs);
        const check = () => {
          const found = logs().find(match);
          if (found) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve(found);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            clearTimeout(timer);
            waiters.delete(check);
            reject(new Error(`exited (${child.exitCode}) first; stdout:\n${out}\nstderr:\n${err}`));
          }
        };
        waiters.add(check);
        check();
      });
    },
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** The port a started server listens on, from Fastify's "Server listening at …" line. */
export async function listeningPort(server: ServerProcess, timeoutMs = 60_000): Promise<number> {
  const line = await server.waitForLog((l) => l.msg.startsWith("Server listening at"), timeoutMs);
  return Number(/:(\d+)$/.exec(line.msg)?.[1]);
}
