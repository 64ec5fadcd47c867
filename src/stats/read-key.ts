import { randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "../db/index.js";

/**
 * Per-project read keys: Bearer credentials for the read API (stats, lists, export) of one
 * project. Distinct from ingest keys, which ship inside client applications and so must never
 * read data back. The prefix makes a leaked key recognisable (and greppable by secret scanners).
 */
export const READ_KEY_PREFIX = "flr_";

export function newReadKey(): string {
  return `${READ_KEY_PREFIX}${randomBytes(24).toString("base64url")}`;
}

/** The project's read key, generated the first time it is asked for (idempotent under races). */
export async function ensureReadKey(db: Kysely<Database>, projectId: number): Promise<string> {
  const row = await db
    .updateTable("projects")
    .set((eb) => ({ read_key: eb.fn.coalesce("read_key", eb.val(newReadKey())) }))
    .where("id", "=", projectId)
    .returning("read_key")
    .executeTakeFirst();
  if (!row?.read_key) throw new Error(`no project with id ${projectId}`);
  return row.read_key;
}

/** Issues a new read key; the old one stops working at once (nothing ships with it). */
export async function rotateReadKey(db: Kysely<Database>, projectId: number): Promise<string> {
  const key = newReadKey();
  const row = await db
    .updateTable("projects")
    .set({ read_key: key })
    .where("id", "=", projectId)
    .returning("read_key")
    .executeTakeFirst();
  if (!row) throw new Error(`no project with id ${projectId}`);
  return key;
}

export async function findProjectIdByReadKey(
  db: Kysely<Database>,
  key: string,
): Promise<number | undefined> {
  if (!key.startsWith(READ_KEY_PREFIX)) return undefined;
  const row = await db
    .selectFrom("projects")
    .select("id")
    .where("read_key", "=", key)
    .executeTakeFirst();
  return row?.id;
}
