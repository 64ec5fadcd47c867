import { resolve } from "node:path";
import type { Env } from "../config/index.js";
import { type DbHandle, createDb, lockEmbeddedDb, migrateToLatest } from "../db/index.js";

/**
 * Opens the configured database for one CLI command. The embedded database is one process at a
 * time: while the server has it open, lockEmbeddedDb throws a message saying so.
 */
export async function openDatabase(env: Env): Promise<DbHandle> {
  const dataDir = resolve(env.DATA_DIR);
  const release = env.DATABASE_URL ? () => {} : lockEmbeddedDb(dataDir);
  try {
    const handle = await createDb({ databaseUrl: env.DATABASE_URL, dataDir, poolSize: 2 });
    await migrateToLatest(handle.db);
    return {
      ...handle,
      async close() {
        try {
          await handle.close();
        } finally {
          release();
        }
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}
