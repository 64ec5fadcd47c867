export {
  type FetchedRepoConfig,
  fetchRepoConfig,
  REPO_CONFIG_PATH,
} from "./fetch-repo-config.js";
export { createLoadConfigHandler, planConfigLoad, planMissingConfigLoads } from "./load-config.js";
export { type ProjectGithubSettings, readProjectGithubSettings } from "./read-project-config.js";
export { type ConfigIssueTarget, closeConfigIssue, showConfigErrors } from "./sync-config-issue.js";
