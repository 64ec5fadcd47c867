import { randomBytes } from "node:crypto";
import { chmodSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * How a `faultline` command reaches the server that holds the embedded database (PGlite is one
 * process at a time): the server writes its address and a token made at start into the data
 * directory, readable by its owner only (0600), and removes the file when it stops. Whoever can
 * read it can read the database files beside it anyway.
 */
export interface AdminFile {
  pid: number;
  /** How this machine reaches the server, e.g. http://127.0.0.1:3000; "" while it starts. */
  url: string;
  token: string;
}

export const ADMIN_FILE = "faultline.admin.json";

export function adminFilePath(dataDir: string): string {
  return join(dataDir, ADMIN_FILE);
}

export function newAdminToken(): string {
  return randomBytes(32).toString("base64url");
}

/** Writes the file owner-only; returns a function that removes it (if still ours). */
export function writeAdminFile(dataDir: string, content: AdminFile): () => void {
  const path = adminFilePath(dataDir);
  writeFileSync(path, `${JSON.stringify(content)}\n`, { mode: 0o600 });
  // `mode` applies only when the file is created; one left by a killed server keeps its own.
  chmodSync(path, 0o600);
  return () => {
    try {
      if (readAdminFile(dataDir)?.pid === content.pid) unlinkSync(path);
    } catch {
      // already gone
    }
  };
}

/** The file's content, or undefined when there is none (or it is not one of ours). */
export function readAdminFile(dataDir: string): AdminFile | undefined {
  let text: string;
  try {
    text = readFileSync(adminFilePath(dataDir), "utf8");
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as Partial<AdminFile>;
    if (
      typeof parsed.pid === "number" &&
      typeof parsed.url === "string" &&
      typeof parsed.token === "string"
    ) {
      return { pid: parsed.pid, url: parsed.url, token: parsed.token };
    }
  } catch {
    // half-written or foreign: as if absent
  }
  return undefined;
}
