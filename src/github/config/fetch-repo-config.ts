import type { OutboxOctokit } from "../outbox/worker.js";

export const REPO_CONFIG_PATH = ".github/faultline.yml";

/** The file as read from GitHub: parsed YAML (null = no file anywhere), or why it is unusable. */
export interface FetchedRepoConfig {
  raw: unknown;
  /** Problems with the file as a whole (bad YAML, bad `_extends`); every key then defaults. */
  errors: string[];
}

const PLUGIN_PREFIX = "[@probot/octokit-plugin-config] ";

/**
 * Reads `.github/faultline.yml` with Probot's config plugin: the repository's file, else the
 * owner's `.github` repository's, with `_extends` resolved. A missing file is `raw: null`. A file
 * that cannot be used (invalid YAML, an `_extends` loop) is reported in `errors`, not thrown:
 * retrying would not fix it. HTTP failures (GitHub down, rate limits) are thrown, to be retried.
 */
export async function fetchRepoConfig(
  octokit: OutboxOctokit,
  repo: { owner: string; repo: string },
): Promise<FetchedRepoConfig> {
  try {
    const { config, files } = await octokit.config.get({ ...repo, path: REPO_CONFIG_PATH });
    const found = files.some((file) => file.config !== null && file.config !== undefined);
    return { raw: found ? config : null, errors: [] };
  } catch (error) {
    if (!isPluginError(error)) throw error;
    return { raw: null, errors: [describePluginError(error)] };
  }
}

function isPluginError(error: unknown): error is Error {
  return (
    error instanceof Error &&
    error.message.startsWith(PLUGIN_PREFIX) &&
    (error as { status?: unknown }).status === undefined
  );
}

/** One readable line: API URLs as `owner/repo:path`, the YAML parser's first line as the reason. */
function describePluginError(error: Error): string {
  const message = error.message
    .slice(PLUGIN_PREFIX.length)
    .replace(
      /https?:\/\/\S*?\/repos\/([^/\s]+)\/([^/\s]+)\/contents\/([^\s?)]+)(\?[^\s)]*)?/g,
      (_all, owner: string, name: string, path: string) => {
        let decoded = path;
        try {
          decoded = decodeURIComponent(path);
        } catch {
          // keep it encoded
        }
        return `${owner}/${name}:${decoded}`;
      },
    );
  const cause =
    error.cause instanceof Error
      ? error.cause.message.split("\n")[0]?.trim().replace(/:$/, "")
      : "";
  const reason = cause ? `${message}: ${cause}` : message;
  return `${reason}. Every setting uses its default until this is fixed.`;
}
