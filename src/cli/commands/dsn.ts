import type { Kysely } from "kysely";
import type { Database } from "../../db/index.js";
import {
  type Project,
  endpointsFor,
  ensureProject,
  findProjectByName,
  rotateIngestKey,
} from "../../projects/index.js";
import { ensureReadKey, rotateReadKey } from "../../stats/read-key.js";
import { CliError } from "../cli-error.js";
import { parseCommandLine } from "./read-args.js";
import type { Command } from "./read-command.js";

export interface DsnOptions {
  fullName: string;
  rotate: boolean;
  /** Issue a new read key; the old one stops working at once (no client ships with it). */
  rotateReadKey?: boolean;
  publicUrl: string;
  graceHours: number;
  now: Date;
}

/**
 * `faultline dsn owner/repo [--rotate] [--rotate-read-key]`: creates or shows the project, prints
 * its keys and URLs.
 */
export async function dsnCommand(db: Kysely<Database>, options: DsnOptions): Promise<string> {
  let project: Project;
  let created = false;
  if (options.rotate || options.rotateReadKey) {
    const existing = await findProjectByName(db, options.fullName);
    if (!existing) {
      throw new CliError(
        `no project for ${options.fullName}: run 'faultline dsn ${options.fullName}' first`,
      );
    }
    project = options.rotate
      ? await rotateIngestKey(db, existing.id, options.now, options.graceHours * 3_600_000)
      : existing;
  } else {
    ({ project, created } = await ensureProject(db, { fullName: options.fullName }));
  }
  const urls = endpointsFor(project, options.publicUrl);
  const readKey = options.rotateReadKey
    ? await rotateReadKey(db, project.id)
    : await ensureReadKey(db, project.id);
  const lines = [
    `${created ? "Created" : "Project"} ${project.fullName} (project id ${project.id})`,
    `  ingest key:    ${project.ingestKey}`,
    `  report URL:    ${urls.reportUrl}`,
    `  Sentry DSN:    ${urls.sentryDsn}`,
    `  read key:      ${readKey}`,
    "                 (Bearer for /api/stats, /api/bugs, /api/export: keep it out of apps)",
    "",
    "  curl example:",
    `    curl -X POST ${urls.reportUrl} -H 'Authorization: Bearer ${project.ingestKey}' \\`,
    `      -H 'Content-Type: application/json' -d '{"error_type":"TypeError","message":"boom"}'`,
  ];
  if (options.rotateReadKey) {
    lines.push("", "  The previous read key no longer works.");
  }
  if (options.rotate && project.previousKeyExpiresAt) {
    lines.push(
      "",
      `  The previous key keeps working until ${project.previousKeyExpiresAt.toISOString()}.`,
    );
  }
  return lines.join("\n");
}

const USAGE = `usage: faultline dsn <owner/repo> [--rotate] [--rotate-read-key]
  creates or shows a project's ingest key, report URL and Sentry DSN; --rotate issues a new
  ingest key (the old one works for KEY_ROTATION_GRACE_HOURS more); --rotate-read-key issues a
  new read key (the old one stops working at once)`;

export interface DsnArgs {
  fullName: string;
  rotate: boolean;
  rotateReadKey: boolean;
}

/** `faultline dsn`, with the URLs and grace period of the settings it runs with. */
export const dsnCliCommand: Command<DsnArgs> = {
  usage: USAGE,
  parse(argv) {
    const { values, positionals } = parseCommandLine(
      argv,
      {
        rotate: { type: "boolean", default: false },
        "rotate-read-key": { type: "boolean", default: false },
      },
      USAGE,
      1,
    );
    if (values.help) return { help: USAGE };
    const fullName = positionals[0];
    if (!fullName) throw new CliError(USAGE);
    return {
      fullName,
      rotate: values.rotate ?? false,
      rotateReadKey: values["rotate-read-key"] ?? false,
    };
  },
  async run(db, options, io) {
    if (!io.env) throw new Error("dsn needs the settings (publicUrl)");
    return dsnCommand(db, {
      ...options,
      publicUrl: io.env.publicUrl,
      graceHours: io.env.KEY_ROTATION_GRACE_HOURS,
      now: io.now,
    });
  },
};
