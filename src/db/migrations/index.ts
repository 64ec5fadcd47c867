import type { Migration } from "kysely";
import * as initial from "./2026-11-23T0900-initial.js";
import * as projectConfig from "./2026-11-23T1300-project-config.js";
import * as escalations from "./2026-11-23T1310-escalations.js";
import * as readAccess from "./2026-11-23T1330-read-access.js";
import * as dashboardSessions from "./2026-11-23T1340-dashboard-sessions.js";
import * as configIssue from "./2026-11-23T1420-config-issue.js";
import * as dailyRollups from "./2026-11-23T1500-daily-rollups.js";
import * as userSketches from "./2026-11-24T0900-user-sketches.js";
import * as bugMonthly from "./2026-11-24T0910-bug-monthly.js";
import * as eventsLz4 from "./2026-11-24T1000-events-lz4.js";
import * as eventsProjectFk from "./2026-12-07T0900-events-project-fk.js";
import * as groupingTransition from "./2026-12-08T0900-grouping-transition.js";
import * as jobRuns from "./2026-12-08T0900-job-runs.js";
import * as outboxOpenedIssues from "./2026-12-08T0900-outbox-opened-issues.js";
import * as rateWindows from "./2026-12-08T0910-rate-windows.js";
import * as outboxLease from "./2026-12-08T0920-outbox-lease.js";
import * as githubPacing from "./2026-12-08T0930-github-pacing.js";
import * as bugCategoriesReleases from "./2026-12-08T1210-bug-categories-releases.js";
import * as githubTriage from "./2026-12-08T1230-github-triage.js";
import * as outboxDeadRows from "./2026-12-08T1300-outbox-dead-rows.js";

/**
 * Every migration, by name. A static list (not a folder scan) so the same code runs under tsx,
 * vitest and the compiled build. Names sort in the order they must run: add new ones at the end
 * with a later timestamp.
 */
export const migrations: Record<string, Migration> = {
  "2026-11-23T0900-initial": initial,
  "2026-11-23T1300-project-config": projectConfig,
  "2026-11-23T1310-escalations": escalations,
  "2026-11-23T1330-read-access": readAccess,
  "2026-11-23T1340-dashboard-sessions": dashboardSessions,
  "2026-11-23T1420-config-issue": configIssue,
  "2026-11-23T1500-daily-rollups": dailyRollups,
  "2026-11-24T0900-user-sketches": userSketches,
  "2026-11-24T0910-bug-monthly": bugMonthly,
  "2026-11-24T1000-events-lz4": eventsLz4,
  "2026-12-07T0900-events-project-fk": eventsProjectFk,
  "2026-12-08T0900-grouping-transition": groupingTransition,
  "2026-12-08T0900-job-runs": jobRuns,
  "2026-12-08T0900-outbox-opened-issues": outboxOpenedIssues,
  "2026-12-08T0910-rate-windows": rateWindows,
  "2026-12-08T0920-outbox-lease": outboxLease,
  "2026-12-08T0930-github-pacing": githubPacing,
  "2026-12-08T1210-bug-categories-releases": bugCategoriesReleases,
  "2026-12-08T1230-github-triage": githubTriage,
  "2026-12-08T1300-outbox-dead-rows": outboxDeadRows,
};
