import { createHash, timingSafeEqual } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "../db/index.js";
import { findProjectByName } from "../projects/index.js";
import { findProjectIdByReadKey } from "./read-key.js";

/** Who is reading: the operator (every project) or the holder of one project's read key. */
export type Reader = { kind: "admin" } | { kind: "project"; projectId: number };

export type ReadAccessErrorCode = "missing_token" | "invalid_token" | "forbidden" | "unknown_repo";

const STATUS: Record<ReadAccessErrorCode, number> = {
  missing_token: 401,
  invalid_token: 401,
  forbidden: 403,
  unknown_repo: 404,
};

export class ReadAccessError extends Error {
  override name = "ReadAccessError";
  readonly statusCode: number;
  constructor(
    readonly code: ReadAccessErrorCode,
    message: string,
  ) {
    super(message);
    this.statusCode = STATUS[code];
  }
}

function sameSecret(a: string, b: string): boolean {
  // Hash first: timingSafeEqual needs equal lengths, and the length must not leak either.
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

/**
 * The reader behind an `Authorization: Bearer …` header. The admin token comes from the
 * environment (FAULTLINE_ADMIN_TOKEN); an ingest key is refused with a message saying why.
 */
export async function authenticateReader(
  db: Kysely<Database>,
  authorization: string | undefined,
  adminToken: string | undefined,
): Promise<Reader> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  const token = match?.[1];
  if (!token) {
    throw new ReadAccessError(
      "missing_token",
      "send 'Authorization: Bearer <token>': the admin token or the project's read key (faultline dsn)",
    );
  }
  if (adminToken && sameSecret(token, adminToken)) return { kind: "admin" };
  const projectId = await findProjectIdByReadKey(db, token);
  if (projectId !== undefined) return { kind: "project", projectId };
  const isIngestKey = await db
    .selectFrom("projects")
    .select("id")
    .where((eb) => eb.or([eb("ingest_key", "=", token), eb("previous_key", "=", token)]))
    .executeTakeFirst();
  throw new ReadAccessError(
    "invalid_token",
    isIngestKey
      ? "this is an ingest key, which can only send reports: use the project's read key (faultline dsn)"
      : "unknown token",
  );
}

/**
 * The project ids a reader may see for an optional `owner/repo`: the named project, or every
 * project the reader has (all of them for the admin).
 */
export async function projectsFor(
  db: Kysely<Database>,
  reader: Reader,
  repo: string | undefined,
): Promise<number[]> {
  if (repo !== undefined) {
    const project = await findProjectByName(db, repo);
    if (reader.kind === "project") {
      // Same answer whether or not the repo exists: a read key does not reveal other projects.
      if (project?.id !== reader.projectId) {
        throw new ReadAccessError("forbidden", `this read key does not give access to ${repo}`);
      }
      return [reader.projectId];
    }
    if (!project) throw new ReadAccessError("unknown_repo", `no project for ${repo}`);
    return [project.id];
  }
  if (reader.kind === "project") return [reader.projectId];
  const rows = await db.selectFrom("projects").select("id").orderBy("id").execute();
  return rows.map((r) => r.id);
}
