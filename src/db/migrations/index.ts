import type { Migration } from "kysely";
import * as initial from "./2026-11-23T0900-initial.js";
import * as projectConfig from "./2026-11-23T1300-project-config.js";

/**
 * Every migration, by name. A static list (not a folder scan) so the same code runs under tsx,
 * vitest and the compiled build. Names sort in the order they must run: add new ones at the end
 * with a later timestamp.
 */
export const migrations: Record<string, Migration> = {
  "2026-11-23T0900-initial": initial,
  "2026-11-23T1300-project-config": projectConfig,
};
