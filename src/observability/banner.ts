/** What the startup banner says: where reports go, how to get a key, where the dashboard is. */
export interface BannerInput {
  version: string;
  publicUrl: string;
  database: string;
  /** Set when the App is configured: where GitHub must deliver webhooks. */
  webhookUrl?: string | undefined;
  /** Set in setup mode: the link for another machine (with its one-time token). */
  setupLink?: string | undefined;
  /** The local setup URL (a browser on this machine needs no token). */
  localSetupUrl?: string | undefined;
  /** How /metrics is served. */
  metrics: string;
}

export function startupBanner(b: BannerInput): string {
  const github = b.webhookUrl
    ? `webhooks arrive at ${b.webhookUrl} (GitHub must reach it)`
    : `not set up yet: open ${b.localSetupUrl ?? `${b.publicUrl}/probot`} on this machine, or ${b.setupLink ?? ""} from another`;
  return [
    `Faultline ${b.version} listening on ${b.publicUrl} (${b.database})`,
    `  reports:    POST ${b.publicUrl}/api/reports, or any Sentry SDK with the project's DSN`,
    "  get a key:  npx faultline dsn <owner/repo>   (prints the key, report URL and DSN)",
    `  dashboard:  ${b.publicUrl}/dashboard`,
    `  GitHub App: ${github}`,
    `  metrics:    ${b.metrics}`,
  ].join("\n");
}
