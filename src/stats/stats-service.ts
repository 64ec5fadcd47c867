import type { Kysely } from "kysely";
import type { Database } from "../db/index.js";
import { findBugId, getBugDetail, getEvent } from "./bug-detail.js";
import { getBug, listBugEvents, listBugs } from "./bug-list.js";
import type {
  BugDetail,
  BugEvent,
  BugListItem,
  EventDetail,
  ListBugsQuery,
  ListEventsQuery,
  Page,
  StatsQuery,
  StatsSummary,
} from "./stats-types.js";
import { summarize } from "./summary.js";

export type * from "./stats-types.js";

/**
 * Read access to bugs and their statistics, for the /api routes, the /dashboard and the CLI.
 * STABLE CONTRACT (see stats-types.ts): callers decide which projects a reader may see and pass
 * their ids; the service never widens that set.
 *
 * - summary(): figures over [from, to), widened to whole UTC hours (the rollups are hourly); the
 *   returned from/to are the widened range. Whole UTC days compacted by the daily-rollup job are
 *   served from bug_monthly, project_hourly and user_day_sketches, the rest of the range from
 *   bug_hourly and events (same figures either way); bug figures from bugs. Affected users of
 *   compacted days survive event retention; those of other days count the events still stored.
 *   affectedUsers is exact when no whole compacted day is in range, and up to 2,048 distinct users
 *   otherwise (the sketches' exact sparse mode); above that it is a HyperLogLog estimate (~0.8%
 *   standard error, src/stats/user-sketch.ts), so it may differ slightly before and after a day
 *   is compacted.
 * - listBugs(): keyset-paginated, newest bug first (id DESC: immutable, so pages never skip or
 *   repeat a bug while new occurrences arrive). Merged bugs are left out (their target lists).
 * - getBug(): one bug, as listBugs shows it (with its grouping reasons).
 * - listBugEvents(): a bug's stored events, most recent first (received_at DESC, id DESC).
 * - findBugId(): a bug by its per-project number.
 * - getBugDetail(): one bug with its releases, its occurrences over a range (hourly up to 7 days,
 *   daily beyond) and its latest stored event in full.
 * - getEvent(): one stored event of a bug in full (by row id or client event id), with the ids of
 *   its newer and older neighbours.
 */
export interface StatsService {
  summary(query: StatsQuery): Promise<StatsSummary>;
  listBugs(query: ListBugsQuery): Promise<Page<BugListItem>>;
  /** One bug by id, grouping reasons included; undefined when there is none. */
  getBug(bugId: number): Promise<BugListItem | undefined>;
  listBugEvents(query: ListEventsQuery): Promise<Page<BugEvent>>;
  findBugId(projectId: number, number: number): Promise<number | undefined>;
  getBugDetail(bugId: number, range: { from: Date; to: Date }): Promise<BugDetail | undefined>;
  getEvent(
    bugId: number,
    ref: number | { id: number } | { eventId: string },
  ): Promise<EventDetail | undefined>;
}

export function createStatsService(db: Kysely<Database>): StatsService {
  return {
    summary: (query) => summarize(db, query),
    listBugs: (query) => listBugs(db, query),
    getBug: (bugId) => getBug(db, bugId),
    listBugEvents: (query) => listBugEvents(db, query),
    findBugId: (projectId, number) => findBugId(db, projectId, number),
    getBugDetail: (bugId, range) => getBugDetail(db, bugId, range),
    getEvent: (bugId, ref) => getEvent(db, bugId, ref),
  };
}
