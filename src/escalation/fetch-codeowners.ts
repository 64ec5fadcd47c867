/**
 * The repository's CODEOWNERS, read through the installation client where GitHub looks for it
 * (`.github/`, the root, `docs/`; the first found wins). Called from outbox handlers only: the
 * scheduled job never talks to GitHub.
 */
import type { OutboxOctokit } from "../github/index.js";
import { type CodeownersRule, codeownersPaths, parseCodeowners } from "./codeowners.js";

export interface FetchedCodeowners {
  path: string;
  rules: CodeownersRule[];
}

/** The parsed file, or null when the repository has none. Other HTTP errors are thrown (retry). */
export async function fetchCodeowners(
  octokit: OutboxOctokit,
  repo: { owner: string; repo: string },
): Promise<FetchedCodeowners | null> {
  for (const path of codeownersPaths) {
    try {
      const response = await octokit.rest.repos.getContent({
        ...repo,
        path,
        mediaType: { format: "raw" },
      });
      // With the raw media type the body is the file itself; a directory answers JSON instead.
      if (typeof response.data !== "string") continue;
      return { path, rules: parseCodeowners(response.data) };
    } catch (error) {
      if ((error as { status?: number }).status === 404) continue;
      throw error;
    }
  }
  return null;
}
