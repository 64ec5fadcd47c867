import Bottleneck from "bottleneck";
import { type Probot, ProbotOctokit } from "probot";

/**
 * Probot's Octokit with @octokit/plugin-throttling's own spacing of writes lifted: it held every
 * write 1 s apart and every issue or comment creation 3 s apart (process-wide), which, with a
 * search per issue (2 s apart), kept issue creation near 0.27 issues/s (issue #19). The outbox
 * paces its writes by GitHub's documented limits instead, across replicas
 * (outbox/write-pacing.ts). The plugin still serialises writes in a process (one at a time, as
 * GitHub asks) and still waits out primary and secondary rate limits when GitHub reports them.
 */
const writes = new Bottleneck.Group({ maxConcurrent: 1, minTime: 0 });
const notifications = new Bottleneck.Group({ maxConcurrent: 1, minTime: 0 });

export const FaultlineOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  throttle: {
    ...(options.throttle as Record<string, unknown> | undefined),
    write: writes,
    notifications,
  },
}));

/**
 * The App's bot login (`<slug>[bot]`), asked once from GitHub (and again after a failure): the
 * outbox lists the App's own recent issues when a create may have landed (outbox/create-once.ts).
 */
export function appLoginOf(probot: Probot): () => Promise<string | undefined> {
  let login: Promise<string | undefined> | undefined;
  return () => {
    login ??= (async () => {
      const app = await probot.auth();
      const { data } = await app.rest.apps.getAuthenticated();
      return data?.slug ? `${data.slug}[bot]` : undefined;
    })().catch(() => {
      login = undefined;
      return undefined;
    });
    return login;
  };
}
