import {
  type RepoConfig,
  type RuleSubject,
  compileRepoPatterns,
  matchCategoryRule,
  matchSeverityRule,
} from "../config/repo-config.js";
import {
  BUILT_IN_CLASSIFIER,
  type BugClassifier,
  type ErrorEvent,
  categoryOf,
  requestPath,
} from "../grouping/index.js";

const cache = new WeakMap<RepoConfig, BugClassifier>();

function subjectOf(event: ErrorEvent): RuleSubject {
  return {
    errorType: event.errorType,
    message: event.message,
    environment: event.environment,
    service: event.service,
    path: requestPath(event.request?.url),
    statusCode: event.request?.statusCode,
  };
}

/**
 * A repository's say on its new bugs: `categories.rules` over the built-in category, then
 * `severity_rules` (which may match on that category) over the level's severity. One per config
 * object (configs are re-read every 30 s, not per report); the rules' regexes run on RE2.
 */
export function bugClassifierFor(config: RepoConfig): BugClassifier {
  const cached = cache.get(config);
  if (cached) return cached;
  const { categoryRules, severityRules } = compileRepoPatterns(config);
  const classifier: BugClassifier =
    categoryRules.length === 0 && severityRules.length === 0
      ? BUILT_IN_CLASSIFIER
      : {
          category(event) {
            const ruled = matchCategoryRule(categoryRules, subjectOf(event));
            if (!ruled) return categoryOf(event);
            return { category: ruled.category, reason: `rule ${ruled.rule} of categories.rules` };
          },
          severity(event, category) {
            if (severityRules.length === 0) return undefined;
            return matchSeverityRule(severityRules, { ...subjectOf(event), category });
          },
        };
  cache.set(config, classifier);
  return classifier;
}
