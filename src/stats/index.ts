export { type BugGithubLinks, bugGithubLinks } from "./bug-links.js";
export { InvalidCursorError } from "./cursor.js";
export { InvalidRangeError, MAX_RANGE_MS, toHourRange } from "./hour-range.js";
export { createStatsService, type StatsService } from "./stats-service.js";
export type * from "./stats-types.js";
