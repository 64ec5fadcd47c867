import type { Env } from "../config/index.js";

/** What the /dashboard needs from the process configuration. */
export interface DashboardSettings {
  /** The App's OAuth client; absent until configured (the dashboard then explains how). */
  oauth?: { clientId: string; clientSecret: string } | undefined;
  /** GitHub's web base URL (authorize and access_token live here), without a trailing slash. */
  githubUrl: string;
  /** GitHub's REST API base URL, without a trailing slash. */
  githubApiUrl: string;
  /** This server's public URL: the OAuth callback is built from it; https => Secure cookies. */
  publicUrl: string;
  sessionTtlMs: number;
}

const HOUR_MS = 3_600_000;

export function dashboardSettingsFromEnv(env: Env): DashboardSettings {
  // GitHub Enterprise Server: web at https://HOST, API at https://HOST/api/v3 (Probot's variables).
  const ghe = env.GHE_HOST ? `${env.GHE_PROTOCOL ?? "https"}://${env.GHE_HOST}` : undefined;
  const githubUrl = env.GITHUB_URL ?? ghe ?? "https://github.com";
  const githubApiUrl = env.GITHUB_API_URL ?? (ghe ? `${ghe}/api/v3` : "https://api.github.com");
  return {
    oauth:
      env.GITHUB_CLIENT_ID && env.GITHUB_CLIENT_SECRET
        ? { clientId: env.GITHUB_CLIENT_ID, clientSecret: env.GITHUB_CLIENT_SECRET }
        : undefined,
    githubUrl: githubUrl.replace(/\/+$/, ""),
    githubApiUrl: githubApiUrl.replace(/\/+$/, ""),
    publicUrl: env.publicUrl,
    sessionTtlMs: env.DASHBOARD_SESSION_HOURS * HOUR_MS,
  };
}
