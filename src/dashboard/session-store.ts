import { createHash, randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "../db/index.js";

/** A signed-in dashboard user, as the routes see it. */
export interface DashboardSession {
  login: string;
  userId: number;
  /** Projects the user could read at sign-in; nothing outside this set is ever shown. */
  projectIds: number[];
  expiresAt: Date;
}

// 32 random bytes, base64url: the whole cookie value. Anything else is not a session.
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Stores a new session and returns its token (for the cookie only; the row keeps its hash). */
export async function createSession(
  db: Kysely<Database>,
  input: { login: string; userId: number; projectIds: number[]; now: Date; ttlMs: number },
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(input.now.getTime() + input.ttlMs);
  // Sign-ins are rare: a good moment to drop expired rows, so the table stays small.
  await db.deleteFrom("dashboard_sessions").where("expires_at", "<=", input.now).execute();
  await db
    .insertInto("dashboard_sessions")
    .values({
      token_hash: hashToken(token),
      github_login: input.login,
      github_user_id: input.userId,
      project_ids: JSON.stringify([...new Set(input.projectIds)].sort((a, b) => a - b)),
      created_at: input.now,
      expires_at: expiresAt,
    })
    .execute();
  return { token, expiresAt };
}

/** The unexpired session of a cookie value, or undefined. */
export async function findSession(
  db: Kysely<Database>,
  token: string | undefined,
  now: Date,
): Promise<DashboardSession | undefined> {
  if (!token || !TOKEN.test(token)) return undefined;
  const row = await db
    .selectFrom("dashboard_sessions")
    .select(["github_login", "github_user_id", "project_ids", "expires_at"])
    .where("token_hash", "=", hashToken(token))
    .where("expires_at", ">", now)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    login: row.github_login,
    userId: Number(row.github_user_id),
    projectIds: (row.project_ids ?? []).map(Number),
    expiresAt: row.expires_at,
  };
}

export async function deleteSession(db: Kysely<Database>, token: string | undefined) {
  if (!token || !TOKEN.test(token)) return;
  await db.deleteFrom("dashboard_sessions").where("token_hash", "=", hashToken(token)).execute();
}
