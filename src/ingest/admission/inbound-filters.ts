import { type RepoConfig, compileRepoPatterns } from "../../config/repo-config.js";
import { type ErrorEvent, requestPath } from "../../grouping/index.js";
import { isBrowserExtensionError } from "./browser-extensions.js";
import { isCrawlerEvent } from "./crawlers.js";

export { requestPath };

/** Why a report was dropped before grouping; what the client and the counters see. */
export type FilterReason =
  | "excluded_path"
  | "excluded_status_code"
  | "excluded_environment"
  | "excluded_error_type"
  | "excluded_message"
  | "browser_extension"
  | "crawler";

export const FILTER_REASONS: readonly FilterReason[] = [
  "excluded_path",
  "excluded_status_code",
  "excluded_environment",
  "excluded_error_type",
  "excluded_message",
  "browser_extension",
  "crawler",
];

/**
 * The repo config's inbound filters (`filters:` in faultline.yml) applied to one parsed event.
 * Returns the first reason that drops it, or undefined to keep it. Pure.
 */
export function inboundFilterReason(
  event: ErrorEvent,
  config: RepoConfig,
): FilterReason | undefined {
  const filters = config.filters;
  const patterns = compileRepoPatterns(config);
  const path = requestPath(event.request?.url);
  if (path !== undefined && patterns.excludePaths.some((re) => re.test(path))) {
    return "excluded_path";
  }
  const status = event.request?.statusCode;
  if (status !== undefined && filters.exclude_status_codes.includes(status)) {
    return "excluded_status_code";
  }
  if (event.environment !== undefined && filters.exclude_environments.includes(event.environment)) {
    return "excluded_environment";
  }
  if (patterns.excludeErrorTypes.some((re) => re.test(event.errorType))) {
    return "excluded_error_type";
  }
  if (patterns.excludeMessages.some((re) => re.test(event.message))) return "excluded_message";
  if (filters.ignore_browser_extensions && isBrowserExtensionError(event)) {
    return "browser_extension";
  }
  if (filters.ignore_crawlers && isCrawlerEvent(event)) return "crawler";
  return undefined;
}
