export { type CreateDbOptions, createDb, type DbHandle, type DbKind } from "./create-db.js";
export { EmbeddedDbBusyError, embeddedDbHolder, lockEmbeddedDb } from "./embedded-lock.js";
export { MigrationError, migrateToLatest } from "./migrate.js";
export { PREPARED } from "./prepared-statements.js";
export type * from "./schema.js";
export { isDatabaseUnavailable } from "./unavailable.js";
export {
  DatabaseUnreachableError,
  redactDatabaseUrl,
  type WaitOptions,
  waitForDatabase,
} from "./wait-for-database.js";
