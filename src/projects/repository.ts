import { randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database, ProjectRow } from "../db/index.js";
import type { Project } from "./project.js";

export class ProjectNameError extends Error {
  override name = "ProjectNameError";
}

// GitHub's rules: owner 1-39 alphanumerics or single hyphens; repository names [A-Za-z0-9._-].
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const REPO = /^[A-Za-z0-9._-]{1,100}$/;

export function parseFullName(fullName: string): { owner: string; name: string } {
  const parts = fullName.trim().split("/");
  const [owner, name] = parts;
  if (parts.length !== 2 || !owner || !name || !OWNER.test(owner) || !REPO.test(name)) {
    throw new ProjectNameError(
      `"${fullName}" is not a repository name: expected owner/repo, like octo-org/shop`,
    );
  }
  if (name === "." || name === "..") throw new ProjectNameError(`"${fullName}": invalid repo name`);
  return { owner, name };
}

/** 32 hex characters: the Sentry public-key form, so one key serves both protocols. */
export function newIngestKey(): string {
  return randomBytes(16).toString("hex");
}

export function toProject(row: ProjectRow): Project {
  return {
    id: row.id,
    owner: row.owner,
    name: row.name,
    fullName: `${row.owner}/${row.name}`,
    installationId: row.installation_id,
    repoId: row.repo_id,
    ingestKey: row.ingest_key,
    previousKey: row.previous_key,
    previousKeyExpiresAt: row.previous_key_expires_at,
    suspended: row.suspended_at !== null,
    createdAt: row.created_at,
  };
}

export async function findProjectByName(
  db: Kysely<Database>,
  fullName: string,
): Promise<Project | undefined> {
  const row = await db
    .selectFrom("projects")
    .selectAll()
    .where("full_name_lower", "=", fullName.toLowerCase())
    .executeTakeFirst();
  return row && toProject(row);
}

export async function findProjectById(
  db: Kysely<Database>,
  id: number,
): Promise<Project | undefined> {
  const row = await db.selectFrom("projects").selectAll().where("id", "=", id).executeTakeFirst();
  return row && toProject(row);
}

/** The project whose current key, or unexpired previous key, is `key`. */
export async function findProjectByKey(
  db: Kysely<Database>,
  key: string,
  now: Date,
): Promise<Project | undefined> {
  const row = await db
    .selectFrom("projects")
    .selectAll()
    .where((eb) =>
      eb.or([
        eb("ingest_key", "=", key),
        eb.and([eb("previous_key", "=", key), eb("previous_key_expires_at", ">", now)]),
      ]),
    )
    .executeTakeFirst();
  return row && toProject(row);
}

export interface EnsureProjectInput {
  fullName: string;
  installationId?: number | null;
  repoId?: number | null;
}

/** Creates the project for a repository, or returns the existing one (race-safe upsert). */
export async function ensureProject(
  db: Kysely<Database>,
  input: EnsureProjectInput,
): Promise<{ project: Project; created: boolean }> {
  const { owner, name } = parseFullName(input.fullName);
  const inserted = await db
    .insertInto("projects")
    .values({
      owner,
      name,
      full_name_lower: `${owner}/${name}`.toLowerCase(),
      installation_id: input.installationId ?? null,
      repo_id: input.repoId ?? null,
      ingest_key: newIngestKey(),
      previous_key: null,
      previous_key_expires_at: null,
      suspended_at: null,
    })
    .onConflict((oc) => oc.column("full_name_lower").doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return { project: toProject(inserted), created: true };
  const existing = await findProjectByName(db, input.fullName);
  if (!existing) throw new Error(`project ${input.fullName} vanished while being created`);
  return { project: existing, created: false };
}

/** New key; the old one keeps working for `graceMs` so clients can be redeployed. */
export async function rotateIngestKey(
  db: Kysely<Database>,
  projectId: number,
  now: Date,
  graceMs: number,
): Promise<Project> {
  const row = await db
    .updateTable("projects")
    .set((eb) => ({
      previous_key: eb.ref("ingest_key"),
      previous_key_expires_at: new Date(now.getTime() + graceMs),
      ingest_key: newIngestKey(),
    }))
    .where("id", "=", projectId)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toProject(row);
}
