import { type Kysely, sql } from "kysely";
import type { Database } from "../db/index.js";
import { FINGERPRINT_VERSION, PREVIOUS_FINGERPRINT_VERSION } from "../grouping/index.js";

/**
 * How long, after a database first runs a new grouping version, events are also looked up by
 * their previous-version hash. Sentry keeps the previous configuration's hashes for a while
 * after an upgrade the same way; 90 days covers a bug that recurs once a quarter (a month-end or
 * quarter-end job). A bug not seen at all during the transition starts a new bug afterwards.
 */
export const DEFAULT_TRANSITION_DAYS = 90;

export interface GroupingTransition {
  /** The version whose hashes are still looked up, until `until`; none when no transition runs. */
  previousVersion: number | null;
  until: Date | null;
}

/** True while events should carry their previous-version hash. */
export function transitionActive(transition: GroupingTransition, now: Date): boolean {
  return transition.until !== null && now.getTime() < transition.until.getTime();
}

/**
 * The database's grouping state, starting a transition the first time a process of a newer
 * grouping version opens a database with bugs of the previous version. One replica starts it
 * (a conditional upsert); the others read what it wrote. A database without such bugs (a new
 * install) has nothing to carry over and runs no transition.
 */
export async function loadGroupingTransition(
  db: Kysely<Database>,
  now: Date,
  days = DEFAULT_TRANSITION_DAYS,
): Promise<GroupingTransition> {
  const current = await readState(db);
  if (current?.version === FINGERPRINT_VERSION) return toTransition(current);
  const older = await db
    .selectFrom("bugs")
    .select("id")
    .where("fingerprint_version", "=", PREVIOUS_FINGERPRINT_VERSION)
    .limit(1)
    .executeTakeFirst();
  const until = older ? new Date(now.getTime() + days * 86_400_000) : null;
  await sql`
    INSERT INTO grouping_state (id, version, previous_version, transition_until, updated_at)
    VALUES (1, ${FINGERPRINT_VERSION}, ${older ? PREVIOUS_FINGERPRINT_VERSION : null},
      ${until}, ${now})
    ON CONFLICT (id) DO UPDATE SET version = excluded.version,
      previous_version = excluded.previous_version,
      transition_until = excluded.transition_until, updated_at = excluded.updated_at
    WHERE grouping_state.version < excluded.version`.execute(db);
  return toTransition(await readState(db));
}

async function readState(db: Kysely<Database>) {
  return db
    .selectFrom("grouping_state")
    .select(["version", "previous_version", "transition_until"])
    .where("id", "=", 1)
    .executeTakeFirst();
}

function toTransition(
  row: { previous_version: number | null; transition_until: Date | null } | undefined,
): GroupingTransition {
  // Only a transition from the version this code can still compute is honoured.
  if (row?.previous_version !== PREVIOUS_FINGERPRINT_VERSION) {
    return { previousVersion: null, until: null };
  }
  return { previousVersion: row.previous_version, until: row.transition_until };
}
