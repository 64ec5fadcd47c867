import { timingSafeEqual } from "node:crypto";
import { PassThrough, type Writable } from "node:stream";
import type { FastifyInstance } from "fastify";

/**
 * `POST /api/admin/cli {argv}`: runs a `faultline` command line in this server, for the CLI on
 * the same machine while the server holds the embedded database (admin-file.ts). Authorised by
 * the token of the admin file only. The answer is the command's output as text, streamed (an
 * export); a command that fails before any output answers JSON `{error, message}`: 400 for a
 * user's mistake (exit code 2), 500 otherwise.
 */
export interface AdminCli {
  token: string;
  /** Runs the command; returns the text to print after what it streamed to `stdout`. */
  run(argv: string[], stdout: Writable): Promise<string>;
  /** Whether an error is the user's (a bad flag, an unknown repository): a 400. */
  isUserError(error: unknown): boolean;
}

export const ADMIN_CLI_PATH = "/api/admin/cli";

export async function adminRoutes(app: FastifyInstance, opts: { cli: AdminCli }) {
  const expected = Buffer.from(opts.cli.token);
  app.post(ADMIN_CLI_PATH, { bodyLimit: 64 * 1024 }, async (request, reply) => {
    const header = request.headers.authorization ?? "";
    const given = Buffer.from(header.startsWith("Bearer ") ? header.slice(7) : "");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      reply.code(401);
      return {
        error: "unauthorized",
        message: "the admin token of the data directory is required",
      };
    }
    const argv = (request.body as { argv?: unknown } | undefined)?.argv;
    if (
      !Array.isArray(argv) ||
      argv.length > 100 ||
      !argv.every((a) => typeof a === "string" && a.length <= 4096)
    ) {
      reply.code(400);
      return { error: "bad_request", message: "expected {argv: [string, …]}" };
    }

    const out = new PassThrough();
    const finished = opts.cli.run(argv, out).then(
      (text) => {
        if (text) out.write(`${text}\n`);
        out.end();
        return undefined;
      },
      (error: unknown) => error,
    );
    // Answer with an error document while nothing is written yet, else stream the output.
    const first = await Promise.race([
      finished.then((error) => ({ error })),
      new Promise<{ error?: undefined }>((resolve) => out.once("readable", () => resolve({}))),
    ]);
    if (first.error !== undefined && out.readableLength === 0) {
      out.destroy();
      const user = opts.cli.isUserError(first.error);
      if (!user) request.log.error({ err: first.error }, "admin command failed");
      reply.code(user ? 400 : 500);
      return {
        error: user ? "command_failed" : "internal",
        message: (first.error as Error)?.message ?? String(first.error),
      };
    }
    // A failure in the middle of the output cuts the answer short: the CLI says so.
    void finished.then((error) => {
      if (error !== undefined) {
        request.log.error({ err: error }, "admin command failed while streaming");
        out.destroy(error as Error);
      }
    });
    return reply.type("text/plain; charset=utf-8").send(out);
  });
}
